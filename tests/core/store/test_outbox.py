"""The outbox room: queued with the scan, read back typed, answered for good or tried again."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from app.core.store import InvalidRecordError, OutboxKind, QueuedScan, QueuedVoid, Unsendable
from app.core.store.outbox_payload import dump, load
from tests.core.store.conftest import BUSINESS_ID, DEVICE_ID, NOW, Counter


def test_outbox_answers_need_an_id_and_a_result(counter: Counter) -> None:
    recorded = counter.scan(counter.voucher(4003))
    with pytest.raises(InvalidRecordError):
        counter.store.outbox.mark_answered({recorded.scan_id: ""})
    with pytest.raises(InvalidRecordError):
        counter.store.outbox.mark_answered({"not-a-uuid": "accepted"})  # type: ignore[dict-item]
    assert counter.store.outbox.pending_count() == 1


def test_failed_delivery_keeps_the_item_pending(counter: Counter) -> None:
    recorded = counter.scan(counter.voucher(4002))
    counter.store.outbox.attempt_failed([recorded.scan_id], "503 Service Unavailable")
    [item] = counter.store.outbox.pending()
    assert item.attempts == 1 and item.last_error == "503 Service Unavailable"


def test_a_scan_the_wire_refuses_is_still_recorded_and_queued_as_unsendable(
    counter: Counter,
) -> None:
    """A kiosk clock gone wild (year 9999): the scan happened and is kept; only sending it is
    impossible, so it is queued as Unsendable (the engine answers it, it never blocks)."""
    wild = datetime(9999, 12, 31, 12, 0, tzinfo=UTC)
    recorded = counter.store.activity.record_scan(
        counter.validate("GARBAGE"),
        scan_id=uuid.uuid4(),
        scanned_at=wild,
        device_id=DEVICE_ID,
        source="camera",
        raw_text="GARBAGE",
    )
    [item] = counter.store.outbox.pending()
    assert item.item_id == recorded.scan_id and isinstance(item.payload, Unsendable)
    assert "scanned_at" in item.payload.problem
    assert item.payload.stored["raw_excerpt"] == "GARBAGE"


def test_payloads_written_are_read_back_unchanged(counter: Counter) -> None:
    """dump and load are inverse for every payload the activity room writes."""
    accepted = counter.scan(counter.voucher(4101, variant=3))
    counter.scan("HELLO")
    assert accepted.redemption_id is not None
    counter.store.activity.void_redemption(
        accepted.redemption_id, reason="wrong voucher", voided_at=NOW, device_id=DEVICE_ID
    )
    items = counter.store.outbox.pending()
    assert [type(i.payload) for i in items] == [QueuedScan, QueuedScan, QueuedVoid]
    for item in items:
        again = load(item.kind, item.item_id, dump(item.payload), business_id=None)
        assert again == item.payload
    void = items[2].payload
    assert isinstance(void, QueuedVoid) and void.serial == 4101
    assert void.item.business_id == BUSINESS_ID  # the kiosk's own, named when queued
    assert items[0].kind is OutboxKind.REDEMPTION and items[1].kind is OutboxKind.SCAN


def test_every_wire_field_survives_the_row() -> None:
    """A field the wire item gains (the sale total) is written and read back by the payload's
    one reader and writer, not dropped between the queue and the push."""
    item_id = uuid.uuid4()
    stored = {
        "token": "T",
        "serial": 1,
        "offer_id": 2,
        "business_id": BUSINESS_ID,
        "variant": 0,
        "reason": "valid",
        "scanned_at": NOW.isoformat(),
        "device_id": DEVICE_ID,
        "source": "camera",
        "location": {"lat": -25.3, "lon": -57.6},
        "sale_total": 85_000,
    }
    payload = load(OutboxKind.REDEMPTION, item_id, stored, business_id=None)
    assert isinstance(payload, QueuedScan)
    assert payload.item.sale_total == 85_000 and payload.item.location is not None
    assert load(OutboxKind.REDEMPTION, item_id, dump(payload), business_id=None) == payload
