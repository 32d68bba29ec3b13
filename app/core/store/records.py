"""What the store hands back and takes in: small frozen records in the shop's words."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType

from app.core.store.errors import InvalidRecordError
from app.core.store.outbox_payload import OutboxPayload
from pika_protocol.discounts import DiscountKind, discount_problem
from pika_protocol.sync_wire import ItemKind, ScanSource
from pika_protocol.tokens import VoucherClaims
from pika_protocol.validation import PriorRedemption, Reason

_U32 = 0xFFFF_FFFF


# One enum per concept: an outbox row's kind and a scan's source are stored with the codes
# the wire sends, so the store names the wire's enums (re-exported by app.core.store).
OutboxKind = ItemKind


class OutboxState(StrEnum):
    """An item stays ``pending`` until the server has answered it for good."""

    PENDING = "pending"
    DONE = "done"


def require_utc_aware(name: str, value: datetime) -> None:
    """Refuse naive datetimes: a time without a zone cannot be compared across devices."""
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise InvalidRecordError(f"{name} must be a timezone-aware datetime, got {value!r}")


@dataclass(frozen=True, slots=True)
class Offer:
    """One discount a business offers in the voucher book, as shown to the cashier."""

    offer_id: int
    business_id: int
    title: str
    discount_text: str
    discount_kind: DiscountKind
    #: Guaraníes for AMOUNT, whole percent for PERCENT, None for OTHER ("2x1").
    discount_value: int | None
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    #: A/B variant number (as signed in the token) -> label shown in reports.
    variant_labels: Mapping[int, str] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        for name in ("offer_id", "business_id"):
            value = getattr(self, name)
            if not isinstance(value, int) or not 0 <= value <= _U32:
                raise InvalidRecordError(f"offer {name} must be an integer in 0..{_U32}")
        if not isinstance(self.title, str) or not self.title.strip():
            raise InvalidRecordError("offer title must be non-empty text")
        if not isinstance(self.discount_text, str):
            raise InvalidRecordError("offer discount_text must be text")
        try:
            kind = DiscountKind(self.discount_kind)
        except ValueError as exc:
            raise InvalidRecordError(f"unknown discount kind {self.discount_kind!r}") from exc
        object.__setattr__(self, "discount_kind", kind)
        problem = discount_problem(kind, self.discount_value)
        if problem is not None:
            raise InvalidRecordError(problem)
        for name in ("valid_from", "valid_until"):
            value = getattr(self, name)
            if value is not None:
                require_utc_aware(f"offer {name}", value)
        if (
            self.valid_from is not None
            and self.valid_until is not None
            and self.valid_until < self.valid_from
        ):
            raise InvalidRecordError("offer valid_until is before valid_from")
        labels = dict(self.variant_labels)
        for variant, label in labels.items():
            if not isinstance(variant, int) or not 0 <= variant <= 0xFF:
                raise InvalidRecordError(f"variant must be an integer in 0..255, got {variant!r}")
            if not isinstance(label, str):
                raise InvalidRecordError(f"variant label must be text, got {label!r}")
        object.__setattr__(self, "variant_labels", MappingProxyType(labels))

    def variant_label(self, variant: int) -> str | None:
        return self.variant_labels.get(variant)


@dataclass(frozen=True, slots=True)
class RecordedScan:
    """What ``store.activity.record_scan`` committed, and what the cashier should be shown.

    ``reason`` is the final answer. It differs from the validation's only when validation said
    valid but the database refused a second live redemption of the serial (``refused_by_store``):
    then it is ``already_redeemed`` and ``prior`` is the redemption that got there first.
    """

    scan_id: uuid.UUID
    reason: Reason
    scanned_at: datetime
    device_id: str
    source: ScanSource
    claims: VoucherClaims | None
    prior: PriorRedemption | None
    refused_by_store: bool = False
    #: True when this scan id had already been recorded: nothing new was written.
    replayed: bool = False
    #: The redemption's outbox item waits for the sale-total prompt (it is let go when the
    #: prompt closes, at the latest when its hold runs out).
    held: bool = False

    @property
    def accepted(self) -> bool:
        return self.reason is Reason.VALID

    @property
    def redemption_id(self) -> uuid.UUID | None:
        """The redemption's id is the scan's id: made once at the kiosk, its idempotency key."""
        return self.scan_id if self.accepted else None


@dataclass(frozen=True, slots=True)
class ScanRecord:
    """One line of the scan history shown in the kiosk and the manager view."""

    scan_id: uuid.UUID
    scanned_at: datetime
    device_id: str
    source: ScanSource
    reason: Reason
    serial: int | None
    offer_id: int | None
    business_id: int | None
    variant: int | None
    redemption_id: uuid.UUID | None
    detail: str
    #: The server has answered this scan's outbox item (it is no longer waiting to sync).
    synced: bool
    #: The server's final answer once synced (accepted, duplicate, conflict, a rejection code).
    sync_result: str | None = None
    #: Not synced and kept out of the push queue: head office fails on it (see sync/engine.py).
    set_aside: bool = False


@dataclass(frozen=True, slots=True)
class CounterRow:
    """One scan as the manager's today / this week view counts it."""

    scanned_at: datetime
    reason: Reason
    #: A redemption taken back since (undo or void): it no longer counts as one.
    voided: bool = False
    #: What the cashier typed as the sale's total, for a redemption where they did.
    sale_total: int | None = None


@dataclass(frozen=True, slots=True)
class RemoteRedemption:
    """A redemption made at another kiosk of this business, learned from the backend."""

    redemption_id: uuid.UUID
    serial: int
    offer_id: int
    business_id: int
    variant: int
    redeemed_at: datetime
    device_id: str
    device_name: str
    source: ScanSource

    def __post_init__(self) -> None:
        if not isinstance(self.redemption_id, uuid.UUID):
            raise InvalidRecordError(f"redemption_id must be a UUID, got {self.redemption_id!r}")
        if not isinstance(self.serial, int) or not 0 <= self.serial < 2**64:
            raise InvalidRecordError(f"serial must be an unsigned 64-bit integer: {self.serial!r}")
        for name, upper in (("offer_id", _U32), ("business_id", _U32), ("variant", 0xFF)):
            value = getattr(self, name)
            if not isinstance(value, int) or not 0 <= value <= upper:
                raise InvalidRecordError(f"{name} must be an integer in 0..{upper}, got {value!r}")
        require_utc_aware("redeemed_at", self.redeemed_at)
        if not isinstance(self.device_id, str) or not self.device_id:
            raise InvalidRecordError("device_id must be non-empty text")
        if not isinstance(self.device_name, str):
            raise InvalidRecordError("device_name must be text")
        try:
            object.__setattr__(self, "source", ScanSource(self.source))
        except ValueError as exc:
            raise InvalidRecordError(f"unknown scan source {self.source!r}") from exc


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """One thing waiting to be sent to the sync backend; ``item_id`` is its idempotency key."""

    item_id: uuid.UUID
    kind: OutboxKind
    #: What is pushed (the wire item itself) and what stays here; see outbox_payload.
    payload: OutboxPayload = field(hash=False)
    created_at: datetime
    attempts: int
    state: OutboxState
    last_error: str | None
    server_result: str | None = None
    #: When the push loop set this item aside (the server fails on it alone); None: in the queue.
    set_aside_at: datetime | None = None
    #: Kept from the push until then while the cashier may type the sale total; None: free.
    held_until: datetime | None = None
