"""Kiosk voids reach head office: a redemption row can be voided, which frees its copy.

Adds ``voided_at``, ``void_reason`` and ``voided_by`` (the kiosk's void item id, so a replayed
void is known) to ``redemptions``, and narrows the partial unique index to live accepted rows:
a voided redemption no longer holds the printed copy, and at most one live accepted
redemption per serial remains guaranteed.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_OLD = "outcome = 'accepted'"
_NEW = "outcome = 'accepted' AND voided_at IS NULL"


def upgrade() -> None:
    with op.batch_alter_table("redemptions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("voided_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("void_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("voided_by", sa.Uuid(), nullable=True))
        batch_op.drop_index("uq_redemptions_accepted_serial")
        batch_op.create_index(
            "uq_redemptions_accepted_serial",
            ["serial"],
            unique=True,
            postgresql_where=sa.text(_NEW),
            sqlite_where=sa.text(_NEW),
        )


def downgrade() -> None:
    # Fails (unique violation) if a copy was redeemed again after a void: that history
    # cannot be expressed without the void columns, and is not silently thrown away.
    with op.batch_alter_table("redemptions", schema=None) as batch_op:
        batch_op.drop_index("uq_redemptions_accepted_serial")
        batch_op.create_index(
            "uq_redemptions_accepted_serial",
            ["serial"],
            unique=True,
            postgresql_where=sa.text(_OLD),
            sqlite_where=sa.text(_OLD),
        )
        batch_op.drop_column("voided_by")
        batch_op.drop_column("void_reason")
        batch_op.drop_column("voided_at")
