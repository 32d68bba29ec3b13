"""Redemptions learned from sync, and the server's answer to each outbox item.

Revision ID: 0002_sync_results
Revises: 0001_initial
Create Date: 2026-11-25

``redemptions.origin`` tells this kiosk's redemptions (``local``) from those made at the
business's other kiosks and pulled from the backend (``remote``), so validation can say
"already redeemed at Caja 2". ``outbox.server_result`` keeps the backend's final answer
(accepted, duplicate, conflict, a rejection code) for the history screen.

Plain ``ALTER TABLE ... ADD COLUMN`` (no batch copy): existing rows get the default and the
partial unique index on ``redemptions.serial`` is left exactly as it is.
"""

from __future__ import annotations

from alembic import op

revision = "0002_sync_results"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "ALTER TABLE redemptions ADD COLUMN origin VARCHAR NOT NULL DEFAULT 'local' "
        "CONSTRAINT ck_redemptions_origin CHECK (origin IN ('local', 'remote'))"
    )
    op.execute("ALTER TABLE outbox ADD COLUMN server_result VARCHAR")


def downgrade() -> None:
    op.execute("ALTER TABLE outbox DROP COLUMN server_result")
    op.execute("ALTER TABLE redemptions DROP COLUMN origin")
