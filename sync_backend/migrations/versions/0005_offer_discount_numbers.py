"""Offers say their discount in numbers: ``discount_kind`` and ``discount_value``.

The text stays for display; kiosks used to read the numbers out of it and skipped offers like
"2x1". Existing offers get what their text names (``app.core.discounts.read_discount``, the
same reading the kiosk did), or kind ``other`` with no value. The rows also move to the head
of the change feed so kiosks pull them again with the numbers.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from app.core.discounts import read_discount

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


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
            {"kind": kind.value, "value": value, "id": offer_id},
        )


def downgrade() -> None:
    with op.batch_alter_table("offers", schema=None) as batch_op:
        batch_op.drop_column("discount_value")
        batch_op.drop_column("discount_kind")
