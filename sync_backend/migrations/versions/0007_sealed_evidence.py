"""Pushed text kept as evidence in ``redemptions.token`` is sealed (Fernet), not plain.

After 0006 a printed copy's row keeps no text, but forged or malformed text can hold a real
token almost whole (one character changed, a NUL put in, a double read): see
``sync_backend.redemptions.evidence``. Every remaining text is sealed with the key derived from
``PIKA_SIGNING_KEY_SECRET``; the downgrade opens it again, and stops, changing nothing, if a
row does not open with this secret.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

import base64
from typing import Any

import sqlalchemy as sa
from alembic import context, op
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_CHUNK = 5000


def _secret() -> str:
    secret = context.config.attributes.get("signing_key_secret")
    if secret:
        return str(secret)
    from sync_backend.settings import get_settings

    return get_settings().signing_key_secret


def _fernet(secret: str) -> Fernet:
    """``sync_backend.redemptions.evidence``'s sealing key as of this revision (a frozen copy:
    a later change there must not change what this migration did)."""
    master = base64.urlsafe_b64decode(secret.encode("ascii"))
    info = b"pika-counter redemptions.token evidence v1"
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(master)
    return Fernet(base64.urlsafe_b64encode(key))


def seal(fernet: Fernet, text: str) -> str:
    return fernet.encrypt(text.encode("utf-8", "surrogatepass")).decode("ascii")


def unseal(fernet: Fernet, sealed: str) -> str:
    return fernet.decrypt(sealed.encode("ascii")).decode("utf-8", "surrogatepass")


def _rewrite(bind: sa.Connection, rows: list[dict[str, object]]) -> None:
    for start in range(0, len(rows), _CHUNK):
        bind.execute(
            sa.text("UPDATE redemptions SET token = :token WHERE id = :id"),
            rows[start : start + _CHUNK],
        )


def _kept(bind: sa.Connection) -> list[tuple[Any, str]]:
    query = "SELECT id, token FROM redemptions WHERE token IS NOT NULL"
    return [(rid, text) for rid, text in bind.execute(sa.text(query))]


def upgrade() -> None:
    bind = op.get_bind()
    rows = _kept(bind)
    if rows:
        fernet = _fernet(_secret())
        _rewrite(bind, [{"id": rid, "token": seal(fernet, text)} for rid, text in rows])


def downgrade() -> None:
    bind = op.get_bind()
    rows = _kept(bind)
    if not rows:
        return
    fernet = _fernet(_secret())
    opened = []
    for rid, sealed in rows:
        try:
            opened.append({"id": rid, "token": unseal(fernet, sealed)})
        except (InvalidToken, UnicodeError):
            raise RuntimeError(
                f"migration 0007: redemption {rid}'s evidence does not open with this "
                "PIKA_SIGNING_KEY_SECRET; run it with the secret the backend uses. "
                "Nothing was changed."
            ) from None
    _rewrite(bind, opened)
