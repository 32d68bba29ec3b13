"""Outbox items on the wire, batch keys, and the answers kept per item."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from app.core.store import KioskStore, OutboxItem, OutboxKind, OutboxState
from app.core.sync.outbox import (
    ItemNotSendable,
    SyncOutcome,
    batch_key,
    parse_result,
    refused_text,
    result_text,
    wire_item,
)
from pika_protocol import sync_wire
from tests.core.store.conftest import BUSINESS_ID, DEVICE_ID, Counter


def test_batch_key_is_stable_and_depends_on_every_id_and_their_order() -> None:
    ids = [uuid.uuid4() for _ in range(3)]
    assert batch_key(ids) == batch_key(list(ids))
    assert batch_key(ids) != batch_key(ids[::-1])
    assert batch_key(ids) != batch_key(ids[:2])
    assert len(batch_key(ids)) < 255 and batch_key(ids).isascii()


def test_an_accepted_scan_goes_out_as_a_redemption(counter: Counter, store: KioskStore) -> None:
    recorded = counter.scan(counter.voucher(1001, variant=2))
    [item] = store.pending_outbox()
    wire = wire_item(item, business_id=BUSINESS_ID)
    assert wire.id == recorded.scan_id and wire.kind is sync_wire.ItemKind.REDEMPTION
    assert (wire.serial, wire.variant, wire.reason.value) == (1001, 2, "valid")
    assert wire.scanned_at == recorded.scanned_at and wire.device_id == DEVICE_ID


def test_an_unreadable_scan_goes_out_as_evidence_with_the_kiosks_business(
    counter: Counter, store: KioskStore
) -> None:
    counter.scan("HELLO" * 300)  # hostile text, longer than any token
    [item] = store.pending_outbox()
    wire = wire_item(item, business_id=BUSINESS_ID)
    assert wire.kind is sync_wire.ItemKind.SCAN and wire.reason.value == "malformed"
    assert wire.business_id == BUSINESS_ID and wire.serial is None
    assert wire.token.startswith("HELLO") and len(wire.token) <= sync_wire.MAX_ITEM_TOKEN_LENGTH


def _item(kind: OutboxKind, payload: dict[str, object]) -> OutboxItem:
    return OutboxItem(
        item_id=uuid.uuid4(),
        kind=kind,
        payload=payload,
        created_at=datetime.now(UTC),
        attempts=0,
        state=OutboxState.PENDING,
        last_error=None,
    )


def test_a_void_goes_out_naming_the_redemption_it_takes_back(
    counter: Counter, store: KioskStore
) -> None:
    recorded = counter.scan(counter.voucher(1001))
    voided_at = recorded.scanned_at + timedelta(minutes=1)
    assert recorded.redemption_id is not None
    store.void_redemption(
        recorded.redemption_id, reason="wrong voucher", voided_at=voided_at, device_id=DEVICE_ID
    )
    [_, item] = store.pending_outbox()
    wire = wire_item(item, business_id=BUSINESS_ID)
    assert isinstance(wire, sync_wire.VoidItem) and wire.kind is sync_wire.ItemKind.VOID
    assert wire.id == item.item_id and wire.redemption_id == recorded.scan_id
    assert (wire.void_reason, wire.voided_at) == ("wrong voucher", voided_at)
    assert (wire.business_id, wire.device_id) == (BUSINESS_ID, DEVICE_ID)


def test_a_damaged_void_is_a_typed_error_naming_the_field() -> None:
    voided_at = datetime.now(UTC).isoformat()
    damaged = _item(OutboxKind.VOID, {"void_reason": "x", "voided_at": voided_at})
    with pytest.raises(ItemNotSendable, match="redemption_id"):
        wire_item(damaged, business_id=BUSINESS_ID)


def test_a_damaged_payload_is_a_typed_error_naming_the_field() -> None:
    damaged = _item(OutboxKind.REDEMPTION, {"reason": "valid", "token": "X", "source": "camera"})
    with pytest.raises(ItemNotSendable, match="scanned_at"):
        wire_item(damaged, business_id=BUSINESS_ID)


def _result(**fields: object) -> sync_wire.PushItemResult:
    values: dict[str, object] = {"id": uuid.uuid4(), "received_at": datetime.now(UTC)}
    values.update(fields)
    return sync_wire.PushItemResult.model_validate(values)


def test_answers_round_trip_through_the_stored_text() -> None:
    winner = uuid.uuid4()
    conflict = _result(
        outcome="conflict", reason="already_redeemed", redemption_id=winner, flagged=True
    )
    parsed = parse_result(result_text(conflict))
    assert parsed is not None and parsed.outcome is SyncOutcome.CONFLICT
    assert parsed.redemption_id == str(winner) and parsed.flagged and parsed.needs_review

    accepted = parse_result(result_text(_result(outcome="accepted", reason="valid")))
    assert accepted is not None and accepted.outcome is SyncOutcome.ACCEPTED
    assert not accepted.needs_review and accepted.redemption_id == ""

    refused = parse_result(refused_text(422, "invalid_request"))
    assert refused is not None and refused.outcome is SyncOutcome.REFUSED
    assert refused.reason == "http_422_invalid_request"
    assert parse_result(None) is None and parse_result("nonsense") is None


def test_a_duplicate_keeps_what_the_item_got_the_first_time() -> None:
    item_id = uuid.uuid4()
    dup = _result(
        id=item_id,
        outcome="duplicate",
        reason="already_redeemed",
        redemption_id=item_id,
        first_outcome="conflict",
    )
    parsed = parse_result(result_text(dup))
    assert parsed is not None and parsed.outcome is SyncOutcome.CONFLICT


def test_an_outbox_item_with_an_impossible_time_is_set_aside_not_sent() -> None:
    """The kiosk builds its wire items with the wire's own types (issue 12,
    tests/protocol/test_wire_types.py): an item the backend would refuse never blocks the queue
    (the engine sets an unsendable item aside and sends the rest)."""
    item = OutboxItem(
        item_id=uuid.uuid4(),
        kind=OutboxKind.SCAN,
        payload={
            "token": "HELLO",
            "business_id": 7,
            "reason": "malformed",
            "scanned_at": "9999-12-31T23:59:59+00:00",
            "device_id": "dev-1",
            "source": "camera",
        },
        created_at=datetime.now(UTC),
        attempts=0,
        state=OutboxState.PENDING,
        last_error=None,
    )
    with pytest.raises(ItemNotSendable, match="scanned_at"):
        wire_item(item, business_id=7)
