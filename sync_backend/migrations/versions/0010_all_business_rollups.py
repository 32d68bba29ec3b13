"""Head office's all-business rollups (issue 14): the daily counters per business, kiosk and
day (no offer or variant) and per day (no business either), and the hourly and refusal totals
per day (no business or kiosk).

They are filled here from the existing rollups (the same counters summed over the dimensions
they drop), so a backend with a year behind it shows head office's view at once; like every
rollup they are derived data that ``pika-backend analytics rebuild --verify`` checks against
the event log (and ``rebuild`` repairs, should an older process still have been projecting
while this ran).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

DAILY_COUNTERS = (
    "printed",
    "distributed",
    "expired",
    "scanned",
    "refused",
    "redeemed",
    "voided",
    "sales_recorded",
    "sales_sum",
    "discount_all",
    "discount_recorded",
    "discount_unvalued",
)
HOURLY_COUNTERS = ("scanned", "redeemed", "voided")


def _counter(name: str) -> sa.Column[int]:
    return sa.Column(name, sa.BigInteger(), server_default=sa.text("0"), nullable=False)


def _fill(target: str, source: str, key: tuple[str, ...], counters: tuple[str, ...]) -> None:
    columns = ", ".join((*key, *counters))
    sums = ", ".join(f"SUM({c})" for c in counters)
    keys = ", ".join(key)
    op.execute(
        f"INSERT INTO {target} ({columns}) SELECT {keys}, {sums} FROM {source} GROUP BY {keys}"
    )


def upgrade() -> None:
    op.create_table(
        "analytics_kiosk_daily",
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("local_day", sa.Date(), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        *[_counter(name) for name in DAILY_COUNTERS],
        sa.PrimaryKeyConstraint(
            "business_id", "local_day", "device_id", name=op.f("pk_analytics_kiosk_daily")
        ),
    )
    op.create_index("ix_analytics_kiosk_daily_day", "analytics_kiosk_daily", ["local_day"])
    op.create_table(
        "analytics_day_totals",
        sa.Column("local_day", sa.Date(), nullable=False),
        *[_counter(name) for name in DAILY_COUNTERS],
        sa.PrimaryKeyConstraint("local_day", name=op.f("pk_analytics_day_totals")),
    )
    op.create_table(
        "analytics_hourly_totals",
        sa.Column("local_day", sa.Date(), nullable=False),
        sa.Column("local_hour", sa.SmallInteger(), nullable=False),
        *[_counter(name) for name in HOURLY_COUNTERS],
        sa.PrimaryKeyConstraint("local_day", "local_hour", name=op.f("pk_analytics_hourly_totals")),
    )
    op.create_table(
        "analytics_refusal_totals",
        sa.Column("local_day", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        _counter("scans"),
        sa.PrimaryKeyConstraint("local_day", "reason", name=op.f("pk_analytics_refusal_totals")),
    )
    _fill(
        "analytics_kiosk_daily",
        "analytics_daily",
        ("business_id", "local_day", "device_id"),
        DAILY_COUNTERS,
    )
    _fill("analytics_day_totals", "analytics_daily", ("local_day",), DAILY_COUNTERS)
    _fill(
        "analytics_hourly_totals", "analytics_hourly", ("local_day", "local_hour"), HOURLY_COUNTERS
    )
    _fill("analytics_refusal_totals", "analytics_refusals", ("local_day", "reason"), ("scans",))


def downgrade() -> None:
    for table in (
        "analytics_refusal_totals",
        "analytics_hourly_totals",
        "analytics_day_totals",
        "analytics_kiosk_daily",
    ):
        op.drop_table(table)
