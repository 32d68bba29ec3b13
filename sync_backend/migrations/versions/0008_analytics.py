"""Analytics (issue 14): lifecycle events, rollups, money and book distributions.

``lifecycle_events`` is append-only like ``events`` (row triggers and a TRUNCATE trigger on
Postgres, with the same function). The rollups are derived data: ``pika-backend analytics
rebuild`` recomputes them from the events. ``businesses.usual_ticket`` and
``redemptions.sale_total`` are new and empty: ROI shows "no usual ticket" until head office
sets one.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

#: Lifecycle events head office's requests write; the projector rolls them up from a feed.
HEAD_OFFICE_KINDS = "kind IN ('printed', 'distributed')"


def _counter(name: str) -> sa.Column[int]:
    return sa.Column(name, sa.BigInteger(), server_default=sa.text("0"), nullable=False)


def upgrade() -> None:
    with op.batch_alter_table("businesses") as batch_op:
        batch_op.add_column(sa.Column("usual_ticket", sa.BigInteger(), nullable=True))
    with op.batch_alter_table("redemptions") as batch_op:
        batch_op.add_column(sa.Column("sale_total", sa.BigInteger(), nullable=True))

    op.create_table(
        "business_payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("starts", sa.Date(), nullable=False),
        sa.Column("ends", sa.Date(), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["business_id"],
            ["businesses.id"],
            name=op.f("fk_business_payments_business_id_businesses"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_business_payments")),
    )
    op.create_index(op.f("ix_business_payments_business_id"), "business_payments", ["business_id"])
    op.create_table(
        "book_distributions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("book_id", sa.Integer(), nullable=False),
        sa.Column("first_copy", sa.Integer(), nullable=False),
        sa.Column("last_copy", sa.Integer(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("handed_out_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["book_id"], ["books.id"], name=op.f("fk_book_distributions_book_id_books")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_book_distributions")),
    )
    op.create_index(op.f("ix_book_distributions_book_id"), "book_distributions", ["book_id"])
    op.create_table(
        "lifecycle_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("source_key", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("local_day", sa.Date(), nullable=False),
        sa.Column("local_hour", sa.SmallInteger(), nullable=False),
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=True),
        sa.Column("variant", sa.SmallInteger(), nullable=True),
        sa.Column("device_id", sa.String(length=36), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.Column("sale_total", sa.BigInteger(), nullable=True),
        sa.Column("discount", sa.BigInteger(), nullable=True),
        sa.Column("txid", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lifecycle_events")),
        sa.UniqueConstraint("source_key", name=op.f("uq_lifecycle_events_source_key")),
    )
    op.create_index(
        "ix_lifecycle_events_business_day", "lifecycle_events", ["business_id", "local_day"]
    )
    op.create_index(
        "ix_lifecycle_events_head_office_feed",
        "lifecycle_events",
        ["txid", "id"],
        postgresql_where=sa.text(HEAD_OFFICE_KINDS),
        sqlite_where=sa.text(HEAD_OFFICE_KINDS),
    )
    op.create_index(
        "ix_lifecycle_events_expired_offer",
        "lifecycle_events",
        ["offer_id"],
        postgresql_where=sa.text("kind = 'expired'"),
        sqlite_where=sa.text("kind = 'expired'"),
    )
    daily_key = ("business_id", "local_day", "offer_id", "variant", "device_id")
    op.create_table(
        "analytics_daily",
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("local_day", sa.Date(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("variant", sa.SmallInteger(), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        *[
            _counter(name)
            for name in (
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
        ],
        sa.PrimaryKeyConstraint(*daily_key, name=op.f("pk_analytics_daily")),
    )
    op.create_index("ix_analytics_daily_day", "analytics_daily", ["local_day"])
    op.create_table(
        "analytics_hourly",
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("local_day", sa.Date(), nullable=False),
        sa.Column("local_hour", sa.SmallInteger(), nullable=False),
        _counter("scanned"),
        _counter("redeemed"),
        _counter("voided"),
        sa.PrimaryKeyConstraint(
            "business_id", "device_id", "local_day", "local_hour", name=op.f("pk_analytics_hourly")
        ),
    )
    op.create_table(
        "analytics_refusals",
        sa.Column("business_id", sa.Integer(), nullable=False),
        sa.Column("local_day", sa.Date(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("variant", sa.SmallInteger(), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        _counter("scans"),
        sa.PrimaryKeyConstraint(*daily_key, "reason", name=op.f("pk_analytics_refusals")),
    )
    op.create_table(
        "analytics_cursor",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("last_txid", sa.BigInteger(), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_analytics_cursor")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE lifecycle_events ALTER COLUMN txid "
            "SET DEFAULT (pg_current_xact_id()::text)::bigint"
        )
        op.execute(
            """
            CREATE FUNCTION lifecycle_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'lifecycle_events is append-only (% refused)', TG_OP;
            END $$
            """
        )
        op.execute(
            "CREATE TRIGGER lifecycle_events_append_only BEFORE UPDATE OR DELETE ON "
            "lifecycle_events FOR EACH ROW EXECUTE FUNCTION lifecycle_events_append_only()"
        )
        op.execute(
            "CREATE TRIGGER lifecycle_events_no_truncate BEFORE TRUNCATE ON lifecycle_events "
            "FOR EACH STATEMENT EXECUTE FUNCTION lifecycle_events_append_only()"
        )


def downgrade() -> None:
    for table in (
        "analytics_cursor",
        "analytics_refusals",
        "analytics_hourly",
        "analytics_daily",
        "lifecycle_events",
        "book_distributions",
        "business_payments",
    ):
        op.drop_table(table)  # indexes and triggers go with their table
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS lifecycle_events_append_only()")
    with op.batch_alter_table("redemptions") as batch_op:
        batch_op.drop_column("sale_total")
    with op.batch_alter_table("businesses") as batch_op:
        batch_op.drop_column("usual_ticket")
