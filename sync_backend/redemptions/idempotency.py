"""Idempotency-Key for pushes, after the IETF httpapi Idempotency-Key draft.

- same key, same request → the first answer is replayed byte for byte;
- same key, another request → 422 (``idempotency_key_reused``);
- same key while the first request is still running → 409 (``idempotency_key_in_flight``);
- keys are kept ``idempotency_ttl_hours`` (24 h); an older key counts as new.

The key row is written in the push's own transaction together with the redemptions and the
stored answer, so a crash leaves neither a half-applied batch nor a key stuck "in flight". On
Postgres a transaction-scoped advisory lock on the key tells "in flight" apart without waiting.
Keys are scoped per device: two kiosks can never collide.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sync_backend.devices.repository import KeyOwner
from sync_backend.errors import Conflict, Unprocessable
from sync_backend.models import IdempotencyKey

MAX_KEY_LENGTH = 255


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    status_code: int
    body: bytes


def fingerprint(canonical: bytes) -> str:
    return hashlib.sha256(canonical).hexdigest()


def check_key(key: str | None) -> str:
    if key is None or not key.strip():
        raise Unprocessable(
            "Idempotency-Key header required for pushes", code="idempotency_key_missing"
        )
    key = key.strip()
    if len(key) > MAX_KEY_LENGTH or not key.isprintable() or not key.isascii():
        raise Unprocessable(
            f"Idempotency-Key must be printable ASCII up to {MAX_KEY_LENGTH} characters",
            code="idempotency_key_invalid",
        )
    return key


#: A push's first statement on Postgres (a single push is a group of one): find each request's
#: API key owner and claim its Idempotency-Key for that device, in one round trip. ``claims``
#: are arrays of ord, key_hash, key, request_hash, each (key hash, key) at most once (a second
#: request with the same key runs alone). One row per request whose API key exists: its
#: ``ord``, the owner's columns (:class:`KeyOwner`, as ``devices.repository`` reads one key),
#: got the lock, claimed the key. A revoked
#: device or an expired key claims nothing (the caller then refuses it with
#: ``check_key_owner``).
_PG_OWNERS_AND_CLAIMS = """
    WITH req AS (
        SELECT * FROM unnest(CAST(%(ords)s AS integer[]), CAST(%(key_hashes)s AS text[]),
                             CAST(%(keys)s AS text[]), CAST(%(request_hashes)s AS text[]))
            AS r(ord, key_hash, key, request_hash)
    ), owner AS (
        SELECT req.ord, req.key, req.request_hash, k.id AS key_row_id, k.rotate_after,
               k.expires_at, d.id AS device_id, d.name AS device_name,
               d.revoked_at AS device_revoked_at, d.business_id, b.tier
          FROM req
          JOIN device_keys k ON k.key_hash = req.key_hash
          JOIN devices d ON d.id = k.device_id
          JOIN businesses b ON b.id = d.business_id
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

#: How many leading columns of the owner-and-claim row are the key owner.
OWNER_COLUMNS = len(fields(KeyOwner))


def claim_params(
    *, device_id: str | None, key: str, request_hash: str, now: datetime, ttl: timedelta
) -> dict[str, Any]:
    """Parameters of a claim (and of reading its stored answer); ``device_id`` may be None
    until the owner-and-claim statement has found the device by its API key."""
    return {
        "device_id": device_id,
        "key": key,
        "request_hash": request_hash,
        "now": now,
        "expired_before": now - ttl,
    }


def send_owners_and_claims(
    driver: Any, claims: list[dict[str, Any]], *, now: datetime, ttl: timedelta
) -> Any:
    """Postgres: send the key-owner lookups and key claims of a group (or one push) as one
    statement; ``claims`` holds ``key_hash``, ``key`` and ``request_hash`` per request. Rows
    come back as ``(ord, *owner, got_lock, claimed)``: read them with
    :func:`split_owner_and_claim` (without the ord)."""
    # Arrays, not a JSON record set: the planner sizes ``unnest`` by the array (a handful of
    # rows) and probes the key index; a record set is guessed at 100 rows and scanned against.
    params = {
        "ords": list(range(len(claims))),
        "key_hashes": [c["key_hash"] for c in claims],
        "keys": [c["key"] for c in claims],
        "request_hashes": [c["request_hash"] for c in claims],
        "now": now,
        "expired_before": now - ttl,
    }
    return driver.execute(_PG_OWNERS_AND_CLAIMS, params, prepare=True)


def split_owner_and_claim(row: tuple[Any, ...] | None) -> tuple[KeyOwner | None, tuple[bool, bool]]:
    """The owner-and-claim row as (key owner or None, claim row for :func:`settle_claim`)."""
    if row is None:  # no such key: nothing was claimed
        return None, (True, False)
    return KeyOwner(*row[:OWNER_COLUMNS]), (row[OWNER_COLUMNS], row[OWNER_COLUMNS + 1])


def claim(
    session: Session,
    *,
    device_id: str,
    key: str,
    request_hash: str,
    now: datetime,
    ttl: timedelta,
) -> StoredAnswer | None:
    """SQLite (the demo): own the key for this request (returns None) or get the stored
    answer to replay. Postgres claims with :func:`send_owners_and_claims` instead, in the
    push's first round trip (with an advisory lock that tells "in flight" apart)."""
    params = claim_params(device_id=device_id, key=key, request_hash=request_hash, now=now, ttl=ttl)
    if _sqlite_claim(session, params):
        return None
    return stored_answer(session, params)


def settle_claim(
    session: Session, claim_row: tuple[bool, bool], params: dict[str, Any]
) -> StoredAnswer | None:
    """Read the Postgres claim's answer: ours (None), in flight (409) or stored (replay)."""
    got_lock, claimed = claim_row
    if not got_lock:
        raise _in_flight()
    if claimed:
        return None
    return stored_answer(session, params)


def stored_answer(session: Session, params: dict[str, Any]) -> StoredAnswer:
    device_id, key, request_hash = params["device_id"], params["key"], params["request_hash"]
    row = session.execute(
        sa.select(
            IdempotencyKey.request_hash, IdempotencyKey.status_code, IdempotencyKey.response_body
        ).where(IdempotencyKey.device_id == device_id, IdempotencyKey.key == key)
    ).one()
    if row.request_hash != request_hash:
        raise Unprocessable(
            "this Idempotency-Key was used for a different request; use a new key",
            code="idempotency_key_reused",
        )
    if row.status_code is None or row.response_body is None:
        raise _in_flight()
    return StoredAnswer(row.status_code, row.response_body)


def _sqlite_claim(session: Session, params: dict[str, object]) -> bool:
    session.execute(
        sa.delete(IdempotencyKey).where(
            IdempotencyKey.device_id == params["device_id"],
            IdempotencyKey.key == params["key"],
            IdempotencyKey.created_at < params["expired_before"],
        )
    )
    from sqlalchemy.dialects.sqlite import insert

    inserted = session.execute(
        insert(IdempotencyKey)
        .values(
            device_id=params["device_id"],
            key=params["key"],
            request_hash=params["request_hash"],
            created_at=params["now"],
        )
        .on_conflict_do_nothing()
        .returning(IdempotencyKey.key)
    ).first()
    return inserted is not None


def purge(session: Session, now: datetime, ttl: timedelta) -> int:
    result = session.execute(sa.delete(IdempotencyKey).where(IdempotencyKey.created_at < now - ttl))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _in_flight() -> Conflict:
    return Conflict(
        "a request with this Idempotency-Key is still being processed; retry shortly",
        code="idempotency_key_in_flight",
        headers={"Retry-After": "1"},
    )
