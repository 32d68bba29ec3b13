"""Every query of the push and pull paths.

The push path is set-based on Postgres: one query reads the server state for a whole batch
(vouchers, accepted redemptions of its serials, item ids already stored) and one
``INSERT ... SELECT FROM unnest(...) ON CONFLICT DO NOTHING RETURNING id`` writes it, so a batch
costs the same round trips whatever its size, with no ORM object per row. The partial unique
index ``uq_redemptions_accepted_serial`` is what guarantees one accepted redemption per serial;
a row it refuses simply does not come back from RETURNING and is re-filed as a conflict.
SQLite (demo) runs the same decisions through plain SQLAlchemy Core statements.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.core.validation import PriorRedemption
from sync_backend.db import is_postgres, next_seqs
from sync_backend.models import Device, Event, IdempotencyKey, Redemption, Voucher


@dataclass(frozen=True, slots=True)
class StoredItem:
    outcome: str
    server_reason: str
    conflict_with: uuid.UUID | None


@dataclass(slots=True)
class BatchState:
    """What the server knows about a batch's serials and item ids before deciding."""

    printed_tokens: dict[int, str] = field(default_factory=dict)
    revoked: set[int] = field(default_factory=set)
    accepted: dict[int, PriorRedemption] = field(default_factory=dict)
    existing: dict[uuid.UUID, StoredItem] = field(default_factory=dict)


_PG_STATE = sa.text(
    """
    SELECT 1, v.serial, NULL::uuid, v.token, NULL::text, v.revoked_at IS NOT NULL,
           NULL::timestamptz, NULL::uuid
      FROM vouchers v WHERE v.serial = ANY(CAST(:serials AS bigint[]))
    UNION ALL
    SELECT 2, r.serial, r.id, r.device_id, d.name, NULL, r.scanned_at, NULL
      FROM redemptions r JOIN devices d ON d.id = r.device_id
     WHERE r.outcome = 'accepted' AND r.serial = ANY(CAST(:serials AS bigint[]))
    UNION ALL
    SELECT 3, NULL, r.id, r.outcome, r.server_reason, NULL, NULL, r.conflict_with
      FROM redemptions r WHERE r.id = ANY(CAST(:ids AS uuid[]))
    """
)


def batch_state(session: Session, serials: Sequence[int], ids: Sequence[uuid.UUID]) -> BatchState:
    state = BatchState()
    if is_postgres(session):
        rows: Any = session.execute(_PG_STATE, {"serials": list(serials), "ids": list(ids)})
        for kind, serial, rid, t1, t2, flag, ts, u2 in rows:
            if kind == 1:
                state.printed_tokens[serial] = t1
                if flag:
                    state.revoked.add(serial)
            elif kind == 2:
                state.accepted[serial] = PriorRedemption(str(rid), ts, t1, t2)
            else:
                state.existing[rid] = StoredItem(t1, t2, u2)
        return state
    for serial, token, revoked_at in session.execute(
        sa.select(Voucher.serial, Voucher.token, Voucher.revoked_at).where(
            Voucher.serial.in_(serials)
        )
    ):
        state.printed_tokens[serial] = token
        if revoked_at is not None:
            state.revoked.add(serial)
    for serial, rid, device_id, name, scanned_at in session.execute(
        sa.select(
            Redemption.serial,
            Redemption.id,
            Redemption.device_id,
            Device.name,
            Redemption.scanned_at,
        )
        .join(Device, Device.id == Redemption.device_id)
        .where(Redemption.outcome == "accepted", Redemption.serial.in_(serials))
    ):
        if serial is not None:
            state.accepted[serial] = PriorRedemption(str(rid), scanned_at, device_id, name)
    state.existing.update(stored_items(session, ids))
    return state


def stored_items(session: Session, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, StoredItem]:
    if not ids:
        return {}
    rows = session.execute(
        sa.select(
            Redemption.id, Redemption.outcome, Redemption.server_reason, Redemption.conflict_with
        ).where(Redemption.id.in_(list(ids)))
    )
    return {r[0]: StoredItem(r[1], r[2], r[3]) for r in rows}


def accepted_for(session: Session, serials: Sequence[int]) -> dict[int, uuid.UUID]:
    if not serials:
        return {}
    rows = session.execute(
        sa.select(Redemption.serial, Redemption.id).where(
            Redemption.outcome == "accepted", Redemption.serial.in_(list(serials))
        )
    )
    return {r[0]: r[1] for r in rows if r[0] is not None}


#: Columns of a pushed row in ``unnest`` order, with their Postgres array types.
ROW_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "uuid"),
    ("kind", "text"),
    ("outcome", "text"),
    ("business_id", "integer"),
    ("device_id", "text"),
    ("serial", "bigint"),
    ("offer_id", "bigint"),
    ("voucher_business_id", "bigint"),
    ("variant", "smallint"),
    ("token", "text"),
    ("source", "text"),
    ("kiosk_reason", "text"),
    ("server_reason", "text"),
    ("conflict_with", "uuid"),
    ("scanned_at", "timestamptz"),
    ("received_at", "timestamptz"),
    ("clock_skew_s", "integer"),
    ("latitude", "double precision"),
    ("longitude", "double precision"),
)

_PG_INSERT = sa.text(
    "INSERT INTO redemptions ({cols}) SELECT * FROM unnest({arrays}) "
    "ON CONFLICT DO NOTHING RETURNING id".format(
        cols=", ".join(name for name, _ in ROW_COLUMNS),
        arrays=", ".join(f"CAST(:{name} AS {pg}[])" for name, pg in ROW_COLUMNS),
    )
)


def insert_items(session: Session, rows: Sequence[dict[str, Any]]) -> set[uuid.UUID]:
    """Insert pushed rows; returns the ids that went in (the others hit a unique index)."""
    if not rows:
        return set()
    if is_postgres(session):
        columns = {name: [r[name] for r in rows] for name, _ in ROW_COLUMNS}
        return {r[0] for r in session.execute(_PG_INSERT, columns)}
    inserted: set[uuid.UUID] = set()
    for row, seq in zip(rows, next_seqs(session, len(rows)), strict=True):
        got = session.execute(
            sqlite_insert(Redemption)
            .values(**row, seq=seq, txid=0)
            .on_conflict_do_nothing()
            .returning(Redemption.id)
        ).first()
        if got is not None:
            inserted.add(got[0])
    return inserted


def finish_batch(
    session: Session,
    *,
    device_id: str,
    key: str,
    status_code: int,
    body: bytes,
    event: dict[str, Any],
) -> None:
    """Store the answer for the Idempotency-Key and log the batch, in one statement on Postgres."""
    if is_postgres(session):
        session.execute(
            sa.text(
                """
                WITH logged AS (
                    INSERT INTO events
                        (occurred_at, kind, business_id, actor, subject, payload)
                    VALUES (:occurred_at, :kind, :business_id, :actor, :subject,
                            CAST(:payload AS jsonb))
                )
                UPDATE idempotency_keys SET status_code = :status_code, response_body = :body
                 WHERE device_id = :device_id AND key = :key
                """
            ),
            {**event, "status_code": status_code, "body": body, "device_id": device_id, "key": key},
        )
        return
    import json

    session.execute(sa.insert(Event).values(**{**event, "payload": json.loads(event["payload"])}))
    session.execute(
        sa.update(IdempotencyKey)
        .where(IdempotencyKey.device_id == device_id, IdempotencyKey.key == key)
        .values(status_code=status_code, response_body=body)
    )


# ---------------------------------------------------------------- pull


@dataclass(frozen=True, slots=True)
class FeedPosition:
    txid: int
    seq: int

    def encode(self) -> str:
        return f"{self.txid}.{self.seq}"

    @classmethod
    def decode(cls, text: str | None) -> FeedPosition:
        if not text:
            return cls(-1, -1)
        txid, _, seq = text.partition(".")
        return cls(int(txid), int(seq))


def feed(
    session: Session,
    model: Any,
    *,
    after: FeedPosition,
    horizon: int,
    limit: int,
    where: Sequence[sa.ColumnElement[bool]] = (),
) -> list[Any]:
    """Rows of ``model`` changed after ``after``, in ``(txid, seq)`` order, final ones only."""
    position = sa.tuple_(model.txid, model.seq) > sa.tuple_(
        sa.literal(after.txid), sa.literal(after.seq)
    )
    query = (
        sa.select(model)
        .where(position, model.txid < horizon, *where)
        .order_by(model.txid, model.seq)
        .limit(limit)
    )
    return list(session.scalars(query))
