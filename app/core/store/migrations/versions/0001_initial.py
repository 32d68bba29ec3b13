"""Initial kiosk store: reference data, scans, redemptions, outbox, events.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None

# Stored forms, spelled out so this revision never changes when app types evolve:
# timestamps are fixed-width ISO-8601 UTC text, serials two's-complement 64-bit integers.
UTC_TEXT = sa.String(27)
SERIAL = sa.BigInteger()


def upgrade() -> None:
    op.create_table(
        "settings",
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("value", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_settings"),
    )
    op.create_table(
        "signing_keys",
        sa.Column("key_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("added_at", UTC_TEXT, nullable=False),
        sa.PrimaryKeyConstraint("key_id", name="pk_signing_keys"),
    )
    op.create_table(
        "offers",
        sa.Column("offer_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("discount_text", sa.String(), nullable=False),
        sa.Column("discount_kind", sa.String(), nullable=False),
        sa.Column("discount_value", sa.Integer(), nullable=False),
        sa.Column("valid_from", UTC_TEXT, nullable=True),
        sa.Column("valid_until", UTC_TEXT, nullable=True),
        sa.Column("variant_labels", sa.JSON(), nullable=False),
        sa.Column("updated_at", UTC_TEXT, nullable=False),
        sa.CheckConstraint(
            "discount_kind IN ('amount', 'percent')", name="ck_offers_discount_kind"
        ),
        sa.PrimaryKeyConstraint("offer_id", name="pk_offers"),
    )
    op.create_table(
        "vouchers",
        sa.Column("serial", SERIAL, autoincrement=False, nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(), nullable=False),
        sa.Column("short_code", sa.String(), nullable=True),
        sa.Column("cached_at", UTC_TEXT, nullable=False),
        sa.PrimaryKeyConstraint("serial", name="pk_vouchers"),
        sa.UniqueConstraint("short_code", name="uq_vouchers_short_code"),
    )
    op.create_table(
        "ambiguous_short_codes",
        sa.Column("short_code", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("short_code", name="pk_ambiguous_short_codes"),
    )
    op.create_table(
        "revocations",
        sa.Column("serial", SERIAL, autoincrement=False, nullable=False),
        sa.Column("revoked_at", UTC_TEXT, nullable=False),
        sa.PrimaryKeyConstraint("serial", name="pk_revocations"),
    )
    op.create_table(
        "redemptions",
        sa.Column("redemption_id", sa.Uuid(), nullable=False),
        sa.Column("serial", SERIAL, nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("variant", sa.Integer(), nullable=False),
        sa.Column("redeemed_at", UTC_TEXT, nullable=False),
        sa.Column("device_id", sa.String(), nullable=False),
        sa.Column("device_name", sa.String(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("voided_at", UTC_TEXT, nullable=True),
        sa.Column("void_reason", sa.String(), nullable=True),
        sa.CheckConstraint("source IN ('camera', 'wedge', 'manual')", name="ck_redemptions_source"),
        sa.CheckConstraint(
            "(voided_at IS NULL) = (void_reason IS NULL)", name="ck_redemptions_void_has_reason"
        ),
        sa.PrimaryKeyConstraint("redemption_id", name="pk_redemptions"),
    )
    # The database, not a check before the insert, refuses a second live redemption.
    op.create_index(
        "uq_redemptions_live_serial",
        "redemptions",
        ["serial"],
        unique=True,
        sqlite_where=sa.text("voided_at IS NULL"),
    )
    op.create_table(
        "scans",
        sa.Column("scan_id", sa.Uuid(), nullable=False),
        sa.Column("scanned_at", UTC_TEXT, nullable=False),
        sa.Column("device_id", sa.String(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("serial", SERIAL, nullable=True),
        sa.Column("offer_id", sa.Integer(), nullable=True),
        sa.Column("business_id", sa.Integer(), nullable=True),
        sa.Column("variant", sa.Integer(), nullable=True),
        sa.Column("raw_excerpt", sa.String(), nullable=False),
        sa.Column("raw_length", sa.Integer(), nullable=False),
        sa.Column("detail", sa.String(), nullable=False),
        sa.Column(
            "refused_by_store",
            sa.Boolean(create_constraint=True, name="ck_scans_refused_by_store"),
            nullable=False,
        ),
        sa.Column("redemption_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint("source IN ('camera', 'wedge', 'manual')", name="ck_scans_source"),
        sa.ForeignKeyConstraint(
            ["redemption_id"],
            ["redemptions.redemption_id"],
            name="fk_scans_redemption_id_redemptions",
        ),
        sa.PrimaryKeyConstraint("scan_id", name="pk_scans"),
    )
    op.create_index("ix_scans_scanned_at", "scans", ["scanned_at"])
    op.create_table(
        "outbox",
        sa.Column("item_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", UTC_TEXT, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("last_error", sa.String(), nullable=True),
        sa.CheckConstraint("kind IN ('redemption', 'scan', 'void')", name="ck_outbox_kind"),
        sa.CheckConstraint("state IN ('pending', 'done')", name="ck_outbox_state"),
        sa.PrimaryKeyConstraint("item_id", name="pk_outbox"),
    )
    op.create_index("ix_outbox_state_created_at", "outbox", ["state", "created_at"])
    op.create_table(
        "events",
        sa.Column("event_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", UTC_TEXT, nullable=False),
        sa.Column("type", sa.String(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name="pk_events"),
        sqlite_autoincrement=True,
    )
    # The event log is evidence: the database refuses to rewrite or drop what happened.
    op.execute(
        "CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events "
        "BEGIN SELECT RAISE(ABORT, 'events are append-only'); END"
    )
    op.execute(
        "CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events "
        "BEGIN SELECT RAISE(ABORT, 'events are append-only'); END"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER events_append_only_delete")
    op.execute("DROP TRIGGER events_append_only_update")
    for table in (
        "events",
        "outbox",
        "scans",
        "redemptions",
        "revocations",
        "ambiguous_short_codes",
        "vouchers",
        "offers",
        "signing_keys",
        "settings",
    ):
        op.drop_table(table)
