"""The event log refuses TRUNCATE too (it already refused UPDATE and DELETE row by row).

A ``BEFORE TRUNCATE`` statement trigger on ``events`` raises, with the same function as the
row triggers. Like them it guards against mistakes and a compromised application role, not
against the database owner, who can drop triggers: run the backend as a role that does not
own the tables (see README, "Event log"). SQLite (the demo) has no TRUNCATE.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events "
        "FOR EACH STATEMENT EXECUTE FUNCTION events_append_only()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS events_no_truncate ON events")
