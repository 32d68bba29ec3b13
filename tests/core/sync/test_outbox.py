"""Outbox items on the wire, batch keys, and the answers kept per item."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from app.core.store import (
    KioskStore,
    OutboxItem,
    OutboxKind,
    OutboxState,
    QueuedScan,
    QueuedVoid,
    schema,
)
from app.core.store.column_types import to_iso_utc
from app.core.store.outbox_payload import load
from app.core.sync import SyncEngine
from app.core.sync.outbox import (
    ItemNotSendable,
    KioskOutcome,
    batch_key,
    parse_result,
    refused_text,
    result_text,
    wire_item,
)
from pika_protocol import sync_wire
from pika_protocol.sync_wire import ItemOutcome
from tests.core.store.conftest import BUSINESS_ID, DEVICE_ID, NOW, Counter
from tests.support.head_office import HeadOffice


def test_batch_key_is_stable_and_depends_on_every_id_and_their_order() -> None:
    ids = [uuid.uuid4() for _ in range(3)]
    assert batch_key(ids) == batch_key(list(ids))
    assert batch_key(ids) != batch_key(ids[::-1])
    assert batch_key(ids) != batch_key(ids[:2])
    assert len(batch_key(ids)) < 255 and batch_key(ids).isascii()


def test_an_accepted_scan_goes_out_as_a_redemption(counter: Counter, store: KioskStore) -> None:
    recorded = counter.scan(counter.voucher(1001, variant=2))
    [item] = store.outbox.pending()
    wire = wire_item(item)
    assert wire.id == recorded.scan_id and wire.kind is sync_wire.ItemKind.REDEMPTION
    assert (wire.serial, wire.variant, wire.reason.value) == (1001, 2, "valid")
    assert wire.scanned_at == recorded.scanned_at and wire.device_id == DEVICE_ID


def test_an_unreadable_scan_goes_out_as_evidence_with_the_kiosks_business(
    counter: Counter, store: KioskStore
) -> None:
    counter.scan("HELLO" * 300)  # hostile text, longer than any token
    [item] = store.outbox.pending()
    wire = wire_item(item)
    assert wire.kind is sync_wire.ItemKind.SCAN and wire.reason.value == "malformed"
    assert wire.business_id == BUSINESS_ID and wire.serial is None
    assert wire.token.startswith("HELLO") and len(wire.token) <= sync_wire.MAX_ITEM_TOKEN_LENGTH


def _item(kind: OutboxKind, stored: dict[str, object]) -> OutboxItem:
    """An item as the store reads a row whose JSON is ``stored``."""
    item_id = uuid.uuid4()
    return OutboxItem(
        item_id=item_id,
        kind=kind,
        payload=load(kind, item_id, stored, business_id=BUSINESS_ID),
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
    store.activity.void_redemption(
        recorded.redemption_id, reason="wrong voucher", voided_at=voided_at, device_id=DEVICE_ID
    )
    [_, item] = store.outbox.pending()
    wire = wire_item(item)
    assert isinstance(wire, sync_wire.VoidItem) and wire.kind is sync_wire.ItemKind.VOID
    assert wire.id == item.item_id and wire.redemption_id == recorded.scan_id
    assert (wire.void_reason, wire.voided_at) == ("wrong voucher", voided_at)
    assert (wire.business_id, wire.device_id) == (BUSINESS_ID, DEVICE_ID)


def test_a_damaged_void_is_a_typed_error_naming_the_field() -> None:
    voided_at = datetime.now(UTC).isoformat()
    damaged = _item(OutboxKind.VOID, {"void_reason": "x", "voided_at": voided_at})
    with pytest.raises(ItemNotSendable, match="redemption_id"):
        wire_item(damaged)


def test_a_damaged_payload_is_a_typed_error_naming_the_field() -> None:
    damaged = _item(OutboxKind.REDEMPTION, {"reason": "valid", "token": "X", "source": "camera"})
    with pytest.raises(ItemNotSendable, match="scanned_at"):
        wire_item(damaged)


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
    assert parsed is not None and parsed.outcome is ItemOutcome.CONFLICT
    assert parsed.redemption_id == str(winner) and parsed.flagged and parsed.needs_review

    accepted = parse_result(result_text(_result(outcome="accepted", reason="valid")))
    assert accepted is not None and accepted.outcome is ItemOutcome.ACCEPTED
    assert not accepted.needs_review and accepted.redemption_id == ""

    refused = parse_result(refused_text(422, "invalid_request"))
    assert refused is not None and refused.outcome is KioskOutcome.REFUSED
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
    assert parsed is not None and parsed.outcome is ItemOutcome.CONFLICT


def test_an_outbox_item_with_an_impossible_time_is_set_aside_not_sent() -> None:
    """The kiosk builds its wire items with the wire's own types (issue 12,
    tests/protocol/test_wire_types.py): an item the backend would refuse never blocks the queue
    (the engine sets an unsendable item aside and sends the rest)."""
    item = _item(
        OutboxKind.SCAN,
        {
            "token": "HELLO",
            "business_id": 7,
            "reason": "malformed",
            "scanned_at": "9999-12-31T23:59:59+00:00",
            "device_id": "dev-1",
            "source": "camera",
        },
    )
    with pytest.raises(ItemNotSendable, match="scanned_at"):
        wire_item(item)


def test_an_outbox_row_round_trips_to_exactly_the_wire_item_pushed(
    engine: SyncEngine, counter: Counter, store: KioskStore, backend: HeadOffice
) -> None:
    """The typed payload is written once (store.activity) and read once (store.outbox): what
    the row reads back as is, field for field, what the backend receives."""
    accepted = counter.scan(counter.voucher(1001, variant=2)).scan_id
    counter.scan("HELLO" * 300)  # unreadable: evidence, with the kiosk's business
    counter.scan(counter.voucher(1001))  # already redeemed
    store.activity.void_redemption(
        accepted, reason="wrong voucher", voided_at=NOW, device_id=DEVICE_ID
    )
    queued = [wire_item(item) for item in store.outbox.pending()]
    assert [w.kind.value for w in queued] == ["redemption", "scan", "scan", "void"]

    pushed: list[sync_wire.PushRequest] = []

    def capture(request: httpx.Request) -> None:
        pushed.append(sync_wire.PushRequest.model_validate_json(request.content))

    backend.faults.append(capture)
    report = engine.push()
    assert report.answered == 4 and store.outbox.pending_count() == 0
    [request] = pushed
    assert request.items == queued
    assert [type(w) for w in request.items] == [type(w) for w in queued]


def _old_rows(token: str, redemption: uuid.UUID) -> list[tuple[uuid.UUID, str, dict[str, object]]]:
    """Rows exactly as a kiosk queued them before the payload was typed (issue 13)."""
    unreadable, void = uuid.uuid4(), uuid.uuid4()
    common = {"offer_id": 7, "variant": 0, "device_id": DEVICE_ID, "source": "wedge"}
    return [
        (
            redemption,
            "redemption",
            {
                "id": str(redemption),
                "kind": "redemption",
                "scan_id": str(redemption),
                "redemption_id": str(redemption),
                "reason": "valid",
                "serial": 5001,
                "business_id": BUSINESS_ID,
                "scanned_at": to_iso_utc(NOW),
                "prior_redemption_id": None,
                "refused_by_store": False,
                "token": token,
                "detail": "",
                "raw_excerpt": token,
                "raw_length": len(token),
                **common,
            },
        ),
        (
            unreadable,
            "scan",
            {
                "id": str(unreadable),
                "kind": "scan",
                "scan_id": str(unreadable),
                "redemption_id": None,
                "reason": "malformed",
                "serial": None,
                "offer_id": None,
                "business_id": None,
                "variant": None,
                "scanned_at": to_iso_utc(NOW + timedelta(seconds=1)),
                "device_id": DEVICE_ID,
                "source": "camera",
                "prior_redemption_id": None,
                "refused_by_store": False,
                "token": None,
                "detail": "not a voucher",
                "raw_excerpt": "HELLO",
                "raw_length": 5,
            },
        ),
        (
            void,
            "void",
            {
                "id": str(void),
                "kind": "void",
                "redemption_id": str(redemption),
                "serial": 5001,
                "void_reason": "wrong voucher",
                "voided_at": to_iso_utc(NOW + timedelta(seconds=2)),
                "device_id": DEVICE_ID,
            },
        ),
    ]


def test_rows_queued_in_the_old_shape_are_still_read_and_pushed(
    engine: SyncEngine, counter: Counter, store: KioskStore, backend: HeadOffice
) -> None:
    token = counter.voucher(5001)
    redemption = uuid.uuid4()
    rows = _old_rows(token, redemption)
    with store._db.transaction() as conn:
        for n, (item_id, kind, payload) in enumerate(rows):
            conn.execute(
                schema.outbox.insert().values(
                    item_id=item_id,
                    kind=kind,
                    payload=payload,
                    created_at=NOW + timedelta(seconds=n),
                    attempts=0,
                    state="pending",
                )
            )
    items = store.outbox.pending()
    assert [item.item_id for item in items] == [row[0] for row in rows]
    scan, unreadable, void = (item.payload for item in items)
    assert isinstance(scan, QueuedScan) and isinstance(unreadable, QueuedScan)
    assert isinstance(void, QueuedVoid)
    assert scan.item.token == token and scan.item.serial == 5001
    assert scan.item.scanned_at == NOW and scan.evidence.raw_length == len(token)
    # The unreadable scan sends what was scanned, under the kiosk's own business (as before).
    assert (unreadable.item.token, unreadable.item.business_id) == ("HELLO", BUSINESS_ID)
    assert unreadable.evidence.detail == "not a voucher"
    assert void.item.redemption_id == redemption and void.item.business_id == BUSINESS_ID
    assert void.serial == 5001 and void.item.voided_at == NOW + timedelta(seconds=2)

    report = engine.push()  # the redemption, then its void, both taken; the scan recorded
    assert report.outcomes == {"accepted": 2, "recorded": 1}
    assert store.outbox.pending_count() == 0 and 5001 not in backend.accepted
