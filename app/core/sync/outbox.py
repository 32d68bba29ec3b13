"""The outbox as the backend sees it: wire items, batch keys, and the answers kept per item.

Pure functions, no I/O, so the rules that decide "is this item done?" are tested on their own.

* An item's wire form is built from the payload the store queued when the scan (or void) was
  recorded; the kiosk's scan time travels unchanged (the backend keeps it beside its receive
  time). A void names the redemption it takes back by its id, which is the id that
  redemption's own outbox item was pushed under.
* A batch's Idempotency-Key is derived from its item ids in order, so the same batch always
  gets the same key: a retry after a lost answer replays the first answer instead of counting
  anything twice, even across a kiosk restart.
* The server's answer for an item is kept as a short text (:func:`result_text`) in the
  store's ``server_result``, and read back for the screens by :func:`parse_result`.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import TypeAdapter, ValidationError

from app.core.store import OutboxItem, OutboxKind
from pika_protocol import sync_wire

#: Bumped if the derivation ever changes, so an old key can never collide with a new one.
KEY_PREFIX = "pika-b1-"


class ItemNotSendable(ValueError):
    """A queued payload cannot be expressed on the wire (damaged, or a kind the wire lacks)."""


_PUSH_ITEM: TypeAdapter[sync_wire.OutboxItem | sync_wire.VoidItem] = TypeAdapter(sync_wire.PushItem)


def batch_key(item_ids: Sequence[uuid.UUID]) -> str:
    """The Idempotency-Key of the batch holding exactly these items, in this order."""
    digest = hashlib.sha256(b"".join(item_id.bytes for item_id in item_ids)).hexdigest()
    return KEY_PREFIX + digest


def sendable(item: OutboxItem) -> bool:
    """Whether the wire has a kind for this item (redemptions, scans and voids all do)."""
    return item.kind in (OutboxKind.REDEMPTION, OutboxKind.SCAN, OutboxKind.VOID)


def wire_item(item: OutboxItem, *, business_id: int) -> sync_wire.OutboxItem | sync_wire.VoidItem:
    """The wire form of one queued scan, redemption or void.

    ``business_id`` is the kiosk's own, used when the scanned text was unreadable (the payload
    then names no business). An unreadable scan sends what was scanned as its ``token`` (cut to
    the wire's limit): it is fraud evidence, and the backend classes it as malformed itself.
    """
    if not sendable(item):
        raise ItemNotSendable(f"outbox item {item.item_id} is a {item.kind.value}: not on the wire")
    payload: Mapping[str, Any] = item.payload
    if item.kind is OutboxKind.VOID:
        fields: dict[str, Any] = {
            "id": item.item_id,
            "kind": item.kind.value,
            "redemption_id": payload.get("redemption_id"),
            "void_reason": payload.get("void_reason"),
            "voided_at": payload.get("voided_at"),
            "business_id": payload.get("business_id") or business_id,
            "device_id": payload.get("device_id"),
        }
    else:
        token = payload.get("token") or payload.get("raw_excerpt") or ""
        fields = {
            "id": item.item_id,
            "kind": item.kind.value,
            "token": str(token)[: sync_wire.MAX_ITEM_TOKEN_LENGTH],
            "serial": payload.get("serial"),
            "offer_id": payload.get("offer_id"),
            "business_id": payload.get("business_id") or business_id,
            "variant": payload.get("variant"),
            "reason": payload.get("reason"),
            "scanned_at": payload.get("scanned_at"),
            "device_id": payload.get("device_id"),
            "source": payload.get("source"),
        }
    try:
        return _PUSH_ITEM.validate_python(fields)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise ItemNotSendable(f"outbox item {item.item_id} is damaged: {problems}") from exc


class SyncOutcome(StrEnum):
    """What became of an item, as kept in the store and shown in the scan history."""

    ACCEPTED = "accepted"  # the one redemption of this printed copy
    DUPLICATE = "duplicate"  # the server already had this very item (a retry)
    CONFLICT = "conflict"  # another kiosk redeemed the copy first: kept and flagged
    REJECTED = "rejected"  # the backend holds the redemption invalid: kept and flagged
    RECORDED = "recorded"  # a refused scan kept as evidence
    REFUSED = "refused"  # a 4xx for this item alone: it can never be taken as it is
    UNSENDABLE = "unsendable"  # damaged in the local queue: could not be sent at all


@dataclass(frozen=True, slots=True)
class SyncResult:
    """One item's final answer, parsed back from the store's ``server_result`` text."""

    outcome: SyncOutcome
    #: A validation ``Reason`` value, a push problem code, or the 4xx error code.
    reason: str = ""
    #: For a conflict, the redemption that counts; for a duplicate, the item itself.
    redemption_id: str = ""
    flagged: bool = False

    @property
    def needs_review(self) -> bool:
        """Shown apart in the manager's list: the discount was given but does not count."""
        return self.outcome in (SyncOutcome.CONFLICT, SyncOutcome.REJECTED) or self.flagged

    def text(self) -> str:
        parts = [self.outcome.value, self.reason, self.redemption_id]
        return ":".join([*parts, "flagged"] if self.flagged else parts)


def result_text(result: sync_wire.PushItemResult) -> str:
    """What the store keeps for an answered item: ``outcome:reason:redemption_id[:flagged]``.

    A duplicate keeps the outcome its item got the first time (``duplicate`` alone would hide
    that a retried redemption was in fact a conflict).
    """
    outcome = SyncOutcome(result.outcome.value)
    if result.outcome is sync_wire.ItemOutcome.DUPLICATE and result.first_outcome is not None:
        outcome = SyncOutcome(result.first_outcome.value)
    redemption = ""
    if result.redemption_id is not None and result.redemption_id != result.id:
        redemption = str(result.redemption_id)
    return SyncResult(outcome, str(result.reason.value), redemption, result.flagged).text()


def refused_text(status: int, code: str) -> str:
    return SyncResult(SyncOutcome.REFUSED, f"http_{status}_{code}").text()


def unsendable_text(problem: str) -> str:
    return SyncResult(SyncOutcome.UNSENDABLE, problem.replace(":", ";")[:200]).text()


def parse_result(text: str | None) -> SyncResult | None:
    """The parsed answer of a synced item, or ``None`` while it waits (or is unreadable)."""
    if not text:
        return None
    parts = text.split(":")
    try:
        outcome = SyncOutcome(parts[0])
    except ValueError:
        return None
    flagged = parts[-1] == "flagged"
    if flagged:
        parts = parts[:-1]
    reason = parts[1] if len(parts) > 1 else ""
    redemption = parts[2] if len(parts) > 2 else ""
    return SyncResult(outcome, reason, redemption, flagged)
