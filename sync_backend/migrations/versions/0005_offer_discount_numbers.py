"""Offers say their discount in numbers: ``discount_kind`` and ``discount_value``.

The text stays for display; kiosks used to read the numbers out of it and skipped offers like
"2x1". Existing offers get what their text names (the reading ``app.core.discounts`` did on
2026-11-25, frozen below so a later change there cannot change what this migration did), or
kind ``other`` with no value. The rows also move to the head of the change feed so kiosks pull
them again with the numbers.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# Frozen copy of app.core.discounts.read_discount (now pika_protocol.discounts) as of this
# revision (a migration never imports live application code: tests/test_architecture.py).
_NUMBER = re.compile(r"\d[\d.,]*")
_CURRENCY = re.compile(r"\bgs\b|₲|\bpyg\b|guaran")
_MAX_AMOUNT = 2**53


def read_discount(text: str) -> tuple[str, int | None]:
    """The kind (``amount``/``percent``/``other``) and value a discount's text names."""
    match = _NUMBER.search(text)
    if match is not None and "%" in text:
        number = match.group().rstrip(".,")
        percent = round(float(number.replace(".", "").replace(",", ".")))
        if 1 <= percent <= 100:
            return "percent", percent
    elif match is not None and (_CURRENCY.search(text.lower()) or text.strip() == match.group()):
        amount = int(re.sub(r"[.,]", "", match.group()))
        if 1 <= amount <= _MAX_AMOUNT:
            return "amount", amount
    return "other", None


def upgrade() -> None:
    with op.batch_alter_table("offers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("discount_kind", sa.String(16), server_default="other", nullable=False)
        )
        batch_op.add_column(sa.Column("discount_value", sa.BigInteger(), nullable=True))
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    rows = bind.execute(sa.text("SELECT id, discount FROM offers ORDER BY id")).all()
    for offer_id, text in rows:
        kind, value = read_discount(text)
        if postgres:
            position = "seq = nextval('sync_seq'), txid = (pg_current_xact_id()::text)::bigint"
        else:  # the demo's SQLite counts feed positions in sync_counter
            bind.execute(sa.text("UPDATE sync_counter SET value = value + 1 WHERE id = 1"))
            position = "seq = (SELECT value FROM sync_counter WHERE id = 1)"
        bind.execute(
            sa.text(
                "UPDATE offers SET discount_kind = :kind, discount_value = :value, "
                f"{position} WHERE id = :id"
            ),
            {"kind": kind, "value": value, "id": offer_id},
        )


def downgrade() -> None:
    with op.batch_alter_table("offers", schema=None) as batch_op:
        batch_op.drop_column("discount_value")
        batch_op.drop_column("discount_kind")
