"""One business's hours, its kiosks together (issue 14): the hour × weekday map of a business
read a row per day and hour instead of one per kiosk too. Filled here from ``analytics_hourly``
(the same counters summed over kiosks); like every rollup, checked against the event log by
``pika-backend analytics rebuild --verify``.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def _counter(name: str) -> sa.Column[int]:
    return sa.Column(name, sa.BigInteger(), server_default=sa.text("0"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "analytics_business_hourly",
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("local_day", sa.Date(), nullable=False),
        sa.Column("local_hour", sa.SmallInteger(), nullable=False),
        *[_counter(name) for name in ("scanned", "redeemed", "voided")],
        sa.PrimaryKeyConstraint(
            "business_id", "local_day", "local_hour", name=op.f("pk_analytics_business_hourly")
        ),
    )
    op.execute(
        "INSERT INTO analytics_business_hourly"
        " (business_id, local_day, local_hour, scanned, redeemed, voided)"
        " SELECT business_id, local_day, local_hour, SUM(scanned), SUM(redeemed), SUM(voided)"
        " FROM analytics_hourly GROUP BY business_id, local_day, local_hour"
    )


def downgrade() -> None:
    op.drop_table("analytics_business_hourly")
