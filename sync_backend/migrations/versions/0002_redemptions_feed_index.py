"""Index redemptions by (txid, seq) for the fraud checks' feed; drop the unused seq index.

The fraud checks read all businesses' rows in (txid, seq) order; the per-business feed index
cannot serve that, and nothing reads by seq alone.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("redemptions", schema=None) as batch_op:
        batch_op.drop_index("ix_redemptions_seq")
        batch_op.create_index("ix_redemptions_txid_seq", ["txid", "seq"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("redemptions", schema=None) as batch_op:
        batch_op.drop_index("ix_redemptions_txid_seq")
        batch_op.create_index("ix_redemptions_seq", ["seq"], unique=False)
