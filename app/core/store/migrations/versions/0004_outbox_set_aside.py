"""Outbox items set aside because the server fails on them.

Revision ID: 0004_outbox_set_aside
Revises: 0003_other_discounts
Create Date: 2026-12-02

``outbox.set_aside_at`` marks a pending item the push loop keeps out of its batches: head
office answered 5xx to every request that carried it and answered the requests without it, so
it would otherwise hold every later item back (issue 12). The item stays pending, is shown to
the manager and is tried again alone (daily, or when the manager asks).

Plain ``ALTER TABLE ... ADD COLUMN`` (no batch copy): existing rows get NULL (in the queue).
"""

from __future__ import annotations

from alembic import op

revision = "0004_outbox_set_aside"
down_revision = "0003_other_discounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE outbox ADD COLUMN set_aside_at VARCHAR(27)")


def downgrade() -> None:
    op.execute("ALTER TABLE outbox DROP COLUMN set_aside_at")
