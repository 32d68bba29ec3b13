"""Sale totals typed at the counter, the outbox hold while the cashier may type one, and the
business's usual ticket.

Revision ID: 0005_sale_totals
Revises: 0004_outbox_set_aside
Create Date: 2026-12-02

``redemptions.sale_total`` is what the cashier typed after a valid scan (guaraníes, NULL when
skipped); the manager panel sums it. ``outbox.held_until`` keeps a new redemption's item out
of the push while the sale-total prompt is open (at most until that time, so a lost prompt
never keeps an item back for long); the redemption itself is recorded at scan time.
``business_facts`` holds what head office says of the business with every pull: its usual
ticket, against which an absurd total is refused (issue 14).

Plain ``ALTER TABLE ... ADD COLUMN``: existing rows get NULL (no total, not held).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_sale_totals"
down_revision = "0004_outbox_set_aside"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "ALTER TABLE redemptions ADD COLUMN sale_total BIGINT "
        "CONSTRAINT ck_redemptions_sale_total CHECK (sale_total IS NULL OR sale_total > 0)"
    )
    op.execute("ALTER TABLE outbox ADD COLUMN held_until VARCHAR(27)")
    op.create_table(
        "business_facts",
        sa.Column("business_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("usual_ticket", sa.BigInteger(), nullable=True),
        sa.Column("updated_at", sa.String(length=27), nullable=False),
        sa.CheckConstraint(
            "usual_ticket IS NULL OR usual_ticket > 0", name="ck_business_facts_usual_ticket"
        ),
        sa.PrimaryKeyConstraint("business_id", name="pk_business_facts"),
    )


def downgrade() -> None:
    op.drop_table("business_facts")
    op.execute("ALTER TABLE outbox DROP COLUMN held_until")
    op.execute("ALTER TABLE redemptions DROP COLUMN sale_total")
