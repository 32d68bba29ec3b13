"""A printed copy's token is never stored: it is signed again from the claims kept in ``vouchers``.

Ed25519 signatures are deterministic (RFC 8032), so signing a copy's claims again with the key
that signed its book gives back, byte for byte, the token that was printed. A database dump
therefore holds no redeemable token: ``vouchers`` keeps the claims (serial, business, offer,
variant, the signed validity window, the format version; the key through the book) and the
SHA-256 of the token's signed bytes, which is what the push path compares ("is this exactly
the copy we printed?"). The token is rebuilt only where the server hands it out: a kiosk's pull
and the printed sheet. The private halves stay Fernet-encrypted (``signing``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.orm import Session

from pika_protocol.tokens import VoucherClaims, encode, signed_bytes, token_bytes
from sync_backend.errors import ServiceUnavailable
from sync_backend.models import Book, Voucher
from sync_backend.vouchers.signing import PrivateKeyCache


def digest(raw: bytes) -> bytes:
    """What ``vouchers.token_sha256`` holds: SHA-256 of a token's 92 signed bytes."""
    return hashlib.sha256(raw).digest()


def token_digest(text: str) -> bytes | None:
    """The digest of token-shaped text (normalised as the kiosk reads it), None otherwise."""
    raw = token_bytes(text)
    return None if raw is None else digest(raw)


def printed_digest(token: str) -> bytes:
    """The digest of a token this backend just signed (always well-formed)."""
    found = token_digest(token)
    assert found is not None, "a token we signed is always well-formed"
    return found


def claims_of(voucher: Voucher, key_id: int) -> VoucherClaims:
    """What head office signed for ``voucher`` (its book was signed with ``key_id``)."""
    return VoucherClaims(
        key_id=key_id,
        business_id=voucher.business_id,
        offer_id=voucher.offer_id,
        serial=voucher.serial,
        valid_from=unix_seconds(voucher.valid_from),
        valid_until=unix_seconds(voucher.valid_until),
        variant=voucher.variant,
        version=voucher.token_version,
    )


def unix_seconds(moment: datetime) -> int:
    """A stored window end as signed (whole seconds: the token has no finer field)."""
    return int(moment.timestamp())


@dataclass(frozen=True, slots=True)
class PrintedCopy:
    """One printed copy with its token signed again: what a sheet or a test hands on."""

    serial: int
    business_id: int
    offer_id: int
    variant: int
    short_code: str
    revoked_at: datetime | None
    token: str


def tokens(session: Session, keys: PrivateKeyCache, vouchers: Sequence[Voucher]) -> dict[int, str]:
    """Each voucher's token by serial, signed again with its book's key.

    Every token is checked against the digest stored when it was printed, so a wrong key (a
    stale cache entry, another ``PIKA_SIGNING_KEY_SECRET`` that happens to open another key)
    can never hand a kiosk a token that differs from the printed copy: 503 instead.
    """
    if not vouchers:
        return {}
    book_ids = {v.book_id for v in vouchers}
    rows = session.execute(sa.select(Book.id, Book.key_id).where(Book.id.in_(book_ids)))
    book_keys = {book_id: key_id for book_id, key_id in rows}
    key_ids = set(book_keys.values())
    signed, wrong = _sign(vouchers, book_keys, keys.get(session, key_ids))
    if wrong:
        keys.forget(key_ids)  # read the keys afresh once before giving up
        signed, wrong = _sign(vouchers, book_keys, keys.get(session, key_ids))
    if wrong:
        raise ServiceUnavailable(
            f"printed voucher {wrong[0]} cannot be signed again as printed "
            "(signing key or PIKA_SIGNING_KEY_SECRET not the one that printed it)",
            code="printed_token_mismatch",
        )
    return signed


def _sign(
    vouchers: Sequence[Voucher], book_keys: dict[int, int], private: dict[int, Ed25519PrivateKey]
) -> tuple[dict[int, str], list[int]]:
    signed: dict[int, str] = {}
    wrong: list[int] = []
    for v in vouchers:
        key_id = book_keys[v.book_id]
        raw = signed_bytes(claims_of(v, key_id), private[key_id])
        if digest(raw) != v.token_sha256:
            wrong.append(v.serial)
        signed[v.serial] = encode(raw)
    return signed, wrong


def printed_copies(
    session: Session, keys: PrivateKeyCache, vouchers: Sequence[Voucher]
) -> list[PrintedCopy]:
    signed = tokens(session, keys, vouchers)
    return [
        PrintedCopy(
            serial=v.serial,
            business_id=v.business_id,
            offer_id=v.offer_id,
            variant=v.variant,
            short_code=v.short_code,
            revoked_at=v.revoked_at,
            token=signed[v.serial],
        )
        for v in vouchers
    ]
