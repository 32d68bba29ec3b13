"""Offers whose discount names no amount or percentage ("2x1", a free item).

``offers.discount_kind`` may now be ``other``, with no ``discount_value``; amounts and
percentages still need theirs. Before, such offers were skipped at sync and the cashier saw
no offer title for their vouchers.

Revision ID: 0003_other_discounts
Revises: 0002_sync_results
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_other_discounts"
down_revision = "0002_sync_results"
branch_labels = None
depends_on = None

_NEW = (
    "(discount_kind IN ('amount', 'percent') AND discount_value IS NOT NULL)"
    " OR (discount_kind = 'other' AND discount_value IS NULL)"
)
_OLD = "discount_kind IN ('amount', 'percent')"


def upgrade() -> None:
    # SQLite changes a CHECK by copying the table (batch mode); offers has no foreign keys.
    with op.batch_alter_table("offers", recreate="always") as batch:
        batch.drop_constraint("ck_offers_discount_kind", type_="check")
        batch.alter_column("discount_value", existing_type=sa.Integer(), nullable=True)
        batch.create_check_constraint("discount_kind", _NEW)


def downgrade() -> None:
    op.execute("DELETE FROM offers WHERE discount_kind = 'other'")
    with op.batch_alter_table("offers", recreate="always") as batch:
        batch.drop_constraint("ck_offers_discount_kind", type_="check")
        batch.alter_column("discount_value", existing_type=sa.Integer(), nullable=False)
        batch.create_check_constraint("discount_kind", _OLD)
