"""The outbox room (``store.outbox``): what waits to be pushed to head office, and its answers.

A row is queued by the counter-activity room in the same transaction as the scan or void it
reports (:func:`queue`), so a recorded scan always has its outbox item; this room reads the
queue for the sync engine and keeps what the server answered. Nothing is ever deleted: an
item stays ``pending`` until the server answers it for good (then ``done``, with the answer
kept for the history), and an item the server fails on alone is *set aside* (kept pending,
out of the push queue) rather than dropped. A new redemption's item may be *held* for a
moment (``held_until``): it is recorded with its scan, but waits while the cashier may type the
sale total that travels with it, then is let go (:func:`release`), at the latest when the hold
runs out. The row's payload is typed
(:mod:`app.core.store.outbox_payload`): it carries the very wire item that is pushed.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, Select, bindparam, func, or_, select, update

from app.core.store import schema
from app.core.store.database import Database, chunks, utc_now
from app.core.store.errors import InvalidRecordError
from app.core.store.outbox_payload import OutboxPayload, dump, load
from app.core.store.records import OutboxItem, OutboxKind, OutboxState, require_utc_aware
from app.core.store.settings import SettingKey, Settings

_INSERT_OUTBOX = schema.outbox.insert()


def queue(
    conn: Connection,
    item_id: uuid.UUID,
    kind: OutboxKind,
    payload: OutboxPayload,
    *,
    held_until: datetime | None = None,
) -> None:
    """Queue one item inside the caller's transaction (the scan or void it reports);
    ``held_until`` keeps it out of the push until then (a redemption whose sale total the
    cashier may still type) unless :func:`release` lets it go first."""
    conn.execute(
        _INSERT_OUTBOX,
        {
            "item_id": item_id,
            "kind": kind.value,
            "payload": dump(payload),
            "created_at": utc_now(),
            "attempts": 0,
            "state": OutboxState.PENDING.value,
            "last_error": None,
            "held_until": held_until,
        },
    )


def release(conn: Connection, item_ids: Iterable[uuid.UUID] | None = None) -> int:
    """Let held items go to the push (these, or every held one), in the caller's transaction;
    return how many were held."""
    o = schema.outbox
    stmt = update(o).where(o.c.held_until.is_not(None)).values(held_until=None)
    if item_ids is None:
        return conn.execute(stmt).rowcount
    chosen = chunks(list(item_ids))
    return sum(conn.execute(stmt.where(o.c.item_id.in_(chunk))).rowcount for chunk in chosen)


def is_held(conn: Connection, item_id: uuid.UUID, now: datetime) -> bool:
    """Whether the item is pending and still held at ``now`` (not pushed, not let go)."""
    o = schema.outbox
    row = conn.execute(
        select(o.c.held_until).where(
            o.c.item_id == item_id, o.c.state == OutboxState.PENDING.value
        )
    ).first()
    return row is not None and row.held_until is not None and row.held_until > now


class Outbox:
    """The push queue on the store's connection; the sync engine's only way into it."""

    def __init__(self, db: Database, settings: Settings) -> None:
        self._db = db
        self._settings = settings

    def pending_count(self) -> int:
        """Items in the push queue (set-aside items are counted apart: :meth:`set_aside_count`)."""
        o = schema.outbox
        with self._db.transaction() as conn:
            count = conn.execute(
                select(func.count())
                .select_from(o)
                .where(o.c.state == OutboxState.PENDING.value, o.c.set_aside_at.is_(None))
            ).scalar_one()
        return int(count)

    def set_aside_count(self) -> int:
        """Items kept out of the push queue because the server fails on them (still unsent)."""
        o = schema.outbox
        with self._db.transaction() as conn:
            count = conn.execute(
                select(func.count())
                .select_from(o)
                .where(o.c.state == OutboxState.PENDING.value, o.c.set_aside_at.is_not(None))
            ).scalar_one()
        return int(count)

    def waiting(self) -> tuple[int, datetime | None]:
        """Every item not yet answered for good (set-aside ones too) and when the oldest was
        queued: what the kiosk tells head office with each pull (``sync_wire.OUTBOX_HEADER``)."""
        o = schema.outbox
        with self._db.transaction() as conn:
            count, oldest = conn.execute(
                select(func.count(), func.min(o.c.created_at)).where(
                    o.c.state == OutboxState.PENDING.value
                )
            ).one()
        return int(count), oldest

    def pending(
        self,
        limit: int = 100,
        *,
        excluding: Iterable[uuid.UUID] = (),
        include_held: bool = False,
    ) -> list[OutboxItem]:
        """The oldest items in the push queue (not set aside), still waiting for a final answer;
        ``excluding`` leaves out a few (the ones the sync pass is still judging). Items held
        for their sale total are left out until they are let go or their hold runs out, unless
        ``include_held`` (they are unsent all the same)."""
        o = schema.outbox
        query = select(o).where(o.c.state == OutboxState.PENDING.value, o.c.set_aside_at.is_(None))
        if not include_held:
            query = query.where(or_(o.c.held_until.is_(None), o.c.held_until <= utc_now()))
        return self._oldest(query, limit, excluding)

    def release_held(self) -> int:
        """Let every held item go (a kiosk starting has no prompt open); return how many."""
        with self._db.transaction() as conn:
            return release(conn)

    def set_aside_items(
        self,
        limit: int = 100,
        *,
        set_aside_by: datetime | None = None,
        excluding: Iterable[uuid.UUID] = (),
    ) -> list[OutboxItem]:
        """Set-aside items, oldest first; with ``set_aside_by``, only those set aside then or
        earlier (due for their next try alone); ``excluding`` leaves out a few."""
        o = schema.outbox
        query = select(o).where(
            o.c.state == OutboxState.PENDING.value, o.c.set_aside_at.is_not(None)
        )
        if set_aside_by is not None:
            require_utc_aware("set_aside_by", set_aside_by)
            query = query.where(o.c.set_aside_at <= set_aside_by)
        return self._oldest(query, limit, excluding)

    def _oldest(
        self, query: Select[Any], limit: int, excluding: Iterable[uuid.UUID]
    ) -> list[OutboxItem]:
        """Run an outbox ``query``: oldest first, at most ``limit``, without ``excluding``."""
        o = schema.outbox
        left_out = list(excluding)
        if left_out:
            query = query.where(o.c.item_id.not_in(left_out))
        query = query.order_by(o.c.created_at, o.c.item_id).limit(max(0, int(limit)))
        with self._db.transaction() as conn:
            rows = conn.execute(query).all()
        business_id = self._business_id()
        return [_outbox_item(row, business_id) for row in rows]

    def set_aside(self, problems: Mapping[uuid.UUID, str], *, at: datetime) -> int:
        """Keep these pending items out of the push queue from ``at`` on, each with the problem
        the server had with it (the failed tries were counted by :meth:`attempt_failed`).
        Nothing is deleted: the item stays pending, and is set aside again, with the new time,
        when a later try alone fails. Returns how many changed."""
        require_utc_aware("at", at)
        o = schema.outbox
        stmt = (
            update(o)
            .where(o.c.item_id == bindparam("aside_id"))
            .where(o.c.state == OutboxState.PENDING.value)
            .values(last_error=bindparam("problem"), set_aside_at=at)
        )
        changed = 0
        with self._db.transaction() as conn:
            for item_id, problem in problems.items():
                params = {"aside_id": item_id, "problem": str(problem)[:500]}
                changed += conn.execute(stmt, params).rowcount
        return changed

    def mark_answered(self, answers: Mapping[uuid.UUID, str]) -> int:
        """Mark items the server answered for good, with its answer (accepted, duplicate,
        conflict, or a 4xx rejection code). Only these leave the queue; the row and the answer
        stay for the history. Returns how many were still pending."""
        for item_id, result in answers.items():
            if not isinstance(item_id, uuid.UUID) or not isinstance(result, str) or not result:
                raise InvalidRecordError(f"an answer needs a UUID and a result code: {item_id!r}")
        o = schema.outbox
        stmt = (
            update(o)
            .where(o.c.item_id == bindparam("answered_id"))
            .where(o.c.state == OutboxState.PENDING.value)
            .values(
                state=OutboxState.DONE.value,
                attempts=o.c.attempts + 1,
                server_result=bindparam("result"),
            )
        )
        done = 0
        with self._db.transaction() as conn:
            for item_id, result in answers.items():
                done += conn.execute(stmt, {"answered_id": item_id, "result": result}).rowcount
        return done

    def attempt_failed(self, item_ids: Sequence[uuid.UUID], error: str) -> None:
        """Note a try that got no final answer (5xx, broken connection): items stay pending."""
        o = schema.outbox
        with self._db.transaction() as conn:
            for chunk in chunks(list(item_ids)):
                conn.execute(
                    update(o)
                    .where(o.c.item_id.in_(chunk), o.c.state == OutboxState.PENDING.value)
                    .values(attempts=o.c.attempts + 1, last_error=str(error)[:500])
                )

    def _business_id(self) -> int | None:
        """The kiosk's business, named in items whose row names none (see outbox_payload)."""
        text = self._settings.get(SettingKey.BUSINESS_ID)
        return int(text) if text and text.isdigit() else None


def _outbox_item(row: Row[Any], business_id: int | None) -> OutboxItem:
    kind = OutboxKind(row.kind)
    return OutboxItem(
        item_id=row.item_id,
        kind=kind,
        payload=load(kind, row.item_id, row.payload, business_id=business_id),
        created_at=row.created_at,
        attempts=row.attempts,
        state=OutboxState(row.state),
        last_error=row.last_error,
        server_result=row.server_result,
        set_aside_at=row.set_aside_at,
        held_until=row.held_until,
    )
