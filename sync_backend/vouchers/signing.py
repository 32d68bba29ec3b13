"""Head office's Ed25519 signing keys: private halves encrypted at rest, public halves synced.

The private key never leaves the backend; it is stored Fernet-encrypted with
``PIKA_SIGNING_KEY_SECRET`` so a database dump alone cannot forge vouchers. Kiosks receive only
public keys (enrolment and pull). Rotation makes a new key sign new books; retired keys keep
verifying what they signed, so books already printed stay valid, and keep their private half:
printed tokens are not stored, they are signed again from their claims when a kiosk pulls them
or a sheet is printed (``vouchers.copies``), so losing the secret loses the printed books too.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Collection
from datetime import datetime, timedelta

import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from sqlalchemy.orm import Session

from pika_protocol import sync_wire
from pika_protocol.tokens import load_public_key, public_key_bytes
from sync_backend.dialects import dialect_of
from sync_backend.errors import ServiceUnavailable
from sync_backend.events import repository as events
from sync_backend.models import SigningKey, utcnow
from sync_backend.settings import Settings

MAX_KEY_ID = 0xFFFF


def _fernet(settings: Settings) -> Fernet:
    return Fernet(settings.signing_key_secret.encode("ascii"))


def create_key(session: Session, settings: Settings, actor: str) -> SigningKey:
    """Make a new signing key and retire the current one (it keeps verifying)."""
    now = utcnow()
    top = session.execute(sa.select(sa.func.max(SigningKey.key_id))).scalar_one()
    key_id = (top or 0) + 1
    if key_id > MAX_KEY_ID:
        raise ServiceUnavailable("signing key ids exhausted", code="key_ids_exhausted")
    private = Ed25519PrivateKey.generate()
    raw = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    session.execute(
        sa.update(SigningKey).where(SigningKey.retired_at.is_(None)).values(retired_at=now)
    )
    row = SigningKey(
        key_id=key_id,
        public_key=public_key_bytes(private.public_key()),
        private_key_encrypted=_fernet(settings).encrypt(raw),
        created_at=now,
        seq=dialect_of(session).next_seqs(session, 1)[0],
    )
    session.add(row)
    session.flush()
    events.append(session, kind="signing_key_created", actor=actor, subject=f"key:{key_id}")
    return row


def active_key(session: Session, settings: Settings, actor: str) -> tuple[int, Ed25519PrivateKey]:
    """The key that signs new books; rotated first when older than the configured period."""
    row = session.scalars(
        sa.select(SigningKey)
        .where(SigningKey.retired_at.is_(None))
        .order_by(SigningKey.key_id.desc())
    ).first()
    max_age = timedelta(days=settings.signing_key_rotate_after_days)
    if row is None or row.created_at + max_age <= utcnow():
        row = create_key(session, settings, actor)
    return row.key_id, decrypt(settings, row.private_key_encrypted)


def decrypt(settings: Settings, encrypted: bytes) -> Ed25519PrivateKey:
    """A private half from its Fernet-encrypted bytes; 503 if the secret does not open it."""
    try:
        raw = _fernet(settings).decrypt(encrypted)
    except InvalidToken as exc:
        raise ServiceUnavailable(
            "signing key cannot be decrypted: PIKA_SIGNING_KEY_SECRET changed?",
            code="signing_key_unreadable",
        ) from exc
    return Ed25519PrivateKey.from_private_bytes(raw)


def public_keys(session: Session) -> dict[int, Ed25519PublicKey]:
    rows = session.execute(sa.select(SigningKey.key_id, SigningKey.public_key))
    return {key_id: load_public_key(raw) for key_id, raw in rows}


def public_keys_wire(session: Session) -> list[sync_wire.PublicKey]:
    rows = session.scalars(sa.select(SigningKey).order_by(SigningKey.key_id))
    return [to_wire(r) for r in rows]


def to_wire(row: SigningKey) -> sync_wire.PublicKey:
    return sync_wire.PublicKey(
        key_id=row.key_id, public_key_hex=row.public_key.hex(), retired=row.retired_at is not None
    )


class PublicKeyCache:
    """Public keys for the push path, re-read at most every ``ttl_s`` seconds per process.

    A new key only signs books that still have to be printed and handed out, so a few seconds
    of staleness can never refuse a real voucher; it saves a query per push.
    """

    def __init__(self, ttl_s: float = 10.0) -> None:
        self._ttl_s = ttl_s
        self._lock = threading.Lock()
        self._keys: dict[int, Ed25519PublicKey] = {}
        self._loaded_at = float("-inf")

    def get(self, session: Session) -> dict[int, Ed25519PublicKey]:
        with self._lock:
            if time.monotonic() - self._loaded_at < self._ttl_s:
                return self._keys
        keys = public_keys(session)
        with self._lock:
            self._keys, self._loaded_at = keys, time.monotonic()
        return keys

    def clear(self) -> None:
        with self._lock:
            self._loaded_at = float("-inf")


class PrivateKeyCache:
    """Decrypted private halves for signing printed tokens again (pull, sheets), per process.

    A key id's private half never changes, so an entry is never stale; entries are dropped
    after ``ttl_s`` only so that decrypted key material does not sit in memory for good.
    Saves a query and a Fernet decryption per pulled page.
    """

    def __init__(self, settings: Settings, ttl_s: float = 60.0) -> None:
        self._settings = settings
        self._ttl_s = ttl_s
        self._lock = threading.Lock()
        self._keys: dict[int, tuple[float, Ed25519PrivateKey]] = {}

    def get(self, session: Session, key_ids: Collection[int]) -> dict[int, Ed25519PrivateKey]:
        """The private halves of ``key_ids`` (all of them, or 503 ``signing_key_missing``)."""
        now = time.monotonic()
        with self._lock:
            found = {
                key_id: entry[1]
                for key_id in key_ids
                if (entry := self._keys.get(key_id)) is not None and now - entry[0] < self._ttl_s
            }
        missing = set(key_ids) - found.keys()
        if not missing:
            return found
        rows = session.execute(
            sa.select(SigningKey.key_id, SigningKey.private_key_encrypted).where(
                SigningKey.key_id.in_(missing)
            )
        ).all()
        loaded = {key_id: decrypt(self._settings, encrypted) for key_id, encrypted in rows}
        if missing - loaded.keys():
            raise ServiceUnavailable(
                f"no signing key {sorted(missing - loaded.keys())} for printed vouchers",
                code="signing_key_missing",
            )
        with self._lock:
            for key_id, key in loaded.items():
                self._keys[key_id] = (now, key)
        return {**found, **loaded}

    def forget(self, key_ids: Collection[int]) -> None:
        with self._lock:
            for key_id in key_ids:
                self._keys.pop(key_id, None)

    def clear(self) -> None:
        with self._lock:
            self._keys.clear()


def key_rows(session: Session) -> list[SigningKey]:
    return list(session.scalars(sa.select(SigningKey).order_by(SigningKey.key_id)))


def is_due(row: SigningKey, settings: Settings, now: datetime) -> bool:
    return (
        row.retired_at is None
        and row.created_at + timedelta(days=settings.signing_key_rotate_after_days) <= now
    )
