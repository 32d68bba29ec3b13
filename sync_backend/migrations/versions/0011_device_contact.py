"""Kiosk contact (issue 15): when each device last pulled, and its outbox as it reported then.

Head office alerts on kiosks silent too long and on outboxes that do not drain; both are read
from these columns (``sync_backend.devices.contact``).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("devices", sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("devices", sa.Column("outbox_items", sa.Integer(), nullable=True))
    op.add_column(
        "devices", sa.Column("outbox_oldest_at", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    with op.batch_alter_table("devices") as batch:
        batch.drop_column("outbox_oldest_at")
        batch.drop_column("outbox_items")
        batch.drop_column("last_seen_at")
