"""The local schema as SQLAlchemy Core tables: what the store's queries are written against.

The tables are created and changed only by the Alembic migrations in ``migrations/``; a test
checks that a migrated database matches these definitions exactly.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Uuid,
)

from app.core.store.column_types import Serial, UtcDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

settings = Table(
    "settings",
    metadata,
    Column("key", String, primary_key=True),
    Column("value", String, nullable=False),
)

signing_keys = Table(
    "signing_keys",
    metadata,
    Column("key_id", Integer, primary_key=True, autoincrement=False),
    Column("public_key", LargeBinary, nullable=False),
    Column("added_at", UtcDateTime, nullable=False),
)

offers = Table(
    "offers",
    metadata,
    Column("offer_id", Integer, primary_key=True, autoincrement=False),
    Column("business_id", Integer, nullable=False),
    Column("title", String, nullable=False),
    Column("discount_text", String, nullable=False),
    Column("discount_kind", String, nullable=False),
    #: Guaraníes (amount) or whole percent; NULL for an ``other`` discount ("2x1").
    Column("discount_value", Integer, nullable=True),
    Column("valid_from", UtcDateTime, nullable=True),
    Column("valid_until", UtcDateTime, nullable=True),
    Column("variant_labels", JSON, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    CheckConstraint(
        "(discount_kind IN ('amount', 'percent') AND discount_value IS NOT NULL)"
        " OR (discount_kind = 'other' AND discount_value IS NULL)",
        name="discount_kind",
    ),
)

#: Printed copies known from sync, so a typed short code maps back to its signed token.
vouchers = Table(
    "vouchers",
    metadata,
    Column("serial", Serial, primary_key=True, autoincrement=False),
    Column("offer_id", Integer, nullable=False),
    Column("business_id", Integer, nullable=False),
    Column("token", String, nullable=False),
    # NULL when two cached tokens share a short code: then neither may be typed in.
    Column("short_code", String, nullable=True, unique=True),
    Column("cached_at", UtcDateTime, nullable=False),
)

#: Short codes seen on more than one token; typing one of them must not pick either voucher.
ambiguous_short_codes = Table(
    "ambiguous_short_codes",
    metadata,
    Column("short_code", String, primary_key=True),
)

revocations = Table(
    "revocations",
    metadata,
    Column("serial", Serial, primary_key=True, autoincrement=False),
    Column("revoked_at", UtcDateTime, nullable=False),
)

redemptions = Table(
    "redemptions",
    metadata,
    Column("redemption_id", Uuid, primary_key=True),
    Column("serial", Serial, nullable=False),
    Column("offer_id", Integer, nullable=False),
    Column("business_id", Integer, nullable=False),
    Column("variant", Integer, nullable=False),
    Column("redeemed_at", UtcDateTime, nullable=False),
    Column("device_id", String, nullable=False),
    Column("device_name", String, nullable=False),
    Column("source", String, nullable=False),
    Column("voided_at", UtcDateTime, nullable=True),
    Column("void_reason", String, nullable=True),
    # 'local' (recorded at this kiosk) or 'remote' (made at another kiosk, learned from sync).
    Column("origin", String, nullable=False, server_default="local"),
    # What the cashier typed as the sale's total (guaraníes); NULL: skipped, or made elsewhere.
    Column("sale_total", BigInteger, nullable=True),
    CheckConstraint("source IN ('camera', 'wedge', 'manual')", name="source"),
    CheckConstraint("origin IN ('local', 'remote')", name="origin"),
    CheckConstraint("sale_total IS NULL OR sale_total > 0", name="sale_total"),
    CheckConstraint("(voided_at IS NULL) = (void_reason IS NULL)", name="void_has_reason"),
)

#: The database itself refuses a second live redemption of a printed copy; a voided one
#: (mistake undone by the cashier or voided by a manager) no longer counts.
live_redemption_per_serial = Index(
    "uq_redemptions_live_serial",
    redemptions.c.serial,
    unique=True,
    sqlite_where=redemptions.c.voided_at.is_(None),
)

scans = Table(
    "scans",
    metadata,
    Column("scan_id", Uuid, primary_key=True),
    Column("scanned_at", UtcDateTime, nullable=False, index=True),
    Column("device_id", String, nullable=False),
    Column("source", String, nullable=False),
    Column("reason", String, nullable=False),
    Column("serial", Serial, nullable=True),
    Column("offer_id", Integer, nullable=True),
    Column("business_id", Integer, nullable=True),
    Column("variant", Integer, nullable=True),
    Column("raw_excerpt", String, nullable=False),
    Column("raw_length", Integer, nullable=False),
    Column("detail", String, nullable=False),
    # Validation said valid, but the unique index found a live redemption: a race, kept.
    Column("refused_by_store", Boolean(create_constraint=True), nullable=False),
    Column(
        "redemption_id",
        Uuid,
        ForeignKey("redemptions.redemption_id"),
        nullable=True,
    ),
    CheckConstraint("source IN ('camera', 'wedge', 'manual')", name="source"),
)

outbox = Table(
    "outbox",
    metadata,
    Column("item_id", Uuid, primary_key=True),
    Column("kind", String, nullable=False),
    Column("payload", JSON, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("state", String, nullable=False),
    Column("last_error", String, nullable=True),
    # The backend's final answer (accepted, duplicate, conflict, or a rejection code).
    Column("server_result", String, nullable=True),
    # Set while a pending item is kept out of the push loop: the server kept failing (5xx) on
    # every request that carried it, and answered requests without it (see sync/engine.py).
    Column("set_aside_at", UtcDateTime, nullable=True),
    # A new redemption waits here while the cashier may type its sale total (the prompt is
    # open), at most until this time; NULL: free to be pushed.
    Column("held_until", UtcDateTime, nullable=True),
    CheckConstraint("kind IN ('redemption', 'scan', 'void')", name="kind"),
    CheckConstraint("state IN ('pending', 'done')", name="state"),
)

outbox_by_state = Index("ix_outbox_state_created_at", outbox.c.state, outbox.c.created_at)

#: What head office says of the kiosk's business with every pull (one row): its usual ticket.
business_facts = Table(
    "business_facts",
    metadata,
    Column("business_id", Integer, primary_key=True, autoincrement=False),
    Column("usual_ticket", BigInteger, nullable=True),
    Column("updated_at", UtcDateTime, nullable=False),
    CheckConstraint("usual_ticket IS NULL OR usual_ticket > 0", name="usual_ticket"),
)

#: Append-only (triggers refuse UPDATE and DELETE): what happened at this kiosk, in order.
events = Table(
    "events",
    metadata,
    Column("event_id", Integer, primary_key=True, autoincrement=True),
    Column("at", UtcDateTime, nullable=False),
    Column("type", String, nullable=False),
    Column("payload", JSON, nullable=False),
    sqlite_autoincrement=True,
)
