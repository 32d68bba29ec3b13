"""Idempotency-Key for pushes, after the IETF httpapi Idempotency-Key draft.

- same key, same request → the first answer is replayed byte for byte;
- same key, another request → 422 (``idempotency_key_reused``);
- same key while the first request is still running → 409 (``idempotency_key_in_flight``);
- keys are kept ``idempotency_ttl_hours`` (24 h); an older key counts as new.

The key row is written in the push's own transaction together with the redemptions and the
stored answer, so a crash leaves neither a half-applied batch nor a key stuck "in flight". The
push store claims the key (on Postgres with a transaction-scoped advisory lock that tells "in
flight" apart without waiting); :func:`settle` says what the claim means. Keys are scoped per
device: two kiosks can never collide.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sync_backend.errors import Conflict, Unprocessable
from sync_backend.models import IdempotencyKey
from sync_backend.redemptions.rows import Claim, ClaimResult

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


def settle(
    session: Session, claim: Claim, result: ClaimResult, device_id: str
) -> StoredAnswer | None:
    """What the claim means for the request: ours to run (None), the stored answer to replay,
    or a refusal (409 in flight, 422 reused)."""
    if not result.got_lock:
        raise _in_flight()
    if result.claimed:
        return None
    return stored_answer(session, device_id, claim)


def stored_answer(session: Session, device_id: str, claim: Claim) -> StoredAnswer:
    row = session.execute(
        sa.select(
            IdempotencyKey.request_hash, IdempotencyKey.status_code, IdempotencyKey.response_body
        ).where(IdempotencyKey.device_id == device_id, IdempotencyKey.key == claim.key)
    ).one()
    if row.request_hash != claim.request_hash:
        raise Unprocessable(
            "this Idempotency-Key was used for a different request; use a new key",
            code="idempotency_key_reused",
        )
    if row.status_code is None or row.response_body is None:
        raise _in_flight()
    return StoredAnswer(row.status_code, row.response_body)


def purge(session: Session, now: datetime, ttl: timedelta) -> int:
    result = session.execute(sa.delete(IdempotencyKey).where(IdempotencyKey.created_at < now - ttl))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _in_flight() -> Conflict:
    return Conflict(
        "a request with this Idempotency-Key is still being processed; retry shortly",
        code="idempotency_key_in_flight",
        headers={"Retry-After": "1"},
    )
