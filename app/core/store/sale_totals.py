"""The sale-totals room (``store.sale_totals``): closing the prompt of a held redemption.

A valid scan is recorded at once, redemption and outbox item together
(:meth:`app.core.store.activity.CounterActivity.record_scan` with ``hold_for``); its item is
only *held* while the cashier may type the sale total. Closing the prompt settles it in one
transaction: the total (if any) goes into the redemption row and into the held wire item,
an event says so, and the item is let go to the push. An item no longer held (its hold ran
out, the kiosk restarted, it was voided) is left exactly as it is: a total typed too late is
not stored, so the kiosk never holds a figure head office was not sent.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select, update

from app.core.store import schema
from app.core.store.column_types import to_iso_utc
from app.core.store.database import INSERT_EVENT, Database, utc_now
from app.core.store.errors import InvalidRecordError
from app.core.store.outbox import is_held, release
from app.core.store.outbox_payload import QueuedScan, dump, load
from app.core.store.records import OutboxKind, require_utc_aware
from pika_protocol import sync_wire
from pika_protocol.discounts import MAX_AMOUNT


class SaleTotalAnswer(StrEnum):
    """What closing a prompt did."""

    RECORDED = "recorded"  # the total is stored and travels with the redemption
    SKIPPED = "skipped"  # no total: the redemption goes without one
    TOO_LATE = "too_late"  # no longer held (sent, restarted, voided): nothing changed


class SaleTotals:
    """Settles held redemptions on the store's connection."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def settle(
        self, redemption_id: uuid.UUID, total: int | None, *, at: datetime
    ) -> SaleTotalAnswer:
        """Close the prompt of ``redemption_id`` with ``total`` (guaraníes) or none."""
        if not isinstance(redemption_id, uuid.UUID):
            raise InvalidRecordError(f"redemption_id must be a UUID, got {redemption_id!r}")
        if total is not None and (
            isinstance(total, bool) or not isinstance(total, int) or not 0 < total <= MAX_AMOUNT
        ):
            raise InvalidRecordError(f"a sale total is whole guaraníes above 0, got {total!r}")
        require_utc_aware("at", at)
        r, o = schema.redemptions, schema.outbox
        with self._db.transaction() as conn:
            if not is_held(conn, redemption_id, utc_now()):
                return SaleTotalAnswer.TOO_LATE
            if total is None:
                release(conn, [redemption_id])
                return SaleTotalAnswer.SKIPPED
            live = conn.execute(
                update(r)
                .where(
                    r.c.redemption_id == redemption_id,
                    r.c.origin == "local",
                    r.c.voided_at.is_(None),
                )
                .values(sale_total=total)
            ).rowcount
            stored = conn.execute(
                select(o.c.kind, o.c.payload).where(o.c.item_id == redemption_id)
            ).one()
            if not live or stored.kind != OutboxKind.REDEMPTION.value:
                release(conn, [redemption_id])
                return SaleTotalAnswer.TOO_LATE
            payload = load(OutboxKind.REDEMPTION, redemption_id, stored.payload, business_id=None)
            if isinstance(payload, QueuedScan):
                item = sync_wire.OutboxItem.model_validate(
                    {**payload.item.model_dump(), "sale_total": total}
                )
                written = dump(replace(payload, item=item))
            else:  # never sendable (a wild clock): the figure is kept beside it all the same
                written = {**dump(payload), "sale_total": total}
            conn.execute(
                update(o)
                .where(o.c.item_id == redemption_id)
                .values(payload=written, held_until=None)
            )
            conn.execute(
                INSERT_EVENT,
                {
                    "at": at,
                    "type": "redemption.sale_total",
                    "payload": {
                        "redemption_id": str(redemption_id),
                        "sale_total": total,
                        "typed_at": to_iso_utc(at),
                    },
                },
            )
        return SaleTotalAnswer.RECORDED
