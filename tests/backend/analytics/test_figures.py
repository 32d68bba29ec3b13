"""The dashboard's figures on small fixed data, against values counted by hand.

One business, one offer at 10 % off with variants A and B, two kiosks, in the shops' calendar
(America/Asuncion, UTC−3). February: 100 + 100 copies printed, 80 A and 60 B handed out, two A
redeemed. March: at Caja 1 on Monday 3 at 10:00, four A redeemed (one voided at 10:30) and
three scans refused (two expired, one unreadable); at Caja 2 on Saturday 8 at 18:00, two A and
three B redeemed, one B with a typed sale of ₲ 80.000. Usual ticket ₲ 50.000; paid a ₲ 150.000
placement on 20 February and a ₲ 93.000 monthly subscription since January.
"""

from __future__ import annotations

import itertools
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session

from sync_backend.analytics import figures, ledger, records
from sync_backend.analytics.ab_test import Verdict
from sync_backend.analytics.lifecycle import (
    BusinessCalendar,
    LifecycleDraft,
    LifecycleKind,
    PaymentKind,
)
from sync_backend.analytics.scope import make_scope
from sync_backend.errors import NotFound, Unprocessable
from sync_backend.models import Business
from tests.backend.support import Kit

pytestmark = pytest.mark.time_machine(datetime(2025, 4, 2, 12, tzinfo=ZoneInfo("UTC")), tick=False)

TZ = ZoneInfo("America/Asuncion")
CALENDAR = BusinessCalendar(TZ)
K = LifecycleKind
_ids = itertools.count()


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


@pytest.fixture
def shop(kit: Kit, session: Session) -> dict[str, int | str]:
    business = kit.business("Panadería Ñandutí")
    other = kit.business("Ferretería Sin Datos")
    offer = kit.offer(
        business,
        discount="10%",
        variants=[
            {"variant": 1, "label": "A", "weight": 1},
            {"variant": 2, "label": "B", "weight": 1},
        ],
    )
    k1, k2 = kit.kiosk(business, "Caja 1"), kit.kiosk(business, "Caja 2")
    records.set_usual_ticket(session, business, 50_000)
    records.record_payment(
        session,
        business_id=business,
        kind=PaymentKind.PLACEMENT,
        amount=150_000,
        starts=date(2025, 2, 20),
    )
    records.record_payment(
        session,
        business_id=business,
        kind=PaymentKind.SUBSCRIPTION,
        amount=93_000,
        starts=date(2025, 1, 1),
    )

    def event(kind: LifecycleKind, when: datetime, **kw: object) -> LifecycleDraft:
        return LifecycleDraft(
            f"t:{next(_ids)}", kind, when, business_id=business, **{"offer_id": offer, **kw}
        )  # type: ignore[arg-type]

    def redeem(
        device: str, variant: int, when: datetime, sale: int | None = None
    ) -> list[LifecycleDraft]:
        discount = 5_000 if sale is None else sale // 10
        return [
            event(K.SCANNED, when, device_id=device, variant=variant),
            event(
                K.REDEEMED,
                when,
                device_id=device,
                variant=variant,
                sale_total=sale,
                discount=discount,
            ),
        ]

    feb, mon, sat = date(2025, 2, 27), date(2025, 3, 3), date(2025, 3, 8)
    drafts = [
        event(K.PRINTED, _at(date(2025, 2, 20), 9), variant=1, quantity=100),
        event(K.PRINTED, _at(date(2025, 2, 20), 9), variant=2, quantity=100),
        event(K.DISTRIBUTED, _at(date(2025, 2, 25), 0), variant=1, quantity=80),
        event(K.DISTRIBUTED, _at(date(2025, 2, 25), 0), variant=2, quantity=60),
        *redeem(k1.device_id, 1, _at(feb, 11)),
        *redeem(k1.device_id, 1, _at(feb, 11)),
        *[d for _ in range(4) for d in redeem(k1.device_id, 1, _at(mon, 10))],
        event(K.VOIDED, _at(mon, 10, 30), device_id=k1.device_id, variant=1, discount=5_000),
        event(K.SCANNED, _at(mon, 10), device_id=k1.device_id, variant=1, reason="expired"),
        event(K.SCANNED, _at(mon, 10), device_id=k1.device_id, variant=2, reason="expired"),
        event(K.SCANNED, _at(mon, 10), device_id=k1.device_id, offer_id=None, reason="malformed"),
        *[d for _ in range(2) for d in redeem(k2.device_id, 1, _at(sat, 18))],
        *[d for _ in range(2) for d in redeem(k2.device_id, 2, _at(sat, 18))],
        *redeem(k2.device_id, 2, _at(sat, 18), sale=80_000),
    ]
    ledger.record(session, drafts, CALENDAR)
    session.commit()
    return {
        "business": business,
        "other": other,
        "offer": offer,
        "k1": k1.device_id,
        "k2": k2.device_id,
    }


def _march(session: Session, business: int, **kw: int) -> figures.Scope:
    return make_scope(
        session, business_id=business, first_day=date(2025, 3, 1), last_day=date(2025, 3, 31), **kw
    )


def test_funnel_counts_by_hand(session: Session, shop: dict) -> None:
    funnel = figures.funnel(session, _march(session, shop["business"]))
    values = {s.name: s.value for s in funnel.steps}
    assert values["distributed"] == 140
    assert values["in_circulation"] == 138  # two redeemed in February are gone
    assert values["scanned"] == 12  # 4 + 3 at Caja 1, 5 at Caja 2
    assert values["redeemed"] == 8  # 9 redemptions, one voided
    conversions = {s.name: s.conversion for s in funnel.steps}
    assert conversions["in_circulation"] == pytest.approx(138 / 140)
    assert conversions["redeemed"] == pytest.approx(8 / 12)
    assert funnel.refused_by_reason == {"expired": 2, "malformed": 1}
    assert funnel.printed == 200 and funnel.has_data
    # the customer page's steps are not measured yet: no value, never 0
    later = [s for s in funnel.steps if not s.measured]
    assert [s.name for s in later] == list(figures.NOT_MEASURED_YET)
    assert all(s.value is None and s.conversion is None for s in later)


def test_funnel_per_offer_and_variant(session: Session, shop: dict) -> None:
    by_offer = figures.funnel(session, _march(session, shop["business"], offer_id=shop["offer"]))
    assert {s.name: s.value for s in by_offer.steps}["scanned"] == 11  # not the unreadable one
    b = figures.funnel(
        session, _march(session, shop["business"], offer_id=shop["offer"], variant=2)
    )
    values = {s.name: s.value for s in b.steps}
    assert (values["distributed"], values["scanned"], values["redeemed"]) == (60, 4, 3)


def test_roi_over_time_by_hand(session: Session, shop: dict) -> None:
    scope = make_scope(
        session,
        business_id=shop["business"],
        first_day=date(2025, 2, 1),
        last_day=date(2025, 3, 31),
    )
    feb, mar = figures.roi_over_time(session, scope, "month")
    # February: 2 × 50.000 − 2 × 5.000 − (150.000 + 93.000)
    assert feb.roi.estimated_value == 100_000 and feb.roi.investment == 243_000
    assert feb.roi.estimated_roi == pytest.approx((100_000 - 10_000 - 243_000) / 243_000)
    # March: 8 × 50.000; discount 8 × 5.000 + 8.000 − 5.000 (the void) = 43.000; paid 93.000
    assert mar.roi.estimated_value == 400_000 and mar.roi.discount_cost == 43_000
    assert mar.roi.estimated_roi == pytest.approx((400_000 - 43_000 - 93_000) / 93_000)
    assert mar.roi.recorded_value == 80_000 and mar.roi.recorded_redemptions == 1
    assert mar.roi.recorded_roi == pytest.approx((80_000 - 8_000 - 93_000) / 93_000)


def test_hour_weekday_and_kiosks_by_hand(session: Session, shop: dict) -> None:
    scope = _march(session, shop["business"])
    grid = figures.hour_weekday(session, scope)
    assert grid.redeemed[0][10] == 3  # Monday 10:00: four, one voided
    assert grid.redeemed[5][18] == 5  # Saturday 18:00
    assert sum(map(sum, grid.redeemed)) == 8
    assert grid.busiest == ((5, 18, 5), (0, 10, 3))
    kiosks = figures.per_kiosk(session, scope)
    assert [(k.name, k.scanned, k.refused, k.redeemed, k.voided) for k in kiosks] == [
        ("Caja 2", 5, 0, 5, 0),
        ("Caja 1", 7, 3, 3, 1),
    ]
    only_k1 = figures.hour_weekday(session, scope, device_id=shop["k1"])
    assert sum(map(sum, only_k1.redeemed)) == 3


def test_ab_rates_wait_for_the_planned_sample(session: Session, shop: dict) -> None:
    (offer,) = figures.ab_results(session, _march(session, shop["business"]))
    a, b = offer.result.variants
    assert (a.label, a.in_circulation, a.redeemed) == ("A", 80, 5)
    assert (b.label, b.in_circulation, b.redeemed) == ("B", 60, 3)
    assert offer.result.verdict is Verdict.NOT_ENOUGH_DATA


def test_ranking_puts_a_business_without_payments_last(session: Session, shop: dict) -> None:
    scope = _march(session, shop["business"])
    ranked = figures.ranking(session, scope.period)
    assert [r.name for r in ranked] == ["Panadería Ñandutí", "Ferretería Sin Datos"]
    assert ranked[1].roi.estimated_roi is None


def test_head_office_sees_every_business_added_up_by_hand(
    session: Session, shop: dict, kit: Kit
) -> None:
    """The all-business view reads the rollups without business and kiosk (and offer) keys;
    its figures are the two businesses' added up."""
    other, sat = shop["other"], date(2025, 3, 8)
    till = kit.kiosk(other, "Caja Ferretería").device_id

    def event(kind: LifecycleKind, **kw: object) -> LifecycleDraft:
        return LifecycleDraft(
            f"o:{next(_ids)}", kind, _at(sat, 18), business_id=other, device_id=till, **kw
        )  # type: ignore[arg-type]

    ledger.record(
        session,
        [
            event(K.SCANNED),
            event(K.REDEEMED, discount=2_000),
            event(K.SCANNED, reason="expired"),
        ],
        CALENDAR,
    )
    session.commit()
    scope = make_scope(
        session, business_id=None, first_day=date(2025, 3, 1), last_day=date(2025, 3, 31)
    )
    values = {s.name: s.value for s in figures.funnel(session, scope).steps}
    assert (values["distributed"], values["scanned"], values["redeemed"]) == (140, 14, 9)
    assert figures.funnel(session, scope).refused_by_reason == {"expired": 3, "malformed": 1}
    grid = figures.hour_weekday(session, scope)
    assert grid.redeemed[5][18] == 6 and grid.redeemed[0][10] == 3
    kiosks = figures.per_kiosk(session, scope)
    assert [(k.name, k.scanned, k.refused, k.redeemed) for k in kiosks] == [
        ("Panadería Ñandutí — Caja 2", 5, 0, 5),
        ("Panadería Ñandutí — Caja 1", 7, 3, 3),
        ("Ferretería Sin Datos — Caja Ferretería", 2, 1, 1),
    ]
    ranked = {r.name: r.roi for r in figures.ranking(session, scope.period)}
    assert ranked["Panadería Ñandutí"].estimated_value == 400_000  # as its own ROI above
    assert ranked["Ferretería Sin Datos"].redemptions == 1
    assert ranked["Ferretería Sin Datos"].discount_cost == 2_000


def test_a_business_with_no_data_has_empty_figures(session: Session, shop: dict) -> None:
    scope = _march(session, shop["other"])
    funnel = figures.funnel(session, scope)
    assert not funnel.has_data and funnel.refused_by_reason == {}
    assert figures.per_kiosk(session, scope) == []
    assert figures.ab_results(session, scope) == []


@pytest.mark.parametrize(
    ("first", "last", "error"),
    [
        (date(2025, 3, 31), date(2025, 3, 1), Unprocessable),  # reversed
        (date(2020, 1, 1), date(2025, 3, 1), Unprocessable),  # over three years
    ],
)
def test_bad_ranges_are_refused(
    session: Session, shop: dict, first: date, last: date, error: type[Exception]
) -> None:
    with pytest.raises(error):
        make_scope(session, business_id=shop["business"], first_day=first, last_day=last)


def test_unknown_and_foreign_offers_are_refused(session: Session, shop: dict, kit: Kit) -> None:
    foreign = kit.offer(shop["other"])
    for offer in (999_999, foreign):
        with pytest.raises(NotFound):
            _march(session, shop["business"], offer_id=offer)
    with pytest.raises(NotFound):
        make_scope(
            session, business_id=424242, first_day=date(2025, 3, 1), last_day=date(2025, 3, 2)
        )
    assert session.get(Business, shop["business"]) is not None
