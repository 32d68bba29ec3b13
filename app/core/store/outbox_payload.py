"""The typed payload of an outbox row: the wire item it is pushed as, and what stays here.

An outbox row's JSON is written by :func:`dump` and read by :func:`load`, nowhere else. What
is read is a :data:`OutboxPayload`:

* :class:`QueuedScan`: a scan or a redemption. Its ``item`` *is* the
  :class:`pika_protocol.sync_wire.OutboxItem` the sync engine pushes (one definition of the
  fields, the wire's own validation); its ``evidence`` is what the kiosk keeps beside it and
  never sends (the cashier-facing detail, the raw scanned text, the earlier redemption).
* :class:`QueuedVoid`: a void; its ``item`` is the :class:`sync_wire.VoidItem` pushed.
* :class:`Unsendable`: a row the wire cannot carry (a kiosk clock gone wild, a damaged or
  hand-edited row). It is kept, never sent, and answered ``unsendable`` by the engine, so it
  never blocks the queue.

The JSON is flat: the wire item's fields (as the wire writes them) with the evidence fields
beside them. Rows queued before the payload was typed have the same flat shape, only looser:
an unreadable scan's ``token`` and ``business_id`` are null (the scanned text and the kiosk's
own business stood in for them at push time), a void names no business, and ``scan_id`` /
``redemption_id`` repeat the id. :func:`load` reads both shapes with the same rules, so a
kiosk upgraded with items still queued sends them unchanged.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from app.core.store.column_types import to_iso_utc
from pika_protocol import sync_wire
from pika_protocol.sync_wire import ItemKind, ScanSource
from pika_protocol.tokens import VoucherClaims
from pika_protocol.validation import Reason


@dataclass(frozen=True, slots=True)
class ScanEvidence:
    """What the kiosk keeps beside a queued scan and never sends."""

    #: Why the kiosk decided as it did, as shown to the cashier (cut to the store's limit).
    detail: str = ""
    #: The scanned text (cut), and its full length.
    raw_excerpt: str = ""
    raw_length: int = 0
    #: For an ``already_redeemed`` scan, the redemption that got there first.
    prior_redemption_id: str | None = None
    #: Validation said valid, but the database already held a live redemption of the serial.
    refused_by_store: bool = False


@dataclass(frozen=True, slots=True)
class QueuedScan:
    """A scan or redemption waiting in the outbox: exactly the wire item that is pushed."""

    item: sync_wire.OutboxItem
    evidence: ScanEvidence = field(default_factory=ScanEvidence)


@dataclass(frozen=True, slots=True)
class QueuedVoid:
    """A void waiting in the outbox: exactly the wire item that is pushed."""

    item: sync_wire.VoidItem
    #: The printed copy made redeemable again (kept for reading the queue; not sent).
    serial: int | None = None


@dataclass(frozen=True, slots=True)
class Unsendable:
    """A queued row the wire refuses: ``problem`` names the fields; ``stored`` is the row."""

    problem: str
    stored: Mapping[str, Any] = field(hash=False)


OutboxPayload = QueuedScan | QueuedVoid | Unsendable

_EVIDENCE_FIELDS = tuple(ScanEvidence.__dataclass_fields__)


def scan_payload(
    *,
    item_id: uuid.UUID,
    kind: ItemKind,
    token: str | None,
    claims: VoucherClaims | None,
    business_id: int | None,
    reason: Reason,
    scanned_at: datetime,
    device_id: str,
    source: ScanSource,
    evidence: ScanEvidence,
) -> OutboxPayload:
    """The payload queued for one scan; ``business_id`` is the kiosk's own, named when the
    scanned text was unreadable. A scan the wire refuses (a wild clock) is still queued, as
    :class:`Unsendable`: the scan happened, it is recorded, only sending it is impossible."""
    facts: dict[str, Any] = {
        "id": str(item_id),
        "kind": kind.value,
        "token": token,
        "serial": None if claims is None else claims.serial,
        "offer_id": None if claims is None else claims.offer_id,
        "business_id": business_id if claims is None else claims.business_id,
        "variant": None if claims is None else claims.variant,
        "reason": reason.value,
        "scanned_at": to_iso_utc(scanned_at),
        "device_id": device_id,
        "source": source.value,
        **asdict(evidence),
    }
    return load(kind, item_id, facts, business_id=business_id)


def void_payload(
    *,
    item_id: uuid.UUID,
    redemption_id: uuid.UUID,
    serial: int,
    void_reason: str,
    voided_at: datetime,
    business_id: int | None,
    device_id: str,
) -> OutboxPayload:
    """The payload queued for a void (``business_id``: the kiosk's own)."""
    facts: dict[str, Any] = {
        "id": str(item_id),
        "kind": ItemKind.VOID.value,
        "redemption_id": str(redemption_id),
        "serial": serial,
        "void_reason": void_reason,
        "voided_at": to_iso_utc(voided_at),
        "business_id": business_id,
        "device_id": device_id,
    }
    return load(ItemKind.VOID, item_id, facts, business_id=business_id)


def dump(payload: OutboxPayload) -> dict[str, Any]:
    """The JSON kept in the outbox row (read back by :func:`load`)."""
    if isinstance(payload, Unsendable):
        return dict(payload.stored)
    wire = payload.item.model_dump(mode="json")
    if isinstance(payload, QueuedVoid):
        return {**wire, "serial": payload.serial}
    return {**wire, **asdict(payload.evidence)}


def load(
    kind: ItemKind, item_id: uuid.UUID, stored: Mapping[str, Any], *, business_id: int | None
) -> OutboxPayload:
    """Read an outbox row's JSON (either shape, see the module docstring) as typed.

    ``kind`` and ``item_id`` are the row's own columns (they win over the JSON's copies);
    ``business_id`` is the kiosk's, named where the row names none.
    """
    own_business = stored.get("business_id") or business_id
    try:
        if kind is ItemKind.VOID:
            void = sync_wire.VoidItem.model_validate(
                {
                    "id": item_id,
                    "kind": kind.value,
                    "redemption_id": stored.get("redemption_id"),
                    "void_reason": stored.get("void_reason"),
                    "voided_at": stored.get("voided_at"),
                    "business_id": own_business,
                    "device_id": stored.get("device_id"),
                }
            )
            serial = stored.get("serial")
            return QueuedVoid(void, serial if isinstance(serial, int) else None)
        token = stored.get("token") or stored.get("raw_excerpt") or ""
        scan = sync_wire.OutboxItem.model_validate(
            {
                "id": item_id,
                "kind": kind.value,
                "token": str(token)[: sync_wire.MAX_ITEM_TOKEN_LENGTH],
                "serial": stored.get("serial"),
                "offer_id": stored.get("offer_id"),
                "business_id": own_business,
                "variant": stored.get("variant"),
                "reason": stored.get("reason"),
                "scanned_at": stored.get("scanned_at"),
                "device_id": stored.get("device_id"),
                "source": stored.get("source"),
                "location": stored.get("location"),
                "sale_total": stored.get("sale_total"),
            }
        )
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        return Unsendable(problems, dict(stored))
    return QueuedScan(scan, _evidence(stored))


def _evidence(stored: Mapping[str, Any]) -> ScanEvidence:
    """The kiosk-only fields; a damaged one falls back to its default (they are never sent)."""
    kept = {name: stored[name] for name in _EVIDENCE_FIELDS if stored.get(name) is not None}
    defaults = ScanEvidence()
    for name, value in list(kept.items()):
        if type(value) is not type(getattr(defaults, name)) and name != "prior_redemption_id":
            del kept[name]
    if not isinstance(kept.get("prior_redemption_id", ""), str):
        del kept["prior_redemption_id"]
    return ScanEvidence(**kept)
