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

import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from pydantic_core import to_json
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from pika_protocol.validation import PriorRedemption
from sync_backend.db import next_seqs, pg_driver, txid_expr
from sync_backend.errors import Unprocessable
from sync_backend.models import Device, Event, IdempotencyKey, Redemption, Voucher
from sync_backend.pg_types import fits_bigint


@dataclass(frozen=True, slots=True)
class StoredItem:
    outcome: str
    server_reason: str
    conflict_with: uuid.UUID | None


@dataclass(slots=True)
class BatchState:
    """What the server knows about a batch's serials and item ids before deciding."""

    #: SHA-256 of each printed copy's signed bytes (``vouchers.token_sha256``), by serial.
    printed: dict[int, bytes] = field(default_factory=dict)
    revoked: set[int] = field(default_factory=set)
    accepted: dict[int, PriorRedemption] = field(default_factory=dict)
    existing: dict[uuid.UUID, StoredItem] = field(default_factory=dict)


_PG_STATE = """
    SELECT 1, v.serial, NULL::uuid, NULL::text, NULL::text, v.revoked_at IS NOT NULL,
           NULL::timestamptz, NULL::uuid, v.token_sha256
      FROM vouchers v WHERE v.serial = ANY(CAST(%(serials)s AS bigint[]))
    UNION ALL
    SELECT 2, r.serial, r.id, r.device_id, d.name, NULL, r.scanned_at, NULL, NULL
      FROM redemptions r JOIN devices d ON d.id = r.device_id
     WHERE r.outcome = 'accepted' AND r.voided_at IS NULL
       AND r.serial = ANY(CAST(%(serials)s AS bigint[]))
    UNION ALL
    SELECT 3, NULL, r.id, r.outcome, r.server_reason, NULL, NULL, r.conflict_with, NULL
      FROM redemptions r WHERE r.id = ANY(CAST(%(ids)s AS uuid[]))
"""


def send_state(driver: Any, serials: Sequence[int], ids: Sequence[uuid.UUID]) -> Any:
    """Postgres: send the batch's state query (pipelined with the key claim by the service)."""
    return driver.execute(
        _PG_STATE, {"serials": pg_array(serials), "ids": pg_array(ids)}, prepare=True
    )


def read_state(rows: Any) -> BatchState:
    state = BatchState()
    for kind, serial, rid, t1, t2, flag, ts, u2, digest in rows:
        if kind == 1:
            state.printed[serial] = digest
            if flag:
                state.revoked.add(serial)
        elif kind == 2:
            state.accepted[serial] = PriorRedemption(str(rid), ts, t1, t2)
        else:
            state.existing[rid] = StoredItem(t1, t2, u2)
    return state


def batch_state(session: Session, serials: Sequence[int], ids: Sequence[uuid.UUID]) -> BatchState:
    driver = pg_driver(session)
    if driver is not None:
        return read_state(send_state(driver, serials, ids))
    state = BatchState()
    for serial, digest, revoked_at in session.execute(
        sa.select(Voucher.serial, Voucher.token_sha256, Voucher.revoked_at).where(
            Voucher.serial.in_(serials)
        )
    ):
        state.printed[serial] = digest
        if revoked_at is not None:
            state.revoked.add(serial)
    for accepted_serial, rid, device_id, name, scanned_at in session.execute(
        sa.select(
            Redemption.serial,
            Redemption.id,
            Redemption.device_id,
            Device.name,
            Redemption.scanned_at,
        )
        .join(Device, Device.id == Redemption.device_id)
        .where(
            Redemption.outcome == "accepted",
            Redemption.voided_at.is_(None),
            Redemption.serial.in_(serials),
        )
    ):
        if accepted_serial is not None:
            state.accepted[accepted_serial] = PriorRedemption(str(rid), scanned_at, device_id, name)
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
            Redemption.outcome == "accepted",
            Redemption.voided_at.is_(None),
            Redemption.serial.in_(list(serials)),
        )
    )
    return {r[0]: r[1] for r in rows if r[0] is not None}


#: Columns of a pushed row with their Postgres types, as read back from the JSON parameter.
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

# The whole batch travels as one JSON array: encoding it is one Rust call (pydantic_core), where
# per-element array parameters cost psycopg a Python call per value.
_PG_INSERT = (
    "INSERT INTO redemptions ({cols}) SELECT {cols}"
    " FROM json_to_recordset(CAST(%(rows)s AS json)) AS r({typed})"
    " ON CONFLICT DO NOTHING RETURNING id".format(
        cols=", ".join(name for name, _ in ROW_COLUMNS),
        typed=", ".join(f"{name} {pg}" for name, pg in ROW_COLUMNS),
    )
)


#: The optimistic write: no ON CONFLICT, so a row that a concurrent request beat us to fails
#: the whole statement (and the transaction) instead of being skipped.
_PG_INSERT_ALL = _PG_INSERT.partition(" ON CONFLICT")[0]


class LostRace(Exception):
    """A concurrent request stored one of the batch's ids, or accepted one of its copies,
    between the state read and the write. Nothing of the batch was kept: decide again."""


def _typed(row: dict[str, Any]) -> dict[str, Any]:
    """A JSON-valued row back in Python types, for the SQLAlchemy (SQLite) path."""
    typed = dict(row)
    for name, pg in ROW_COLUMNS:
        value = typed.get(name)
        if value is None:
            continue
        if pg == "uuid":
            typed[name] = uuid.UUID(value)
        elif pg == "timestamptz":
            typed[name] = datetime.fromisoformat(value)
    return typed


def pg_array(values: Iterable[object]) -> str:
    """A Postgres array literal of plain numbers or UUIDs (no quoting needed)."""
    return "{" + ",".join(map(str, values)) + "}"


def insert_items(session: Session, rows: Sequence[dict[str, Any]]) -> set[uuid.UUID]:
    """Insert pushed rows; returns the ids that went in (the others hit a unique index).

    Rows hold JSON values (ids and times as ISO text), keyed like :data:`ROW_COLUMNS`.
    """
    if not rows:
        return set()
    driver = pg_driver(session)
    if driver is not None:
        payload = to_json(rows).decode()
        return {r[0] for r in driver.execute(_PG_INSERT, {"rows": payload}, prepare=True)}
    inserted: set[uuid.UUID] = set()
    for row, seq in zip(rows, next_seqs(session, len(rows)), strict=True):
        got = session.execute(
            sqlite_insert(Redemption)
            .values(**_typed(row), seq=seq, txid=0)
            .on_conflict_do_nothing()
            .returning(Redemption.id)
        ).first()
        if got is not None:
            inserted.add(got[0])
    return inserted


def finish_batch(session: Session, finish: dict[str, Any]) -> None:
    """Store the answer for the Idempotency-Key and log the batch (one statement on Postgres,
    the same one a group uses).

    ``finish`` comes from :func:`finish_params`.
    """
    driver = pg_driver(session)
    if driver is not None:
        driver.execute(_PG_FINISH_MANY, _finish_many_params([finish]), prepare=True)
        return
    event = {name: finish[name] for name in _EVENT_COLUMNS}
    session.execute(sa.insert(Event).values(**{**event, "payload": json.loads(event["payload"])}))
    session.execute(
        sa.update(IdempotencyKey)
        .where(IdempotencyKey.device_id == finish["device_id"], IdempotencyKey.key == finish["key"])
        .values(status_code=finish["status_code"], response_body=finish["body"])
    )


_EVENT_COLUMNS = ("occurred_at", "kind", "business_id", "actor", "subject", "payload")


#: Every push's answer and event of a group (or one push) in one statement. The keys to update
#: come as arrays through ``unnest``, whose row count the planner estimates from the array (a
#: handful), so it probes the primary key; a JSON record set is always guessed at 100 rows,
#: which made it scan the whole key table instead.
_PG_FINISH_MANY = """
    WITH logged AS (
        INSERT INTO events (occurred_at, kind, business_id, actor, subject, payload)
        SELECT occurred_at, kind, business_id, actor, subject, CAST(payload AS jsonb)
          FROM json_to_recordset(CAST(%(events)s AS json)) AS e(
              ord integer, occurred_at timestamptz, kind text, business_id integer,
              actor text, subject text, payload text)
         ORDER BY ord
    )
    UPDATE idempotency_keys k
       SET status_code = f.status_code, response_body = f.body
      FROM unnest(CAST(%(devices)s AS text[]), CAST(%(keys)s AS text[]),
                  CAST(%(codes)s AS integer[]), CAST(%(bodies)s AS bytea[]))
           AS f(device_id, key, status_code, body)
     WHERE k.device_id = f.device_id AND k.key = f.key
"""

_EVENT_FIELDS = ("occurred_at", "kind", "business_id", "actor", "subject", "payload")


def _finish_many_params(finishes: Sequence[dict[str, Any]]) -> dict[str, Any]:
    events = [
        {**{name: f[name] for name in _EVENT_FIELDS}, "ord": n} for n, f in enumerate(finishes)
    ]
    return {
        "events": to_json(events).decode(),
        "devices": [f["device_id"] for f in finishes],
        "keys": [f["key"] for f in finishes],
        "codes": [f["status_code"] for f in finishes],
        "bodies": [f["body"] for f in finishes],
    }


def finish_params(
    *, device_id: str, key: str, status_code: int, body: bytes, event: dict[str, Any]
) -> dict[str, Any]:
    return {**event, "status_code": status_code, "body": body, "device_id": device_id, "key": key}


_PG_RELEASE_CLAIMS = """
    DELETE FROM idempotency_keys k
     USING unnest(CAST(%(devices)s AS text[]), CAST(%(keys)s AS text[])) AS c(device_id, key)
     WHERE k.device_id = c.device_id AND k.key = c.key
"""


def commit_batch(
    session: Session,
    rows: Sequence[dict[str, Any]],
    finishes: Sequence[dict[str, Any]],
    released: Sequence[tuple[str, str]] = (),
) -> None:
    """Postgres: insert every row, store each answer, log each batch, drop the ``released``
    (device id, key) claims of refused requests, and COMMIT, in one round trip of at most
    three statements whatever the number of requests.

    Raises :class:`LostRace` (transaction rolled back) when a unique index refuses a row; the
    caller then runs the batch again through the careful path (``insert_items``, which re-files
    such rows as conflicts). Requires the state read and the key claims in this transaction.
    """
    import psycopg.errors

    driver = pg_driver(session)
    assert driver is not None, "commit_batch is the Postgres path"
    try:
        with driver.pipeline():
            if rows:
                driver.execute(_PG_INSERT_ALL, {"rows": to_json(rows).decode()}, prepare=True)
            if finishes:
                driver.execute(_PG_FINISH_MANY, _finish_many_params(finishes), prepare=True)
            if released:
                devices, keys = [d for d, _ in released], [k for _, k in released]
                params = {"devices": devices, "keys": keys}
                driver.execute(_PG_RELEASE_CLAIMS, params, prepare=True)
            driver.commit()
    except psycopg.errors.UniqueViolation as exc:
        session.rollback()
        raise LostRace(str(exc)) from exc


# ---------------------------------------------------------------- voids


@dataclass(frozen=True, slots=True)
class VoidTarget:
    """The redemption row a kiosk's void names, as the void decision needs it."""

    kind: str
    device_id: str
    business_id: int
    serial: int | None
    voided_by: uuid.UUID | None


def void_target(session: Session, redemption_id: uuid.UUID) -> VoidTarget | None:
    row = session.execute(
        sa.select(
            Redemption.kind,
            Redemption.device_id,
            Redemption.business_id,
            Redemption.serial,
            Redemption.voided_by,
        ).where(Redemption.id == redemption_id)
    ).first()
    return None if row is None else VoidTarget(*row)


def mark_voided(
    session: Session,
    redemption_id: uuid.UUID,
    *,
    void_id: uuid.UUID,
    voided_at: datetime,
    reason: str,
) -> bool:
    """Void the row unless something voided it first (then False: the caller re-reads).

    The ``voided_at IS NULL`` condition makes two concurrent voids of one row settle on one:
    the second waits for the first's row lock and then matches nothing.
    """
    result = session.execute(
        sa.update(Redemption)
        .where(Redemption.id == redemption_id, Redemption.voided_at.is_(None))
        .values(
            voided_at=voided_at,
            void_reason=reason,
            voided_by=void_id,
            # A new feed position: kiosks that pulled the redemption learn of the void.
            seq=next_seqs(session, 1)[0],
            txid=txid_expr(session),
        )
        .returning(Redemption.id)
    )
    return result.first() is not None


def log_event(session: Session, event: dict[str, Any]) -> None:
    session.execute(sa.insert(Event).values(**event))


# ---------------------------------------------------------------- pull


@dataclass(frozen=True, slots=True)
class FeedPosition:
    txid: int
    seq: int

    def encode(self) -> str:
        return f"{self.txid}.{self.seq}"

    @classmethod
    def decode(cls, text: str | None) -> FeedPosition:
        """The position a kiosk's ``?cursor=`` names; a text no pull ever gave (numbers
        beyond bigint, say) is a 422 ``invalid_cursor``, never a query that fails."""
        if not text:
            return cls(-1, -1)
        txid, _, seq = text.partition(".")
        try:
            position = cls(int(txid), int(seq))
        except ValueError:
            position = None
        if position is None or not (fits_bigint(position.txid) and fits_bigint(position.seq)):
            raise Unprocessable(
                "cursor is not one a pull gave; pull without it to start over",
                code="invalid_cursor",
            )
        return position


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
