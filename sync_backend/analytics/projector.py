"""Turns what kiosks pushed into lifecycle events, after the push, off its hot path.

Why a projector and not the push's own transaction: the push path is tuned for throughput
(docs/benchmarks.md, ``pika-bench ingest``), and every kiosk of a business would update the
same rollup rows, so rollups written there would serialise a business's pushes on one row
lock. Instead this reads the redemptions change feed (``txid``/``seq``, the order kiosks pull
in, only rows of finished transactions) a batch at a time, records the events and rolls them
up in one transaction with its cursor: nothing is counted twice or skipped, and a redemption
shows in the dashboard about one loop interval after its push (``freshness_s`` in
``pika-bench analytics``).

It also rolls up the events head office's requests appended (print runs, distributions) once
their transactions have finished, and records expiries: an offer whose ``valid_until`` passed
more than :data:`EXPIRY_GRACE` ago gets, per variant, the copies printed and never redeemed.
The grace lets offline kiosks upload scans made before the end.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from pika_protocol.discounts import DiscountKind
from pika_protocol.sync_wire import ItemOutcome
from sync_backend.analytics import rollups
from sync_backend.analytics.ledger import record
from sync_backend.analytics.lifecycle import BusinessCalendar, LifecycleDraft, LifecycleKind
from sync_backend.analytics.money import MoneyInputError, check_sale_total, discount_given
from sync_backend.dialects import dialect_of
from sync_backend.models import (
    AnalyticsCursor,
    Business,
    LifecycleEvent,
    Offer,
    Redemption,
    Voucher,
)

CURSOR_NAME = "redemptions"
HEAD_OFFICE_CURSOR = "head_office_events"
BATCH = 2000
EXPIRY_GRACE = timedelta(days=3)
_REDEEMED = (ItemOutcome.ACCEPTED.value, ItemOutcome.CONFLICT.value)

_COLUMNS = (
    Redemption.txid,
    Redemption.seq,
    Redemption.id,
    Redemption.kind,
    Redemption.outcome,
    Redemption.business_id,
    Redemption.device_id,
    Redemption.offer_id,
    Redemption.variant,
    Redemption.kiosk_reason,
    Redemption.server_reason,
    Redemption.scanned_at,
    Redemption.sale_total,
    Redemption.voided_at,
    Redemption.voided_by,
)


@dataclass(frozen=True)
class _Pricing:
    """What a redemption's discount is worth: the offer's discount and the usual ticket."""

    offers: dict[int, tuple[DiscountKind, int | None]]
    usual_ticket: dict[int, int | None]

    def plausible_sale(self, business_id: int, sale_total: int | None) -> int | None:
        """The typed total, or None when it cannot be right (over 100 usual tickets: a slipped
        key). The redemption keeps the figure as typed; analytics does not count it."""
        if sale_total is None:
            return None
        try:
            check_sale_total(sale_total, self.usual_ticket.get(business_id))
        except MoneyInputError:
            return None
        return sale_total

    def discount(
        self, offer_id: int | None, business_id: int, sale_total: int | None
    ) -> int | None:
        if offer_id is None or offer_id not in self.offers:
            return None
        kind, value = self.offers[offer_id]
        ticket = self.usual_ticket.get(business_id)
        if sale_total is None and ticket is None:
            return None  # nothing to take a share of: counted as unvalued
        return discount_given(kind, value, sale_total=sale_total, usual_ticket=ticket or 0)


def _pricing(session: Session, rows: Sequence[Any]) -> _Pricing:
    offer_ids = {r.offer_id for r in rows if r.offer_id is not None}
    business_ids = {r.business_id for r in rows}
    offers = {
        o.id: (DiscountKind(o.discount_kind), o.discount_value)
        for o in session.execute(
            sa.select(Offer.id, Offer.discount_kind, Offer.discount_value).where(
                Offer.id.in_(offer_ids)
            )
        )
    }
    tickets = dict(
        session.execute(
            sa.select(Business.id, Business.usual_ticket).where(Business.id.in_(business_ids))
        ).all()
    )
    return _Pricing(offers, tickets)


def drafts_for(row: Any, pricing: _Pricing) -> list[LifecycleDraft]:
    """The events one pushed row stands for (its scan, its redemption, its void)."""
    common = {
        "business_id": row.business_id,
        "offer_id": row.offer_id,
        "variant": row.variant,
        "device_id": row.device_id,
    }
    redeemed = row.kind == "redemption" and row.outcome in _REDEEMED
    reason = None
    if not redeemed:
        reason = row.server_reason if row.server_reason != "valid" else row.kiosk_reason
    drafts = [
        LifecycleDraft(
            f"scan:{row.id}", LifecycleKind.SCANNED, row.scanned_at, reason=reason, **common
        )
    ]
    if not redeemed:
        return drafts
    sale = pricing.plausible_sale(row.business_id, row.sale_total)
    money: dict[str, Any] = {
        "sale_total": sale,
        "discount": pricing.discount(row.offer_id, row.business_id, sale),
    }
    drafts.append(
        LifecycleDraft(
            f"redeem:{row.id}", LifecycleKind.REDEEMED, row.scanned_at, **common, **money
        )
    )
    if row.voided_by is not None and row.voided_at is not None:
        drafts.append(
            LifecycleDraft(
                f"void:{row.voided_by}", LifecycleKind.VOIDED, row.voided_at, **common, **money
            )
        )
    return drafts


def _cursor(session: Session, name: str) -> tuple[int, int]:
    row = session.get(AnalyticsCursor, name)
    if row is None:
        session.add(AnalyticsCursor(name=name, last_txid=-1, last_seq=-1))
        session.flush()
        return (-1, -1)
    return (row.last_txid, row.last_seq)


def _move_cursor(session: Session, name: str, txid: int, seq: int) -> None:
    session.execute(
        sa.update(AnalyticsCursor)
        .where(AnalyticsCursor.name == name)
        .values(last_txid=txid, last_seq=seq)
    )


def project_redemptions(session: Session, calendar: BusinessCalendar) -> int:
    """Record the events of every pushed row not read yet; returns how many were new."""
    new = 0
    horizon = dialect_of(session).feed_horizon(session)
    while True:
        after_txid, after_seq = _cursor(session, CURSOR_NAME)
        rows = session.execute(
            sa.select(*_COLUMNS)
            .where(
                sa.tuple_(Redemption.txid, Redemption.seq)
                > sa.tuple_(sa.literal(after_txid), sa.literal(after_seq)),
                Redemption.txid < horizon,
            )
            .order_by(Redemption.txid, Redemption.seq)
            .limit(BATCH)
        ).all()
        if not rows:
            return new
        pricing = _pricing(session, rows)
        new += record(session, [d for r in rows for d in drafts_for(r, pricing)], calendar)
        _move_cursor(session, CURSOR_NAME, rows[-1].txid, rows[-1].seq)
        if len(rows) < BATCH:
            return new


_ROLLED_UP_COLUMNS = tuple(
    getattr(LifecycleEvent, c)
    for c in (
        "kind",
        "business_id",
        "local_day",
        "local_hour",
        "offer_id",
        "variant",
        "device_id",
        "quantity",
        "reason",
        "sale_total",
        "discount",
    )
)


def roll_up_head_office_events(session: Session) -> int:
    """Roll up the events head office's requests appended (print runs, distributions), once
    their transactions have finished; returns how many."""
    done = 0
    horizon = dialect_of(session).feed_horizon(session)
    kinds = [LifecycleKind.PRINTED.value, LifecycleKind.DISTRIBUTED.value]
    while True:
        after_txid, after_id = _cursor(session, HEAD_OFFICE_CURSOR)
        rows = session.execute(
            sa.select(LifecycleEvent.txid, LifecycleEvent.id, *_ROLLED_UP_COLUMNS)
            .where(
                LifecycleEvent.kind.in_(kinds),
                sa.tuple_(LifecycleEvent.txid, LifecycleEvent.id)
                > sa.tuple_(sa.literal(after_txid), sa.literal(after_id)),
                LifecycleEvent.txid < horizon,
            )
            .order_by(LifecycleEvent.txid, LifecycleEvent.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return done
        rollups.apply(session, [dict(r._mapping) for r in rows])
        _move_cursor(session, HEAD_OFFICE_CURSOR, rows[-1].txid, rows[-1].id)
        done += len(rows)
        if len(rows) < BATCH:
            return done


def record_expiries(session: Session, calendar: BusinessCalendar, now: datetime) -> int:
    """Per variant of each offer ended more than the grace ago: copies never redeemed."""
    ended = session.execute(
        sa.select(Offer.id, Offer.business_id, Offer.valid_until).where(
            Offer.valid_until < now - EXPIRY_GRACE
        )
    ).all()
    if not ended:
        return 0
    done = set(
        session.execute(
            sa.select(LifecycleEvent.offer_id)
            .where(LifecycleEvent.kind == LifecycleKind.EXPIRED.value)
            .distinct()
        ).scalars()
    )
    drafts = []
    for offer_id, business_id, valid_until in ended:
        if offer_id in done:
            continue
        printed = dict(
            session.execute(
                sa.select(Voucher.variant, sa.func.count())
                .where(Voucher.offer_id == offer_id)
                .group_by(Voucher.variant)
            ).all()
        )
        redeemed = dict(
            session.execute(
                sa.select(Redemption.variant, sa.func.count())
                .where(
                    Redemption.offer_id == offer_id,
                    Redemption.kind == "redemption",
                    Redemption.outcome == ItemOutcome.ACCEPTED.value,
                    Redemption.voided_at.is_(None),
                )
                .group_by(Redemption.variant)
            ).all()
        )
        for variant, copies in printed.items():
            # recorded even at 0 copies: the offer is then known as swept
            left = max(0, copies - redeemed.get(variant, 0))
            drafts.append(
                LifecycleDraft(
                    f"expiry:{offer_id}:{variant}",
                    LifecycleKind.EXPIRED,
                    valid_until,
                    business_id=business_id,
                    offer_id=offer_id,
                    variant=variant,
                    quantity=left,
                )
            )
    return record(session, drafts, calendar)
