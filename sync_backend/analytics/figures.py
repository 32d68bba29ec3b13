"""The dashboard's figures, read from the rollups (never from the event log: that is the
rebuild's job). docs/analytics.md says what each one means; tests/backend/analytics checks
them against hand-counted values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sync_backend.analytics import ab_test
from sync_backend.analytics.lifecycle import PaymentKind
from sync_backend.analytics.money import (
    MoneyTally,
    Period,
    PlacementFee,
    ReturnOnInvestment,
    Subscription,
    investment,
    return_on_investment,
)
from sync_backend.analytics.scope import Scope
from sync_backend.models import (
    Business,
    BusinessHourly,
    BusinessPayment,
    DailyRollup,
    DayTotals,
    Device,
    HourlyRollup,
    HourlyTotals,
    KioskDailyRollup,
    Offer,
    RefusalRollup,
    RefusalTotals,
)

D = DailyRollup


def _daily(scope: Scope) -> Any:
    """The daily rollup to read: without offers and variants (one row per business, kiosk
    and day) unless the question names an offer; the same counters either way."""
    return D if scope.offer_id is not None or scope.variant is not None else KioskDailyRollup


def _everyone(scope: Scope) -> bool:
    """Head office's question about every business, any offer: the day totals answer it."""
    return scope.business_id is None and scope.offer_id is None and scope.variant is None


def _where(scope: Scope, table: Any = D) -> list[sa.ColumnElement[bool]]:
    conditions: list[sa.ColumnElement[bool]] = []
    if scope.business_id is not None:
        conditions.append(table.business_id == scope.business_id)
    if scope.offer_id is not None:
        conditions.append(table.offer_id == scope.offer_id)
    if scope.variant is not None:
        conditions.append(table.variant == scope.variant)
    return conditions


def _in(period: Period, column: Any) -> sa.ColumnElement[bool]:
    return column.between(period.first_day, period.last_day)


def _sum_if(test: sa.ColumnElement[bool], value: Any) -> sa.ColumnElement[int]:
    return sa.func.coalesce(sa.func.sum(sa.case((test, value), else_=0)), 0)


# --- funnel -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FunnelStep:
    name: str
    measured: bool
    value: int | None  # None when not measured: never shown as 0
    conversion: float | None  # from the step before (None: first step, or nothing before)


@dataclass(frozen=True)
class Funnel:
    steps: tuple[FunnelStep, ...]
    refused_by_reason: dict[str, int]
    printed: int
    has_data: bool


#: Steps the customer page will measure (DESIGN.md); shown as "not measured yet".
NOT_MEASURED_YET = ("scanned_by_phone", "claimed", "redeemed_again")


def funnel(session: Session, scope: Scope) -> Funnel:
    """Books distributed → in circulation → scanned at a counter → redeemed, in the period.

    Distributed and printed count every copy handed out up to the period's end (copies stay
    in customers' hands); in circulation takes off the copies gone before the period started
    (expired, or redeemed and not voided); scanned and redeemed count the period's own days.
    """
    p, t = scope.period, (DayTotals if _everyone(scope) else _daily(scope))
    before, inside = t.local_day < p.first_day, _in(p, t.local_day)
    row = session.execute(
        sa.select(
            _sum_if(sa.true(), t.printed),
            _sum_if(sa.true(), t.distributed),
            _sum_if(before, t.expired + t.redeemed - t.voided),
            _sum_if(inside, t.scanned),
            _sum_if(inside, t.redeemed - t.voided),
        ).where(*_where(scope, t), t.local_day <= p.last_day)
    ).one()
    printed, distributed, gone, scanned, redeemed = (int(v) for v in row)
    circulating = max(0, distributed - gone)
    measured = [
        ("distributed", distributed),
        ("in_circulation", circulating),
        ("scanned", scanned),
        ("redeemed", redeemed),
    ]
    steps: list[FunnelStep] = []
    previous: int | None = None
    for name, value in measured:
        conversion = value / previous if previous else None
        steps.append(FunnelStep(name, True, value, conversion))
        previous = value
    steps += [FunnelStep(name, False, None, None) for name in NOT_MEASURED_YET]
    r: Any = RefusalTotals if _everyone(scope) else RefusalRollup
    refusals: dict[str, Any] = dict(
        session.execute(
            sa.select(r.reason, sa.func.sum(r.scans))
            .where(*_where(scope, r), _in(p, r.local_day))
            .group_by(r.reason)
            .order_by(r.reason)
        ).all()
    )
    has_data = any((printed, distributed, scanned, redeemed))
    return Funnel(tuple(steps), {k: int(v) for k, v in refusals.items()}, printed, has_data)


# --- money ----------------------------------------------------------------------------------


def _buckets(period: Period, bucket: str) -> list[Period]:
    """The period cut into months (or weeks from Monday, or days), clipped to it."""
    out, start = [], period.first_day
    while start <= period.last_day:
        if bucket == "day":
            end = start
        elif bucket == "week":
            end = start + timedelta(days=6 - start.weekday())
        else:
            nxt = date(start.year + start.month // 12, start.month % 12 + 1, 1)
            end = nxt - timedelta(days=1)
        end = min(end, period.last_day)
        out.append(Period(start, end))
        start = end + timedelta(days=1)
    return out


@dataclass(frozen=True)
class RoiPoint:
    period: Period
    roi: ReturnOnInvestment


def _payments(
    session: Session, business_id: int | None
) -> dict[int, tuple[list[PlacementFee], list[Subscription]]]:
    """Fees and subscriptions by business (one business, or all of them in one query)."""
    query = sa.select(
        BusinessPayment.business_id,
        BusinessPayment.kind,
        BusinessPayment.amount,
        BusinessPayment.starts,
        BusinessPayment.ends,
    )
    if business_id is not None:
        query = query.where(BusinessPayment.business_id == business_id)
    out: dict[int, tuple[list[PlacementFee], list[Subscription]]] = {}
    for owner, kind, amount, starts, ends in session.execute(query):
        fees, subs = out.setdefault(owner, ([], []))
        if kind == PaymentKind.PLACEMENT.value:
            fees.append(PlacementFee(starts, amount))
        else:
            subs.append(Subscription(amount, starts, ends))
    return out


def _money(t: Any) -> tuple[sa.ColumnElement[Any], ...]:
    return (
        sa.func.sum(t.redeemed - t.voided),
        sa.func.sum(t.sales_recorded),
        sa.func.sum(t.sales_sum),
        sa.func.sum(t.discount_all),
        sa.func.sum(t.discount_recorded),
        sa.func.sum(t.discount_unvalued),
    )


def _tally(values: Sequence[Any]) -> MoneyTally:
    return MoneyTally(*(int(v or 0) for v in values))


def _money_by_day(session: Session, scope: Scope) -> dict[date, MoneyTally]:
    t = _daily(scope)
    rows = session.execute(
        sa.select(t.local_day, *_money(t))
        .where(*_where(scope, t), _in(scope.period, t.local_day))
        .group_by(t.local_day)
    ).all()
    return {r[0]: _tally(r[1:]) for r in rows}


def _add(tallies: Sequence[MoneyTally]) -> MoneyTally:
    return MoneyTally(
        *(sum(getattr(t, f) for t in tallies) for f in MoneyTally.__dataclass_fields__)
    )


def _ticket(session: Session, business_id: int) -> int:
    business = session.get(Business, business_id)
    return (business.usual_ticket if business else None) or 0


def roi(
    session: Session, scope: Scope, bucket: str = "month"
) -> tuple[ReturnOnInvestment, list[RoiPoint]]:
    """One business's ROI over the whole period and per month (week, day), estimated and
    recorded side by side, from one read of its days."""
    assert scope.business_id is not None, "ROI is per business; head office ranks them"
    ticket = _ticket(session, scope.business_id)
    fees, subs = _payments(session, scope.business_id).get(scope.business_id, ([], []))
    by_day = _money_by_day(session, scope)
    points = []
    for part in _buckets(scope.period, bucket):
        days = [t for d, t in by_day.items() if part.first_day <= d <= part.last_day]
        paid = investment(fees, subs, part)
        points.append(RoiPoint(part, return_on_investment(_add(days), ticket, paid)))
    whole = return_on_investment(
        _add(list(by_day.values())), ticket, investment(fees, subs, scope.period)
    )
    return whole, points


def roi_over_time(session: Session, scope: Scope, bucket: str = "month") -> list[RoiPoint]:
    return roi(session, scope, bucket)[1]


def roi_total(session: Session, scope: Scope) -> ReturnOnInvestment:
    """The whole period's ROI for one business."""
    return roi(session, scope, "month")[0]


@dataclass(frozen=True)
class RankedBusiness:
    business_id: int
    name: str
    roi: ReturnOnInvestment


def ranking(session: Session, period: Period) -> list[RankedBusiness]:
    """Head office: every business by estimated ROI, best first (no ratio: last); three
    queries whatever the number of businesses."""
    k = KioskDailyRollup
    money = {
        r[0]: _tally(r[1:])
        for r in session.execute(
            sa.select(k.business_id, *_money(k))
            .where(_in(period, k.local_day))
            .group_by(k.business_id)
        )
    }
    payments = _payments(session, None)
    out = []
    for business_id, name, ticket in session.execute(
        sa.select(Business.id, Business.name, Business.usual_ticket)
    ):
        fees, subs = payments.get(business_id, ([], []))
        tally = money.get(business_id, MoneyTally(0, 0, 0, 0, 0, 0))
        roi = return_on_investment(tally, ticket or 0, investment(fees, subs, period))
        out.append(RankedBusiness(business_id, name, roi))

    def order(item: RankedBusiness) -> tuple[bool, float, str]:
        ratio = item.roi.estimated_roi
        return (ratio is None, -(ratio or 0.0), item.name)

    return sorted(out, key=order)


# --- when: hour × weekday, per kiosk ---------------------------------------------------------


@dataclass(frozen=True)
class HourWeekday:
    """``redeemed[weekday][hour]`` (Monday = 0), net of voids, over the period."""

    redeemed: tuple[tuple[int, ...], ...]
    busiest: tuple[tuple[int, int, int], ...]  # (weekday, hour, redemptions), top 5


def hour_weekday(session: Session, scope: Scope, device_id: str | None = None) -> HourWeekday:
    """Every business and kiosk together reads the day × hour totals, one business's kiosks
    together its own hours; one kiosk the per-kiosk rollup."""
    h: Any = HourlyRollup
    if device_id is None:
        h = HourlyTotals if scope.business_id is None else BusinessHourly
    query = sa.select(h.local_day, h.local_hour, sa.func.sum(h.redeemed - h.voided)).where(
        _in(scope.period, h.local_day)
    )
    if scope.business_id is not None:
        query = query.where(h.business_id == scope.business_id)
    if device_id is not None:
        query = query.where(h.device_id == device_id)
    grid = [[0] * 24 for _ in range(7)]
    for day, hour, count in session.execute(query.group_by(h.local_day, h.local_hour)):
        grid[day.weekday()][hour] += int(count)
    # a void counts in its own hour: one at 22:01 of a 21:58 redemption would leave 22:00 at
    # −1; a cell says how many redemptions stood, never fewer than none
    grid = [[max(0, cell) for cell in row] for row in grid]
    cells = [(w, hr, grid[w][hr]) for w in range(7) for hr in range(24) if grid[w][hr] > 0]
    busiest = tuple(sorted(cells, key=lambda c: (-c[2], c[0], c[1]))[:5])
    return HourWeekday(tuple(tuple(r) for r in grid), busiest)


@dataclass(frozen=True)
class KioskFigures:
    device_id: str
    name: str
    scanned: int
    refused: int
    redeemed: int  # net of voids
    voided: int


def per_kiosk(session: Session, scope: Scope) -> list[KioskFigures]:
    """Each kiosk's scans and redemptions in the period (busiest first); summed per kiosk
    first, then named (a join per kiosk, not per kiosk-day row)."""
    t = _daily(scope)
    sums = (
        sa.select(
            t.device_id.label("device_id"),
            sa.func.sum(t.scanned).label("scanned"),
            sa.func.sum(t.refused).label("refused"),
            sa.func.sum(t.redeemed - t.voided).label("redeemed"),
            sa.func.sum(t.voided).label("voided"),
        )
        .where(*_where(scope, t), _in(scope.period, t.local_day), t.device_id != "")
        .group_by(t.device_id)
        .subquery()
    )
    rows = session.execute(
        sa.select(
            sums.c.device_id,
            sa.func.coalesce(Device.name, sums.c.device_id),
            Business.name,
            sums.c.scanned,
            sums.c.refused,
            sums.c.redeemed,
            sums.c.voided,
        )
        .outerjoin(Device, Device.id == sums.c.device_id)
        .outerjoin(Business, Business.id == Device.business_id)
    ).all()
    # every business's tills are "Caja 1": head office's list names the business too
    everyone = scope.business_id is None
    kiosks = [
        KioskFigures(r[0], f"{r[2]} — {r[1]}" if everyone and r[2] else r[1], *map(int, r[3:]))
        for r in rows
    ]
    return sorted(kiosks, key=lambda k: (-k.redeemed, k.name))


# --- A/B ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OfferAB:
    offer_id: int
    title: str
    labels: dict[int, str]
    result: ab_test.ABResult


def ab_results(session: Session, scope: Scope, plan: ab_test.ABPlan | None = None) -> list[OfferAB]:
    """Per offer with variants: each variant's redemption rate among its copies in
    circulation (distributed up to the period's end; printed when no distribution was
    recorded) over the period's redemptions."""
    offers = session.execute(
        sa.select(Offer.id, Offer.business_id, Offer.title, Offer.variants).where(
            *([Offer.business_id == scope.business_id] if scope.business_id is not None else []),
            *([Offer.id == scope.offer_id] if scope.offer_id is not None else []),
        )
    ).all()
    out = []
    for offer_id, owner, title, variants in offers:
        if len(variants or []) < 2:
            continue
        labels = {int(v["variant"]): str(v["label"]) for v in variants}
        rows = session.execute(
            sa.select(
                D.variant,
                sa.func.sum(D.printed),
                sa.func.sum(D.distributed),
                _sum_if(_in(scope.period, D.local_day), D.redeemed - D.voided),
            )
            # the owner first: the rollup's key (and index) leads with the business
            .where(
                D.business_id == owner,
                D.offer_id == offer_id,
                D.local_day <= scope.period.last_day,
            )
            .group_by(D.variant)
        ).all()
        counts = {int(r[0]): tuple(int(v or 0) for v in r[1:]) for r in rows}
        any_distributed = any(c[1] for c in counts.values())
        tallies = []
        for variant in sorted(labels):
            printed, distributed, redeemed = counts.get(variant, (0, 0, 0))
            exposed = distributed if any_distributed else printed
            # at least as many copies were out as came back (distributions recorded late)
            exposed = max(exposed, redeemed)
            tallies.append(ab_test.VariantTally(labels[variant], exposed, redeemed))
        out.append(OfferAB(offer_id, title, labels, ab_test.analyse(tallies, plan)))
    return out
