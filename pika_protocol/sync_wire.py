"""The sync wire: what kiosk and backend send each other, in one module both import.

Pure pydantic (no Qt, no FastAPI) so the kiosk's sync client and the backend's endpoints
validate the very same shapes. Paths and header names live here too, so neither side spells
them on its own.

Flow for a kiosk (see ``sync_backend`` README section for the full contract):

1. ``POST ENROL_PATH`` with :class:`EnrolRequest` → :class:`EnrolResponse` (API key shown once).
2. ``GET PULL_PATH?cursor=...`` with ``Authorization: Bearer <api key>`` → :class:`PullResponse`;
   repeat while ``more`` is true; keep ``cursor`` for next time (opaque text); pull again after
   ``poll_interval_s``. Each pull carries :data:`OUTBOX_HEADER` (what waits to be pushed).
3. ``POST PUSH_PATH`` with an ``Idempotency-Key`` header and :class:`PushRequest` →
   :class:`PushResponse`, one :class:`PushItemResult` per item, in the same order.
   Drop an outbox item only on a final outcome (every outcome here is final); keep it on
   5xx, 409, 429 or a broken connection and retry with the same key and body (a 429 says
   ``remaining`` and Retry-After: send at most ``remaining + 1`` items then).
4. ``POST ROTATE_KEY_PATH`` when a pull says ``rotate_key``: the old key keeps working for the
   overlap window, so a lost answer can be retried.

Any refusal has the body :class:`ErrorBody`; ``error.code == "device_revoked"`` with
``wipe: true`` tells the kiosk to wipe its local data.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal, Self
from uuid import UUID

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
    model_validator,
)

from pika_protocol.discounts import MAX_AMOUNT, DiscountKind
from pika_protocol.tokens import MAX_INPUT_LENGTH
from pika_protocol.validation import Reason

API_PREFIX = "/v1"
ENROL_PATH = "/v1/devices/enrol"
ROTATE_KEY_PATH = "/v1/devices/me/rotate-key"
PULL_PATH = "/v1/sync/pull"
PUSH_PATH = "/v1/sync/push"
IDEMPOTENCY_HEADER = "Idempotency-Key"
#: QR form of an enrolment code that also names the server: ``pika-enrol:<code>@<url>``.
ENROL_URI_SCHEME = "pika-enrol:"


#: Sent with every pull: how many items the kiosk's outbox holds and how long the oldest has
#: waited, ``"<items> <seconds>"`` (``"0 0"`` when empty). Head office cannot see a kiosk's
#: outbox otherwise; it alerts when a business's kiosks are in contact but do not drain.
#: An age, not a time: the kiosk's clock may be off, its count of seconds is not.
OUTBOX_HEADER = "Pika-Outbox"
#: Bounds of what :func:`read_outbox_report` believes (a count, and ten years).
MAX_OUTBOX_REPORT_ITEMS = 10_000_000
MAX_OUTBOX_REPORT_AGE_S = 10 * 366 * 86400


def outbox_report(items: int, oldest_age_s: float) -> str:
    """The ``OUTBOX_HEADER`` value for ``items`` waiting, the oldest ``oldest_age_s`` old."""
    items = max(0, int(items))
    age = max(0, int(oldest_age_s)) if items else 0
    return f"{items} {age}"


def read_outbox_report(text: str | None) -> tuple[int, int] | None:
    """``(items, oldest age in seconds)`` from an ``OUTBOX_HEADER`` value; None when absent
    or not understood (an older or newer kiosk is never refused for it)."""
    if not text or len(text) > 40:
        return None
    parts = text.strip().split(" ")
    if len(parts) != 2 or not all(p.isascii() and p.isdigit() for p in parts):
        return None
    items, age = int(parts[0]), int(parts[1])
    if items > MAX_OUTBOX_REPORT_ITEMS or age > MAX_OUTBOX_REPORT_AGE_S:
        return None
    return items, (age if items else 0)


def enrolment_uri(code: str, server_url: str | None) -> str:
    """What an enrolment QR holds: the bare code, or the code and the server to enrol with."""
    return f"{ENROL_URI_SCHEME}{code}@{server_url.rstrip('/')}" if server_url else code


#: Longest token text an outbox item may carry. Hostile scans longer than a token are still
#: evidence worth keeping, so this is well above ``tokens.MAX_INPUT_LENGTH``; a kiosk truncates
#: anything longer to this length before queueing (it is ``malformed`` either way).
MAX_ITEM_TOKEN_LENGTH = 2 * MAX_INPUT_LENGTH

# Strict where a lax reading would change the meaning (issue 12): ``true`` is not 1 and
# ``"12"`` is not 12 on the wire; a kiosk's payloads carry real JSON numbers.
U8 = Annotated[int, Strict(), Field(ge=0, le=0xFF)]
U32 = Annotated[int, Strict(), Field(ge=0, le=0xFFFF_FFFF)]
U64 = Annotated[int, Strict(), Field(ge=0, le=0xFFFF_FFFF_FFFF_FFFF)]
#: A typed sale total: whole guaraníes above zero, exact as a JSON number.
SaleTotal = Annotated[int, Strict(), Field(ge=1, le=MAX_AMOUNT)]
#: Text without NUL: the backend's database cannot hold it, so a NUL is refused where the
#: text is a name or a code (a scanned token or a void reason is kept, see the backend).
Text = Annotated[str, StringConstraints(pattern=r"^[^\x00]*$")]
#: A JSON number (an integer is a number too), never ``true`` or ``"1.5"``.
Number = Annotated[float, Strict()]

#: The clock range a kiosk time must lie in: what the token's validity window can say (u32
#: Unix seconds, 1970-01-01 .. 2106-02-07 UTC). Inside it every later step computes safely
#: (fraud windows, clock skew, analytics days); a kiosk whose clock battery died (1970, 2000)
#: still sends its items, and head office flags its clock. Year 1 or 9999 is no kiosk's clock.
KIOSK_TIME_MIN = datetime.fromtimestamp(0, UTC)
KIOSK_TIME_MAX = datetime.fromtimestamp(0xFFFF_FFFF, UTC)

_NUMERIC_TEXT = re.compile(r"\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*")


def _time_not_number(value: Any) -> Any:
    """Refuse what pydantic would read as Unix seconds: ``123`` (or ``"123"``) is no time."""
    if isinstance(value, int | float) or (
        isinstance(value, str) and _NUMERIC_TEXT.fullmatch(value)
    ):
        raise ValueError("a time must be ISO 8601 text with its UTC offset, not a number")
    return value


def _in_kiosk_clock_range(value: datetime) -> datetime:
    if not KIOSK_TIME_MIN <= value <= KIOSK_TIME_MAX:
        raise ValueError(
            "a kiosk time must lie between 1970-01-01 and 2106-02-07 UTC "
            "(the range a voucher's validity window can say)"
        )
    return value


#: Any aware time, written as a time: ``sent_at`` (the kiosk's clock when it sends; never
#: refused for its value, or a kiosk with a wild clock could not build a batch at all).
WireTime = Annotated[AwareDatetime, BeforeValidator(_time_not_number)]
#: When something happened at the counter (``scanned_at``, ``voided_at``): a time in range.
KioskTime = Annotated[WireTime, AfterValidator(_in_kiosk_clock_range)]


class _Request(BaseModel):
    """What a kiosk sends: the backend refuses a field it does not know (a typo, a forgery)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class _Answer(BaseModel):
    """What the backend answers: a kiosk ignores fields it does not know yet, so head office
    can add one (as it did ``poll_interval_s``) without breaking kiosks already at counters,
    which are upgraded one by one, long after the backend."""

    model_config = ConfigDict(extra="ignore", frozen=True)


# ---------------------------------------------------------------- push


class ItemKind(StrEnum):
    """``redemption``: the kiosk accepted the voucher and gave the discount.
    ``scan``: the kiosk refused it; kept as evidence (rejected scans feed fraud checks).
    ``void``: the kiosk undid (cashier) or voided (manager) one of its own redemptions."""

    REDEMPTION = "redemption"
    SCAN = "scan"
    VOID = "void"


class ScanSource(StrEnum):
    """How a voucher reached the kiosk. Stored and sent over the wire as these codes."""

    CAMERA = "camera"
    WEDGE = "wedge"
    MANUAL = "manual"


class Location(_Request):
    lat: Number = Field(ge=-90, le=90)
    lon: Number = Field(ge=-180, le=180)


class OutboxItem(_Request):
    """One scan at the counter, as queued in the kiosk's outbox.

    ``id`` is made at scan time and is the item's idempotency key for ever. ``serial``,
    ``offer_id`` and ``variant`` repeat the token's claims (null when the token was unreadable);
    the backend trusts the signed token, not these copies, and rejects items where they differ.
    """

    id: UUID
    kind: Literal[ItemKind.REDEMPTION, ItemKind.SCAN]
    token: str = Field(max_length=MAX_ITEM_TOKEN_LENGTH)
    serial: U64 | None = None
    offer_id: U32 | None = None
    business_id: U32
    variant: U8 | None = None
    reason: Reason
    scanned_at: KioskTime
    device_id: str = Field(min_length=1, max_length=36)
    source: ScanSource
    location: Location | None = None
    #: What the cashier typed as the sale's total (guaraníes), when they did (optional, a
    #: redemption only): the manager's recorded value.
    sale_total: SaleTotal | None = None

    @model_validator(mode="after")
    def _redemption_means_valid(self) -> Self:
        if self.kind is ItemKind.REDEMPTION and self.reason is not Reason.VALID:
            raise ValueError("a redemption item must carry reason 'valid'")
        if self.sale_total is not None and self.kind is not ItemKind.REDEMPTION:
            raise ValueError("only a redemption carries a sale total")
        if self.kind is ItemKind.SCAN and self.reason is Reason.VALID:
            raise ValueError("a valid scan is sent as kind 'redemption'")
        return self


#: Longest void reason a kiosk may send (it is typed by a cashier or manager).
MAX_VOID_REASON_LENGTH = 500


class VoidItem(_Request):
    """The kiosk took back one of its own redemptions (``redemption_id``, the id of the
    ``redemption`` item it pushed): the copy is redeemable again. ``id`` is the void's own
    idempotency key, made when the void was queued."""

    id: UUID
    kind: Literal[ItemKind.VOID]
    redemption_id: UUID
    void_reason: str = Field(min_length=1, max_length=MAX_VOID_REASON_LENGTH)
    voided_at: KioskTime
    business_id: U32
    device_id: str = Field(min_length=1, max_length=36)


#: One pushed item; ``kind`` says which shape it has.
PushItem = Annotated[OutboxItem | VoidItem, Field(discriminator="kind")]


class PushRequest(_Request):
    #: The kiosk's clock when it sent the batch: the backend measures clock skew from it.
    sent_at: WireTime | None = None
    items: list[PushItem] = Field(min_length=1)


class ItemOutcome(StrEnum):
    """The backend's final answer for one item (every outcome lets the kiosk drop the item).

    - ``accepted``: this item is the one redemption of its printed copy.
    - ``duplicate``: this item id was already stored; ``redemption_id`` is the item itself and
      ``first_outcome`` what it got the first time.
    - ``conflict``: another redemption of the same copy was accepted first
      (``redemption_id``); this one is stored and flagged for review (the discount was given).
    - ``rejected``: a redemption the backend holds invalid (``reason``); stored and flagged.
    - ``recorded``: a refused scan, stored as evidence.

    For a ``void`` item: ``accepted`` (the redemption is voided, its copy free again; reason
    ``valid``), ``duplicate`` (this void was already applied) or ``rejected`` with a
    ``PushProblem`` reason (unknown redemption, another device's, already voided, a scan).
    """

    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    CONFLICT = "conflict"
    REJECTED = "rejected"
    RECORDED = "recorded"


class PushProblem(StrEnum):
    """Item problems that are not voucher validation reasons."""

    WRONG_DEVICE = "wrong_device"  # item names another device or business than the API key
    ITEM_MISMATCH = "item_mismatch"  # serial/offer/variant differ from the signed token
    UNKNOWN_REDEMPTION = "unknown_redemption"  # a void names no redemption the server holds
    NOT_OWN_REDEMPTION = "not_own_redemption"  # a void names another device's redemption
    NOT_A_REDEMPTION = "not_a_redemption"  # a void names a refused scan
    ALREADY_VOIDED = "already_voided"  # a void names a redemption another void took back


class PushItemResult(_Answer):
    id: UUID
    outcome: ItemOutcome
    #: The backend's own validation reason (a ``Reason`` value) or a ``PushProblem`` value.
    reason: Reason | PushProblem
    redemption_id: UUID | None = None
    first_outcome: ItemOutcome | None = None
    #: True when the item went to head office's fraud review (conflicts, invalid redemptions,
    #: kiosk clock far off).
    flagged: bool = False
    received_at: datetime


class PushResponse(_Answer):
    server_time: datetime
    #: Kiosk clock minus server clock in seconds, when the request said ``sent_at``.
    clock_skew_s: float | None = None
    results: list[PushItemResult]


# ---------------------------------------------------------------- pull


class PublicKey(_Answer):
    key_id: int
    public_key_hex: str = Field(pattern=r"^[0-9a-f]{64}$")
    #: Retired keys signed earlier books: they keep verifying, they sign nothing new.
    retired: bool = False


class OfferVariant(_Answer):
    variant: int = Field(ge=1, le=255)
    label: Text = Field(max_length=200)
    weight: int = Field(ge=1)


class Offer(_Answer):
    id: int
    business_id: int
    title: str
    #: Display text ("20%", "Gs. 15.000", "2x1"), shown to the cashier.
    discount: str
    #: ``amount`` (guaraníes), ``percent`` or ``other``; None from a backend that sends only
    #: the text (the kiosk then reads the text, see ``pika_protocol.discounts``).
    discount_kind: DiscountKind | None = None
    #: Guaraníes or whole percent; None for ``other``.
    discount_value: int | None = None
    valid_from: datetime
    valid_until: datetime
    cap_total: int | None = None
    cap_per_customer: int | None = None
    variants: list[OfferVariant] = []


class Voucher(_Answer):
    serial: int
    offer_id: int
    variant: int
    token: str
    short_code: str
    revoked_at: datetime | None = None


class Revocation(_Answer):
    serial: int
    revoked_at: datetime
    reason: str = ""


class RemoteRedemption(_Answer):
    """A redemption made at another kiosk of the same business."""

    id: UUID
    serial: int
    #: The copy's offer and variant, and how the other kiosk scanned it (the server row's own).
    offer_id: int
    variant: int = Field(ge=0, le=255)
    source: ScanSource
    device_id: str
    device_name: str
    redeemed_at: datetime
    received_at: datetime
    outcome: ItemOutcome
    #: Uploaded well after the scan (the kiosk was offline): ``redeemed_at`` is the kiosk's
    #: clock, ``received_at`` the server's.
    made_offline: bool = False
    #: Set when the kiosk that made it took it back (undo or manager void): the copy is free
    #: again, and a kiosk that learnt of the redemption earlier must let it go.
    voided_at: datetime | None = None


class PullResponse(_Answer):
    server_time: datetime
    #: Opaque: send it back as ``?cursor=`` to get only what changed since.
    cursor: str
    more: bool
    public_keys: list[PublicKey] = []
    offers: list[Offer] = []
    vouchers: list[Voucher] = []
    revocations: list[Revocation] = []
    redemptions: list[RemoteRedemption] = []
    #: The device's API key is due for rotation (``POST ROTATE_KEY_PATH``).
    rotate_key: bool = False
    #: Seconds an idle kiosk waits before its next pull (head office's ``poll_interval_s``).
    #: Pulls are not charged to the business's tier but to a per-device budget sized for this
    #: pace, so a kiosk that keeps to it is never refused. None (an older backend): the kiosk
    #: keeps its own default. A kiosk bounds it (``app.core.sync.engine``) against a bad value.
    poll_interval_s: int | None = None
    #: Head office flags a pushed item when the kiosk's clock is further off than this many
    #: seconds (``clock_skew_tolerance_s``); the kiosk warns at the same figure. None (an
    #: older backend): the kiosk uses its own default, the backend's default figure.
    clock_skew_limit_s: int | None = None
    #: The business's usual sale in guaraníes (head office's ``usual_ticket``), sent with every
    #: page: the kiosk refuses a typed sale total over 100 of them as a slip. Null: head office
    #: has none for the business; left out (an older backend): the kiosk keeps what it knew.
    #: Not bounded here: a bad figure must not stop a kiosk pulling its vouchers (the kiosk
    #: ignores one that is no whole number above 0, ``app.core.sale_total``).
    usual_ticket: int | None = None


# ---------------------------------------------------------------- devices


class EnrolRequest(_Request):
    code: Text = Field(min_length=4, max_length=64)
    device_name: Text = Field(min_length=1, max_length=100)


class Business(_Answer):
    id: int
    name: str
    tier: str


class EnrolResponse(_Answer):
    device_id: str
    #: Shown once; the backend keeps only its hash.
    api_key: str
    business: Business
    public_keys: list[PublicKey]
    server_time: datetime
    rotate_after: datetime


class KeyRotation(_Answer):
    api_key: str
    rotate_after: datetime
    #: The key used for this request keeps working until then.
    previous_key_expires_at: datetime


class ErrorDetail(BaseModel):
    model_config = ConfigDict(extra="allow")
    code: str
    message: str


class ErrorBody(BaseModel):
    error: ErrorDetail
