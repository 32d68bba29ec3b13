"""The backend's tables, one declarative metadata for Alembic and the repositories.

Rows the kiosks pull (offers, vouchers, signing keys, redemptions) carry ``seq`` and ``txid``:
``seq`` orders changes, ``txid`` is the Postgres transaction that wrote them. A pull serves
only rows of transactions that have finished (below the snapshot's xmin) in ``(txid, seq)``
order, so a slow transaction that commits late can never slip in behind a kiosk's cursor.
On SQLite (single writer, demo only) ``txid`` is 0 and ``seq`` alone orders the feed.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: SQLite only auto-increments an INTEGER primary key, Postgres gets a bigint.
BigIntId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSONType = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


class UtcDateTime(sa.TypeDecorator[datetime]):
    """Timezone-aware UTC on both dialects (SQLite would hand back naive datetimes)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: the backend stores UTC-aware times only")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Business(Base):
    __tablename__ = "businesses"
    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    tier: Mapped[str] = mapped_column(sa.String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    #: The business's usual sale, in guaraníes: estimated value = redemptions × this (ROI).
    usual_ticket: Mapped[int | None] = mapped_column(sa.BigInteger)


class SigningKey(Base):
    """An Ed25519 key that signs voucher tokens; the private half is Fernet-encrypted."""

    __tablename__ = "signing_keys"
    key_id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    public_key: Mapped[bytes] = mapped_column(sa.LargeBinary(32))
    private_key_encrypted: Mapped[bytes] = mapped_column(sa.LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    #: No longer signs new books; keeps verifying the books it signed.
    retired_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    seq: Mapped[int] = mapped_column(sa.BigInteger)
    txid: Mapped[int] = mapped_column(sa.BigInteger, server_default=sa.text("0"))


class Offer(Base):
    __tablename__ = "offers"
    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    business_id: Mapped[int] = mapped_column(sa.ForeignKey("businesses.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    #: Display text ("20%", "Gs. 15.000", "2x1"); kind and value say the same in numbers.
    discount: Mapped[str] = mapped_column(sa.String(200))
    #: ``amount`` (guaraníes), ``percent`` or ``other`` (no value: "2x1"); pika_protocol.discounts.
    discount_kind: Mapped[str] = mapped_column(sa.String(16), server_default="other")
    discount_value: Mapped[int | None] = mapped_column(sa.BigInteger)
    valid_from: Mapped[datetime] = mapped_column(UtcDateTime)
    valid_until: Mapped[datetime] = mapped_column(UtcDateTime)
    cap_total: Mapped[int | None] = mapped_column(sa.Integer)
    cap_per_customer: Mapped[int | None] = mapped_column(sa.Integer)
    #: [{"variant": 1, "label": "A", "weight": 50}, ...]; empty when the offer has no A/B test.
    variants: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    seq: Mapped[int] = mapped_column(sa.BigInteger)
    txid: Mapped[int] = mapped_column(sa.BigInteger, server_default=sa.text("0"))


class Book(Base):
    """One print run of an offer: ``copies`` signed vouchers and their PDF sheet."""

    __tablename__ = "books"
    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    offer_id: Mapped[int] = mapped_column(sa.ForeignKey("offers.id"), index=True)
    copies: Mapped[int] = mapped_column(sa.Integer)
    key_id: Mapped[int] = mapped_column(sa.ForeignKey("signing_keys.key_id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Voucher(Base):
    """One printed copy: its serial is redeemable at most once.

    The token itself is not stored (a dump would be as good as the printed books): these are
    its claims, from which ``vouchers.copies`` signs it again (the key via the book), and the
    SHA-256 of its signed bytes for the push path's "exactly the copy we printed?" check.
    """

    __tablename__ = "vouchers"
    serial: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    book_id: Mapped[int] = mapped_column(sa.ForeignKey("books.id"), index=True)
    offer_id: Mapped[int] = mapped_column(sa.ForeignKey("offers.id"), index=True)
    business_id: Mapped[int] = mapped_column(sa.ForeignKey("businesses.id"))
    variant: Mapped[int] = mapped_column(sa.SmallInteger)
    #: The validity window as signed (whole seconds), which outlives any later offer edit.
    valid_from: Mapped[datetime] = mapped_column(UtcDateTime)
    valid_until: Mapped[datetime] = mapped_column(UtcDateTime)
    token_version: Mapped[int] = mapped_column(sa.SmallInteger)
    token_sha256: Mapped[bytes] = mapped_column(sa.LargeBinary(32))
    short_code: Mapped[str] = mapped_column(sa.String(16), unique=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_reason: Mapped[str | None] = mapped_column(sa.String(200))
    seq: Mapped[int] = mapped_column(sa.BigInteger)
    txid: Mapped[int] = mapped_column(sa.BigInteger, server_default=sa.text("0"))
    __table_args__ = (sa.Index("ix_vouchers_feed", "business_id", "txid", "seq"),)


class Device(Base):
    __tablename__ = "devices"
    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    business_id: Mapped[int] = mapped_column(sa.ForeignKey("businesses.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    #: Its last pull (written at most once a minute per process: devices/contact.py).
    last_seen_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    #: Its outbox as it reported it then (``sync_wire.OUTBOX_HEADER``): items waiting, and
    #: when the oldest was queued (server time: the kiosk sends an age, not a time).
    outbox_items: Mapped[int | None] = mapped_column(sa.Integer)
    outbox_oldest_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class DeviceKey(Base):
    """A device API key, stored as its SHA-256 only (the key is shown once)."""

    __tablename__ = "device_keys"
    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    device_id: Mapped[str] = mapped_column(sa.ForeignKey("devices.id"), index=True)
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    rotate_after: Mapped[datetime] = mapped_column(UtcDateTime)
    #: Set when a newer key replaces this one: the overlap window's end.
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class EnrolmentCode(Base):
    __tablename__ = "enrolment_codes"
    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    business_id: Mapped[int] = mapped_column(sa.ForeignKey("businesses.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    device_id: Mapped[str | None] = mapped_column(sa.String(36))


#: The rows that hold a printed copy: at most one per serial (``uq_redemptions_accepted_serial``).
LIVE_ACCEPTED = "outcome = 'accepted' AND voided_at IS NULL"


class Redemption(Base):
    """Every item a kiosk pushed: redemptions it made and scans it refused.

    ``outcome`` is the server's answer (accepted, conflict, rejected, recorded). At most one
    live (not voided) row per serial is ``accepted``: the partial unique index enforces it under
    any concurrency. A kiosk ``void`` item sets ``voided_at``/``void_reason``/``voided_by`` (the
    void item's id); the row stays, its outcome unchanged, and the copy is free again.
    """

    __tablename__ = "redemptions"
    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    outcome: Mapped[str] = mapped_column(sa.String(16))
    business_id: Mapped[int] = mapped_column(sa.Integer)
    device_id: Mapped[str] = mapped_column(sa.String(36))
    serial: Mapped[int | None] = mapped_column(sa.BigInteger, index=True)
    offer_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    voucher_business_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    variant: Mapped[int | None] = mapped_column(sa.SmallInteger)
    #: The pushed text, kept only as evidence the server cannot rebuild (forged, malformed,
    #: unknown key, no printed twin), sealed (``redemptions.evidence``); null for a printed
    #: copy (its serial rebuilds it).
    token: Mapped[str | None] = mapped_column(sa.Text)
    source: Mapped[str] = mapped_column(sa.String(16))
    kiosk_reason: Mapped[str] = mapped_column(sa.String(32))
    server_reason: Mapped[str] = mapped_column(sa.String(32))
    conflict_with: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    scanned_at: Mapped[datetime] = mapped_column(UtcDateTime)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    #: Kiosk clock minus server clock when the batch was sent; null if the kiosk did not say.
    clock_skew_s: Mapped[int | None] = mapped_column(sa.Integer)
    latitude: Mapped[float | None] = mapped_column(sa.Float)
    longitude: Mapped[float | None] = mapped_column(sa.Float)
    #: Kiosk time of the void; null while the redemption stands.
    voided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    void_reason: Mapped[str | None] = mapped_column(sa.Text)
    #: Id of the kiosk's void item, so a replayed void is recognised as the same one.
    voided_by: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    #: What the cashier typed as the sale's total (guaraníes), when they did: recorded value.
    sale_total: Mapped[int | None] = mapped_column(sa.BigInteger)
    seq: Mapped[int] = mapped_column(sa.BigInteger)
    txid: Mapped[int] = mapped_column(sa.BigInteger, server_default=sa.text("0"))
    __table_args__ = (
        sa.Index(
            "uq_redemptions_accepted_serial",
            "serial",
            unique=True,
            postgresql_where=sa.text(LIVE_ACCEPTED),
            sqlite_where=sa.text(LIVE_ACCEPTED),
        ),
        sa.Index("ix_redemptions_feed", "business_id", "txid", "seq"),
        sa.Index("ix_redemptions_device_time", "device_id", "scanned_at"),
        # The fraud checks read every business's rows in feed order.
        sa.Index("ix_redemptions_txid_seq", "txid", "seq"),
    )


class IdempotencyKey(Base):
    """First answer to a push, replayed for the same key and body (IETF Idempotency-Key)."""

    __tablename__ = "idempotency_keys"
    device_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    request_hash: Mapped[str] = mapped_column(sa.String(64))
    status_code: Mapped[int | None] = mapped_column(sa.Integer)
    response_body: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class Event(Base):
    """Append-only log of what happened (never updated or deleted by the application)."""

    __tablename__ = "events"
    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(sa.String(64), index=True)
    business_id: Mapped[int | None] = mapped_column(sa.Integer, index=True)
    actor: Mapped[str] = mapped_column(sa.String(100))
    subject: Mapped[str] = mapped_column(sa.String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)


class FraudFlag(Base):
    """A suspicion for head office to review, with the evidence that raised it."""

    __tablename__ = "fraud_flags"
    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    rule: Mapped[str] = mapped_column(sa.String(32))
    #: Same rule + same dedupe key = same suspicion (re-running the checks adds nothing).
    dedupe_key: Mapped[str] = mapped_column(sa.String(200))
    business_id: Mapped[int | None] = mapped_column(sa.Integer, index=True)
    device_id: Mapped[str | None] = mapped_column(sa.String(36))
    serial: Mapped[int | None] = mapped_column(sa.BigInteger)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(sa.String(16), default="open")
    reviewed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    review_note: Mapped[str | None] = mapped_column(sa.Text)
    __table_args__ = (sa.UniqueConstraint("rule", "dedupe_key", name="uq_fraud_flags_rule_key"),)


class SyncCounter(Base):
    """SQLite stand-in for the Postgres sequence ``sync_seq`` (one row)."""

    __tablename__ = "sync_counter"
    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    value: Mapped[int] = mapped_column(sa.BigInteger)


class FraudCursor(Base):
    """How far the fraud checks have read the redemptions feed, in ``(txid, seq)`` order."""

    __tablename__ = "fraud_cursor"
    name: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    last_txid: Mapped[int] = mapped_column(sa.BigInteger)
    last_seq: Mapped[int] = mapped_column(sa.BigInteger)


# --- analytics (issue 14; docs/analytics.md) ------------------------------------------------


class BusinessPayment(Base):
    """What a business paid head office: a book-placement fee (charged on ``starts``) or a
    monthly subscription (from ``starts`` to ``ends``, open while null)."""

    __tablename__ = "business_payments"
    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    business_id: Mapped[int] = mapped_column(sa.ForeignKey("businesses.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16))  # analytics.events.PaymentKind
    amount: Mapped[int] = mapped_column(sa.BigInteger)
    starts: Mapped[date] = mapped_column(sa.Date)
    ends: Mapped[date | None] = mapped_column(sa.Date)
    note: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class BookDistribution(Base):
    """Copies ``first_copy``..``last_copy`` (1-based, in serial order) of a print run handed out
    at ``place`` on ``handed_out_on``. Ranges of one run never overlap."""

    __tablename__ = "book_distributions"
    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    book_id: Mapped[int] = mapped_column(sa.ForeignKey("books.id"), index=True)
    first_copy: Mapped[int] = mapped_column(sa.Integer)
    last_copy: Mapped[int] = mapped_column(sa.Integer)
    place: Mapped[str] = mapped_column(sa.String(200))
    handed_out_on: Mapped[date] = mapped_column(sa.Date)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


#: Lifecycle events head office's requests write (the projector writes the others).
HEAD_OFFICE_KINDS = "kind IN ('printed', 'distributed')"


class LifecycleEvent(Base):
    """One step in vouchers' lives (printed, distributed, scanned, redeemed, voided, expired).

    Append-only (a trigger refuses UPDATE, DELETE and TRUNCATE on Postgres). ``source_key``
    names what the event records ("scan:<item id>", "book:<id>:<variant>", ...), so recording
    it twice is harmless. ``local_day``/``local_hour`` are the business's calendar (fixed when
    the event is recorded), so the rollups and their rebuild group by plain columns.
    """

    __tablename__ = "lifecycle_events"
    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    source_key: Mapped[str] = mapped_column(sa.String(80), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime)
    local_day: Mapped[date] = mapped_column(sa.Date)
    local_hour: Mapped[int] = mapped_column(sa.SmallInteger)
    business_id: Mapped[int] = mapped_column(sa.Integer)
    offer_id: Mapped[int | None] = mapped_column(sa.Integer)
    variant: Mapped[int | None] = mapped_column(sa.SmallInteger)
    device_id: Mapped[str | None] = mapped_column(sa.String(36))
    quantity: Mapped[int] = mapped_column(sa.Integer)
    reason: Mapped[str | None] = mapped_column(sa.String(32))  # a refused scan's reason
    sale_total: Mapped[int | None] = mapped_column(sa.BigInteger)
    discount: Mapped[int | None] = mapped_column(sa.BigInteger)  # null: no guaraní value
    #: The writing transaction (Postgres), so the projector rolls up head office's events
    #: (printed, distributed) only once their transaction has finished, as the pull feed does.
    txid: Mapped[int] = mapped_column(sa.BigInteger, server_default=sa.text("0"))
    __table_args__ = (
        sa.Index("ix_lifecycle_events_business_day", "business_id", "local_day"),
        sa.Index(
            "ix_lifecycle_events_head_office_feed",
            "txid",
            "id",
            postgresql_where=sa.text(HEAD_OFFICE_KINDS),
            sqlite_where=sa.text(HEAD_OFFICE_KINDS),
        ),
        # the expiry sweep asks which offers it has done: a handful of rows among millions
        sa.Index(
            "ix_lifecycle_events_expired_offer",
            "offer_id",
            postgresql_where=sa.text("kind = 'expired'"),
            sqlite_where=sa.text("kind = 'expired'"),
        ),
    )


def _counter() -> Mapped[int]:
    return mapped_column(sa.BigInteger, default=0, server_default=sa.text("0"))


class DailyRollup(Base):
    """Per business, day, offer, variant and kiosk: the day's figures (0 / '' = none)."""

    __tablename__ = "analytics_daily"
    business_id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    local_day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    offer_id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    variant: Mapped[int] = mapped_column(sa.SmallInteger, primary_key=True)
    device_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    printed: Mapped[int] = _counter()
    distributed: Mapped[int] = _counter()
    expired: Mapped[int] = _counter()
    scanned: Mapped[int] = _counter()
    refused: Mapped[int] = _counter()
    redeemed: Mapped[int] = _counter()
    voided: Mapped[int] = _counter()
    sales_recorded: Mapped[int] = _counter()
    sales_sum: Mapped[int] = _counter()
    discount_all: Mapped[int] = _counter()
    discount_recorded: Mapped[int] = _counter()
    discount_unvalued: Mapped[int] = _counter()
    #: Head office's all-business view reads every business's days.
    __table_args__ = (sa.Index("ix_analytics_daily_day", "local_day"),)


class HourlyRollup(Base):
    """Per business, kiosk, day and hour: scans and redemptions (the hour × weekday map)."""

    __tablename__ = "analytics_hourly"
    business_id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    device_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    local_day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    local_hour: Mapped[int] = mapped_column(sa.SmallInteger, primary_key=True)
    scanned: Mapped[int] = _counter()
    redeemed: Mapped[int] = _counter()
    voided: Mapped[int] = _counter()


class RefusalRollup(Base):
    """Per business, day, offer, variant, kiosk and reason: refused scans."""

    __tablename__ = "analytics_refusals"
    business_id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    local_day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    offer_id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    variant: Mapped[int] = mapped_column(sa.SmallInteger, primary_key=True)
    device_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    reason: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    scans: Mapped[int] = _counter()


# Head office's all-business view reads these: the same counters without the dimensions it
# sums over, so it reads days (or a business's days), not businesses × offers × kiosks × days.


class KioskDailyRollup(Base):
    """Per business, day and kiosk: the daily counters summed over offers and variants."""

    __tablename__ = "analytics_kiosk_daily"
    business_id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    local_day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    device_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    printed: Mapped[int] = _counter()
    distributed: Mapped[int] = _counter()
    expired: Mapped[int] = _counter()
    scanned: Mapped[int] = _counter()
    refused: Mapped[int] = _counter()
    redeemed: Mapped[int] = _counter()
    voided: Mapped[int] = _counter()
    sales_recorded: Mapped[int] = _counter()
    sales_sum: Mapped[int] = _counter()
    discount_all: Mapped[int] = _counter()
    discount_recorded: Mapped[int] = _counter()
    discount_unvalued: Mapped[int] = _counter()
    __table_args__ = (sa.Index("ix_analytics_kiosk_daily_day", "local_day"),)


class DayTotals(Base):
    """Per day, every business together: the daily counters (head office's funnel)."""

    __tablename__ = "analytics_day_totals"
    local_day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    printed: Mapped[int] = _counter()
    distributed: Mapped[int] = _counter()
    expired: Mapped[int] = _counter()
    scanned: Mapped[int] = _counter()
    refused: Mapped[int] = _counter()
    redeemed: Mapped[int] = _counter()
    voided: Mapped[int] = _counter()
    sales_recorded: Mapped[int] = _counter()
    sales_sum: Mapped[int] = _counter()
    discount_all: Mapped[int] = _counter()
    discount_recorded: Mapped[int] = _counter()
    discount_unvalued: Mapped[int] = _counter()


class BusinessHourly(Base):
    """Per business, day and hour, its kiosks together: one business's hour × weekday map."""

    __tablename__ = "analytics_business_hourly"
    business_id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    local_day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    local_hour: Mapped[int] = mapped_column(sa.SmallInteger, primary_key=True)
    scanned: Mapped[int] = _counter()
    redeemed: Mapped[int] = _counter()
    voided: Mapped[int] = _counter()


class HourlyTotals(Base):
    """Per day and hour, every business and kiosk together: the all-business heat map."""

    __tablename__ = "analytics_hourly_totals"
    local_day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    local_hour: Mapped[int] = mapped_column(sa.SmallInteger, primary_key=True)
    scanned: Mapped[int] = _counter()
    redeemed: Mapped[int] = _counter()
    voided: Mapped[int] = _counter()


class RefusalTotals(Base):
    """Per day and reason, every business together: the all-business refused scans."""

    __tablename__ = "analytics_refusal_totals"
    local_day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    reason: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    scans: Mapped[int] = _counter()


class AnalyticsCursor(Base):
    """How far the analytics projector has read the redemptions feed (one row per feed)."""

    __tablename__ = "analytics_cursor"
    name: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    last_txid: Mapped[int] = mapped_column(sa.BigInteger)
    last_seq: Mapped[int] = mapped_column(sa.BigInteger)


# --- shop managers (issue 14): the manager desktop app's credentials -------------------------


class Manager(Base):
    """A shop manager's desktop app, enrolled with a head-office invitation for one business."""

    __tablename__ = "managers"
    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    business_id: Mapped[int] = mapped_column(sa.ForeignKey("businesses.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ManagerKey(Base):
    """A manager's API key (hashed), rotated like a device's with an overlap window."""

    __tablename__ = "manager_keys"
    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    manager_id: Mapped[str] = mapped_column(sa.ForeignKey("managers.id"), index=True)
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    rotate_after: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ManagerInvitation(Base):
    """A single-use, expiring code head office gives a shop manager (hashed, like enrolment)."""

    __tablename__ = "manager_invitations"
    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    business_id: Mapped[int] = mapped_column(sa.ForeignKey("businesses.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    manager_id: Mapped[str | None] = mapped_column(sa.String(36))
