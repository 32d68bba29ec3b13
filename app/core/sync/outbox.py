"""The outbox as the backend sees it: wire items, batch keys, and the answers kept per item.

Pure functions, no I/O, so the rules that decide "is this item done?" are tested on their own.

* An item's wire form is the one its typed payload carries, built when the scan (or void) was
  recorded (:mod:`app.core.store.outbox_payload`); the kiosk's scan time travels unchanged
  (the backend keeps it beside its receive time). A void names the redemption it takes back
  by its id, which is the id that redemption's own outbox item was pushed under.
* A batch's Idempotency-Key is derived from its item ids in order, so the same batch always
  gets the same key: a retry after a lost answer replays the first answer instead of counting
  anything twice, even across a kiosk restart.
* The server's answer for an item is kept as a short text (:func:`result_text`) in the
  store's ``server_result``, and read back for the screens by :func:`parse_result`.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from app.core.store import OutboxItem, Unsendable
from pika_protocol import sync_wire
from pika_protocol.sync_wire import ItemOutcome

#: Bumped if the derivation ever changes, so an old key can never collide with a new one.
KEY_PREFIX = "pika-b1-"


class ItemNotSendable(ValueError):
    """A queued row the wire refuses (a kiosk clock gone wild, a damaged or hand-edited row)."""


def batch_key(item_ids: Sequence[uuid.UUID]) -> str:
    """The Idempotency-Key of the batch holding exactly these items, in this order."""
    digest = hashlib.sha256(b"".join(item_id.bytes for item_id in item_ids)).hexdigest()
    return KEY_PREFIX + digest


def wire_item(item: OutboxItem) -> sync_wire.OutboxItem | sync_wire.VoidItem:
    """The wire form of one queued scan, redemption or void: the very item its typed payload
    carries (:mod:`app.core.store.outbox_payload` built and checked it with the wire's own
    types, filling in the kiosk's business and the scanned text where the row had none).
    A row the wire refuses (a wild clock, a damaged row) raises :class:`ItemNotSendable`."""
    payload = item.payload
    if isinstance(payload, Unsendable):
        raise ItemNotSendable(f"outbox item {item.item_id} is damaged: {payload.problem}")
    return payload.item


class KioskOutcome(StrEnum):
    """The final answers the kiosk gives an item itself, head office never having judged it
    (head office's own answers are :class:`sync_wire.ItemOutcome`: one enum per concept)."""

    REFUSED = "refused"  # a 4xx for this item alone: it can never be taken as it is
    UNSENDABLE = "unsendable"  # the wire refuses the queued row: it could not be sent at all


#: What became of an item, as kept in the store and shown in the scan history: head office's
#: answer (accepted, duplicate, conflict, rejected, recorded) or the kiosk's own.
SyncOutcome = ItemOutcome | KioskOutcome


def sync_outcome(code: str) -> SyncOutcome:
    """The outcome named by ``code`` (raises ``ValueError`` for an unknown one)."""
    try:
        return ItemOutcome(code)
    except ValueError:
        return KioskOutcome(code)


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
        return self.outcome in (ItemOutcome.CONFLICT, ItemOutcome.REJECTED) or self.flagged

    def text(self) -> str:
        parts = [self.outcome.value, self.reason, self.redemption_id]
        return ":".join([*parts, "flagged"] if self.flagged else parts)


def result_text(result: sync_wire.PushItemResult) -> str:
    """What the store keeps for an answered item: ``outcome:reason:redemption_id[:flagged]``.

    A duplicate keeps the outcome its item got the first time (``duplicate`` alone would hide
    that a retried redemption was in fact a conflict).
    """
    outcome = result.outcome
    if outcome is ItemOutcome.DUPLICATE and result.first_outcome is not None:
        outcome = result.first_outcome
    redemption = ""
    if result.redemption_id is not None and result.redemption_id != result.id:
        redemption = str(result.redemption_id)
    return SyncResult(outcome, str(result.reason.value), redemption, result.flagged).text()


def refused_text(status: int, code: str) -> str:
    return SyncResult(KioskOutcome.REFUSED, f"http_{status}_{code}").text()


def unsendable_text(problem: str) -> str:
    return SyncResult(KioskOutcome.UNSENDABLE, problem.replace(":", ";")[:200]).text()


def parse_result(text: str | None) -> SyncResult | None:
    """The parsed answer of a synced item, or ``None`` while it waits (or is unreadable)."""
    if not text:
        return None
    parts = text.split(":")
    try:
        outcome = sync_outcome(parts[0])
    except ValueError:
        return None
    flagged = parts[-1] == "flagged"
    if flagged:
        parts = parts[:-1]
    reason = parts[1] if len(parts) > 1 else ""
    redemption = parts[2] if len(parts) > 2 else ""
    return SyncResult(outcome, reason, redemption, flagged)
