"""Printed tokens are no longer stored: a database dump must not be as good as the books.

``vouchers`` keeps the claims a token was signed with (the validity window as signed and the
format version are added; key, business, offer, serial and variant were there already) and the
SHA-256 of its signed bytes; the token text is dropped and signed again when needed
(``sync_backend.vouchers.copies``; Ed25519 is deterministic). ``redemptions.token`` becomes
null where the pushed text was exactly a printed copy (its serial rebuilds it) and stays where
it is evidence the server cannot rebuild (forged, malformed, unknown key).

Before dropping anything the upgrade signs every voucher again with its book's key and checks
it gives back the stored token; if one does not (or the key cannot be decrypted), it stops
with the serials at fault and changes nothing. Signing needs ``PIKA_SIGNING_KEY_SECRET``, the
same secret the backend runs with. The downgrade rebuilds the text the same way.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import context, op
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from pika_protocol.tokens import TokenError, VoucherClaims, decode, sign

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_CHUNK = 5000
_UtcDateTime = sa.DateTime(timezone=True)


class TokensNotRebuilt(RuntimeError):
    """Some stored token cannot be signed again from its claims: nothing is dropped."""


def _secret() -> str:
    secret = context.config.attributes.get("signing_key_secret")
    if secret:
        return str(secret)
    from sync_backend.settings import get_settings

    return get_settings().signing_key_secret


def _private_keys(bind: sa.Connection) -> dict[int, Ed25519PrivateKey]:
    fernet = Fernet(_secret().encode("ascii"))
    keys = {}
    for key_id, encrypted in bind.execute(
        sa.text("SELECT key_id, private_key_encrypted FROM signing_keys")
    ):
        try:
            keys[key_id] = Ed25519PrivateKey.from_private_bytes(fernet.decrypt(bytes(encrypted)))
        except InvalidToken:
            raise TokensNotRebuilt(
                f"migration 0006: signing key {key_id} cannot be decrypted with this "
                "PIKA_SIGNING_KEY_SECRET, so printed tokens cannot be signed again; run it with "
                "the secret the backend uses. Nothing was changed."
            ) from None
    return keys


def _chunks(bind: sa.Connection, query: str) -> Iterator[list[Any]]:
    """Voucher rows in serial order, ``_CHUNK`` at a time (``query`` takes ``:after``)."""
    after = -1
    while True:
        rows = bind.execute(sa.text(query), {"after": after, "n": _CHUNK}).all()
        if not rows:
            return
        yield list(rows)
        after = rows[-1].serial


def _refuse(problems: list[str], count: int) -> None:
    if problems:
        raise TokensNotRebuilt(
            f"migration 0006 keeps the voucher tokens: {count} printed token(s) cannot be "
            f"signed again from their claims ({'; '.join(problems[:5])}). Nothing was changed."
        )


def upgrade() -> None:
    bind = op.get_bind()
    with op.batch_alter_table("vouchers") as batch_op:
        batch_op.add_column(sa.Column("valid_from", _UtcDateTime, nullable=True))
        batch_op.add_column(sa.Column("valid_until", _UtcDateTime, nullable=True))
        batch_op.add_column(sa.Column("token_version", sa.SmallInteger(), nullable=True))
        batch_op.add_column(sa.Column("token_sha256", sa.LargeBinary(32), nullable=True))
    keys: dict[int, Ed25519PrivateKey] | None = None
    problems: list[str] = []
    failed = 0
    for rows in _chunks(
        bind,
        "SELECT v.serial, v.token, v.business_id, v.offer_id, v.variant, b.key_id"
        " FROM vouchers v JOIN books b ON b.id = v.book_id"
        " WHERE v.serial > :after ORDER BY v.serial LIMIT :n",
    ):
        keys = keys if keys is not None else _private_keys(bind)
        filled = []
        for row in rows:
            problem = None
            try:
                claims, body, signature = decode(row.token)
            except TokenError as exc:
                problem = f"serial {row.serial}: {exc}"
            else:
                stored = (row.key_id, row.business_id, row.offer_id, row.serial, row.variant)
                signed = (
                    claims.key_id,
                    claims.business_id,
                    claims.offer_id,
                    claims.serial,
                    claims.variant,
                )
                if stored != signed:
                    problem = f"serial {row.serial}: the token's claims differ from its row"
                elif claims.key_id not in keys:
                    problem = f"serial {row.serial}: no signing key {claims.key_id}"
                elif sign(claims, keys[claims.key_id]) != row.token:
                    problem = f"serial {row.serial}: signing again gives another token"
            if problem is not None:
                failed += 1
                problems.append(problem)
                continue
            filled.append(
                {
                    "serial": row.serial,
                    "valid_from": claims.valid_from_dt,
                    "valid_until": claims.valid_until_dt,
                    "version": claims.version,
                    "digest": hashlib.sha256(body + signature).digest(),
                }
            )
        if filled and not problems:
            bind.execute(
                sa.text(
                    "UPDATE vouchers SET valid_from = :valid_from, valid_until = :valid_until,"
                    " token_version = :version, token_sha256 = :digest WHERE serial = :serial"
                ).bindparams(
                    sa.bindparam("valid_from", type_=_UtcDateTime),
                    sa.bindparam("valid_until", type_=_UtcDateTime),
                    sa.bindparam("digest", type_=sa.LargeBinary()),
                ),
                filled,
            )
    # On Postgres the whole migration is one transaction: raising undoes the columns too.
    _refuse(problems, failed)

    with op.batch_alter_table("redemptions") as batch_op:
        batch_op.alter_column("token", existing_type=sa.Text(), nullable=True)
    bind.execute(
        sa.text(
            "UPDATE redemptions SET token = NULL WHERE serial IS NOT NULL AND token ="
            " (SELECT v.token FROM vouchers v WHERE v.serial = redemptions.serial)"
        )
    )
    with op.batch_alter_table("vouchers") as batch_op:
        for name, kind in (
            ("valid_from", _UtcDateTime),
            ("valid_until", _UtcDateTime),
            ("token_version", sa.SmallInteger()),
            ("token_sha256", sa.LargeBinary(32)),
        ):
            batch_op.alter_column(name, existing_type=kind, nullable=False)
        batch_op.drop_column("token")


def downgrade() -> None:
    bind = op.get_bind()
    with op.batch_alter_table("vouchers") as batch_op:
        batch_op.add_column(sa.Column("token", sa.String(160), nullable=True))
    keys: dict[int, Ed25519PrivateKey] | None = None
    problems: list[str] = []
    for rows in _chunks(
        bind,
        "SELECT v.serial, v.business_id, v.offer_id, v.variant, v.valid_from, v.valid_until,"
        " v.token_version, v.token_sha256, b.key_id"
        " FROM vouchers v JOIN books b ON b.id = v.book_id"
        " WHERE v.serial > :after ORDER BY v.serial LIMIT :n",
    ):
        keys = keys if keys is not None else _private_keys(bind)
        rebuilt = []
        for row in rows:
            if row.key_id not in keys:
                problems.append(f"serial {row.serial}: no signing key {row.key_id}")
                continue
            claims = VoucherClaims(
                key_id=row.key_id,
                business_id=row.business_id,
                offer_id=row.offer_id,
                serial=row.serial,
                valid_from=int(_aware(row.valid_from).timestamp()),
                valid_until=int(_aware(row.valid_until).timestamp()),
                variant=row.variant,
                version=row.token_version,
            )
            token = sign(claims, keys[row.key_id])
            _, body, signature = decode(token)
            if hashlib.sha256(body + signature).digest() != bytes(row.token_sha256):
                problems.append(f"serial {row.serial}: signing again gives another token")
                continue
            rebuilt.append({"serial": row.serial, "token": token})
        if rebuilt and not problems:
            bind.execute(
                sa.text("UPDATE vouchers SET token = :token WHERE serial = :serial"), rebuilt
            )
    _refuse(problems, len(problems))
    bind.execute(
        sa.text(
            "UPDATE redemptions SET token ="
            " (SELECT v.token FROM vouchers v WHERE v.serial = redemptions.serial)"
            " WHERE token IS NULL"
        )
    )
    with op.batch_alter_table("redemptions") as batch_op:
        batch_op.alter_column("token", existing_type=sa.Text(), nullable=False)
    with op.batch_alter_table("vouchers") as batch_op:
        batch_op.alter_column("token", existing_type=sa.String(160), nullable=False)
        batch_op.drop_column("token_sha256")
        batch_op.drop_column("token_version")
        batch_op.drop_column("valid_until")
        batch_op.drop_column("valid_from")


def _aware(moment: datetime | str) -> datetime:
    """Postgres hands back aware datetimes, SQLite the text it stored (UTC, no offset)."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
