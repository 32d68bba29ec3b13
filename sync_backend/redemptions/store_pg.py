"""The push store on Postgres: a whole group of pushes in two round trips.

1. BEGIN, every request's API key owner and key claim in one statement, and the state of
   all their serials and item ids in one more, sent as one psycopg pipeline;
2. every row, every answer, every event, the released claims and COMMIT, again one pipeline.

Raw psycopg on the session's own connection (the same transaction, minus SQLAlchemy's
per-statement cost), with server-side prepared statements. Lists travel as arrays through
``unnest`` where the planner must size them (it sizes an array by its length; a JSON record
set is always guessed at 100 rows, which made it scan the whole key table), and a batch's rows
as one JSON document (encoding it is one Rust call).

The partial unique index ``uq_redemptions_accepted_serial`` is what guarantees one accepted
redemption per serial: the all-or-nothing write fails when it (or the primary key) refuses a
row (:class:`LostRace`); :meth:`PostgresPushStore.insert` skips such rows for the pipeline's
conflict step.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from pydantic_core import to_json
from sqlalchemy.orm import Session

from pika_protocol.validation import PriorRedemption
from sync_backend.devices.repository import KeyOwner
from sync_backend.dialects import POSTGRES
from sync_backend.events import repository as events
from sync_backend.events.repository import NewEvent
from sync_backend.redemptions.rows import (
    NO_OWNER,
    ROW_COLUMNS,
    BatchState,
    Claim,
    ClaimResult,
    KeyAnswer,
    RedemptionRow,
    StoredItem,
)
from sync_backend.redemptions.store import LostRace

#: Each request's API key owner, and its Idempotency-Key claimed for that device. One row per
#: request whose API key exists: its ``ord``, the owner (:class:`KeyOwner`), got the lock,
#: claimed the key. A transaction-scoped advisory lock on the key tells "in flight" apart
#: without waiting. A revoked device or an expired key claims nothing (the pipeline then
#: refuses it with ``check_key_owner``). Each (key hash, key) comes at most once.
_OWNERS_AND_CLAIMS = """
    WITH req AS (
        SELECT * FROM unnest(CAST(%(ords)s AS integer[]), CAST(%(key_hashes)s AS text[]),
                             CAST(%(keys)s AS text[]), CAST(%(request_hashes)s AS text[]))
            AS r(ord, key_hash, key, request_hash)
    ), owner AS (
        SELECT req.ord, req.key, req.request_hash, o.*
          FROM req CROSS JOIN LATERAL (
              SELECT k.id AS key_row_id, k.rotate_after, k.expires_at, d.id AS device_id,
                     d.name AS device_name, d.revoked_at AS device_revoked_at, d.business_id,
                     b.tier
                FROM device_keys k
                JOIN devices d ON d.id = k.device_id
                JOIN businesses b ON b.id = d.business_id
               WHERE k.key_hash = req.key_hash
          ) AS o
    ), lock AS (
        SELECT owner.ord, pg_try_advisory_xact_lock(
            hashtextextended(owner.device_id || '/' || owner.key, 0)) AS got FROM owner
    ), claimed AS (
        INSERT INTO idempotency_keys (device_id, key, request_hash, created_at)
        SELECT owner.device_id, owner.key, owner.request_hash, %(now)s
          FROM owner JOIN lock USING (ord)
         WHERE lock.got AND owner.device_revoked_at IS NULL
           AND (owner.expires_at IS NULL OR owner.expires_at > %(now)s)
        ON CONFLICT (device_id, key) DO UPDATE
            SET request_hash = excluded.request_hash, created_at = excluded.created_at,
                status_code = NULL, response_body = NULL
            WHERE idempotency_keys.created_at < %(expired_before)s
        RETURNING device_id, key
    )
    SELECT owner.ord, owner.key_row_id, owner.rotate_after, owner.expires_at, owner.device_id,
           owner.device_name, owner.device_revoked_at, owner.business_id, owner.tier,
           lock.got,
           EXISTS (SELECT 1 FROM claimed c WHERE c.device_id = owner.device_id
                                            AND c.key = owner.key)
      FROM owner JOIN lock USING (ord)
"""


class StateRow(NamedTuple):
    """One row of :data:`_STATE`: a printed voucher, an accepted redemption of one of the
    serials, or an item already stored (``part``); each column means one thing."""

    part: str
    serial: int | None
    printed_digest: bytes | None
    revoked: bool | None
    redemption_id: uuid.UUID | None
    device_id: str | None
    device_name: str | None
    scanned_at: datetime | None
    outcome: str | None
    server_reason: str | None
    conflict_with: uuid.UUID | None


_STATE = """
    SELECT 'voucher', v.serial, v.token_sha256, v.revoked_at IS NOT NULL,
           NULL::uuid, NULL::text, NULL::text, NULL::timestamptz, NULL::text, NULL::text, NULL::uuid
      FROM vouchers v WHERE v.serial = ANY(CAST(%(serials)s AS bigint[]))
    UNION ALL
    SELECT 'accepted', r.serial, NULL, NULL,
           r.id, r.device_id, d.name, r.scanned_at, NULL, NULL, NULL
      FROM redemptions r JOIN devices d ON d.id = r.device_id
     WHERE r.outcome = 'accepted' AND r.voided_at IS NULL
       AND r.serial = ANY(CAST(%(serials)s AS bigint[]))
    UNION ALL
    SELECT 'stored', NULL, NULL, NULL,
           r.id, NULL, NULL, NULL, r.outcome, r.server_reason, r.conflict_with
      FROM redemptions r WHERE r.id = ANY(CAST(%(ids)s AS uuid[]))
"""

_INSERT = (
    "INSERT INTO redemptions ({cols}) SELECT {cols}"
    " FROM json_to_recordset(CAST(%(rows)s AS json)) AS r({typed})".format(
        cols=", ".join(name for name, _ in ROW_COLUMNS),
        typed=", ".join(f"{name} {pg}" for name, pg in ROW_COLUMNS),
    )
)
#: The conflict step's insert: rows a unique index refuses are skipped, not an error.
_INSERT_SETTLING = _INSERT + " ON CONFLICT DO NOTHING RETURNING id"

#: Every answer of a group in one statement (keys as arrays: see the module's note).
_STORE_ANSWERS = """
    UPDATE idempotency_keys k
       SET status_code = f.status_code, response_body = f.body
      FROM unnest(CAST(%(devices)s AS text[]), CAST(%(keys)s AS text[]),
                  CAST(%(codes)s AS integer[]), CAST(%(bodies)s AS bytea[]))
           AS f(device_id, key, status_code, body)
     WHERE k.device_id = f.device_id AND k.key = f.key
"""

_RELEASE_CLAIMS = """
    DELETE FROM idempotency_keys k
     USING unnest(CAST(%(devices)s AS text[]), CAST(%(keys)s AS text[])) AS c(device_id, key)
     WHERE k.device_id = c.device_id AND k.key = c.key
"""


def pg_array(values: Iterable[object]) -> str:
    """A Postgres array literal of plain numbers or UUIDs (no quoting needed)."""
    return "{" + ",".join(map(str, values)) + "}"


def read_state(rows: Iterable[StateRow]) -> BatchState:
    state = BatchState()
    for row in rows:
        if row.part == "voucher":
            assert row.serial is not None and row.printed_digest is not None
            state.printed[row.serial] = row.printed_digest
            if row.revoked:
                state.revoked.add(row.serial)
        elif row.part == "accepted":
            assert row.serial is not None and row.scanned_at is not None
            state.accepted[row.serial] = PriorRedemption(
                str(row.redemption_id), row.scanned_at, row.device_id or "", row.device_name or ""
            )
        else:
            assert row.redemption_id is not None
            state.existing[row.redemption_id] = StoredItem(
                row.outcome or "", row.server_reason or "", row.conflict_with
            )
    return state


class PostgresPushStore:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._driver = POSTGRES.driver(session)

    def claim_and_read(
        self,
        claims: Sequence[Claim],
        serials: Sequence[int],
        ids: Sequence[uuid.UUID],
        *,
        now: datetime,
        ttl: timedelta,
    ) -> tuple[list[ClaimResult], BatchState]:
        driver = self._driver
        with driver.pipeline():  # BEGIN travels with them: one round trip
            claimed = driver.execute(
                _OWNERS_AND_CLAIMS,
                {
                    "ords": list(range(len(claims))),
                    "key_hashes": [c.key_hash for c in claims],
                    "keys": [c.key for c in claims],
                    "request_hashes": [c.request_hash for c in claims],
                    "now": now,
                    "expired_before": now - ttl,
                },
                prepare=True,
            )
            state = driver.execute(
                _STATE, {"serials": pg_array(serials), "ids": pg_array(ids)}, prepare=True
            )
        found = {
            ord_: ClaimResult(KeyOwner(*owner), got, done)
            for ord_, *owner, got, done in claimed.fetchall()
        }
        results = [found.get(n, NO_OWNER) for n in range(len(claims))]
        return results, read_state(map(StateRow._make, state))

    def insert(self, rows: Sequence[RedemptionRow]) -> set[uuid.UUID]:
        if not rows:
            return set()
        params = {"rows": to_json(rows).decode()}
        return {r[0] for r in self._driver.execute(_INSERT_SETTLING, params, prepare=True)}

    def commit(
        self,
        rows: Sequence[RedemptionRow],
        answers: Sequence[KeyAnswer],
        events_: Sequence[NewEvent],
        released: Sequence[tuple[str, str]],
    ) -> None:
        import psycopg.errors

        driver = self._driver
        try:
            with driver.pipeline():
                if rows:
                    driver.execute(_INSERT, {"rows": to_json(rows).decode()}, prepare=True)
                events.append_many(self.session, events_)  # queued in this pipeline
                if answers:
                    driver.execute(_STORE_ANSWERS, _answer_params(answers), prepare=True)
                if released:
                    params = {"devices": [d for d, _ in released], "keys": [k for _, k in released]}
                    driver.execute(_RELEASE_CLAIMS, params, prepare=True)
                driver.commit()
        except psycopg.errors.UniqueViolation as exc:
            self.session.rollback()
            raise LostRace(str(exc)) from exc


def _answer_params(answers: Sequence[KeyAnswer]) -> dict[str, Any]:
    return {
        "devices": [a.device_id for a in answers],
        "keys": [a.key for a in answers],
        "codes": [a.status_code for a in answers],
        "bodies": [a.body for a in answers],
    }
