"""The push's rows, typed: what it claims, what it reads, what it writes.

Pure data, no database: the decisions, the pipeline and both stores share these names.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import NamedTuple

from typing_extensions import TypedDict

from pika_protocol.validation import PriorRedemption
from sync_backend.devices.repository import KeyOwner


class Claim(NamedTuple):
    """One request's claim of its Idempotency-Key, made with its API key's owner lookup."""

    key_hash: str
    key: str
    request_hash: str


class ClaimResult(NamedTuple):
    """What the claim found: the API key's owner (None: no such key), whether the key's lock
    was free (False: a request with this key is running) and whether this request now owns
    the key (False with the lock: stored before, a replay or a reuse)."""

    owner: KeyOwner | None
    got_lock: bool
    claimed: bool


#: No such API key: nothing locked, nothing claimed.
NO_OWNER = ClaimResult(None, True, False)


@dataclass(frozen=True, slots=True)
class StoredItem:
    """A pushed item already stored, as a later copy of it is answered (a duplicate)."""

    outcome: str
    server_reason: str
    conflict_with: uuid.UUID | None


@dataclass(slots=True)
class BatchState:
    """What the server knows about a batch's serials and item ids before deciding."""

    #: SHA-256 of each printed copy's signed bytes (``vouchers.token_sha256``), by serial.
    printed: dict[int, bytes] = field(default_factory=dict)
    revoked: set[int] = field(default_factory=set)
    #: The accepted, not voided redemption of a serial.
    accepted: dict[int, PriorRedemption] = field(default_factory=dict)
    #: Item ids already stored.
    existing: dict[uuid.UUID, StoredItem] = field(default_factory=dict)


class RedemptionRow(TypedDict):
    """A ``redemptions`` row as a push writes it, in JSON-ready values (ids and times as ISO
    text): the Postgres store sends a batch's rows as one JSON document as they are."""

    id: str
    kind: str
    outcome: str
    business_id: int
    device_id: str
    serial: int | None
    offer_id: int | None
    voucher_business_id: int | None
    variant: int | None
    token: str | None
    source: str
    kiosk_reason: str
    server_reason: str
    conflict_with: str | None
    scanned_at: str
    received_at: str
    clock_skew_s: int | None
    latitude: float | None
    longitude: float | None
    sale_total: int | None


#: :class:`RedemptionRow`'s columns with their Postgres types.
ROW_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "uuid"),
    ("kind", "text"),
    ("outcome", "text"),
    ("business_id", "integer"),
    ("device_id", "text"),
    ("serial", "bigint"),
    ("offer_id", "bigint"),
    ("voucher_business_id", "bigint"),
    ("variant", "smallint"),
    ("token", "text"),
    ("source", "text"),
    ("kiosk_reason", "text"),
    ("server_reason", "text"),
    ("conflict_with", "uuid"),
    ("scanned_at", "timestamptz"),
    ("received_at", "timestamptz"),
    ("clock_skew_s", "integer"),
    ("latitude", "double precision"),
    ("longitude", "double precision"),
    ("sale_total", "bigint"),
)


class KeyAnswer(NamedTuple):
    """The answer stored under a request's Idempotency-Key (replayed byte for byte)."""

    device_id: str
    key: str
    status_code: int
    body: bytes
