"""Recording scans: one transaction per scan, the database refusing a second redemption."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from app.core.store import (
    InvalidRecordError,
    KioskStore,
    OutboxKind,
    QueuedScan,
    ScanSource,
    UnknownRedemptionError,
    schema,
)
from app.core.store.activity import CounterActivity
from pika_protocol.sync_wire import ItemKind
from pika_protocol.validation import Reason
from tests.core.store.conftest import BUSINESS_ID, DEVICE_ID, NOW, OFFER_ID, Counter

# The dates written below are NOW's (the conftest also pins the clock there).
pytestmark = pytest.mark.time_machine(NOW)


def table_counts(store: KioskStore) -> dict[str, int]:
    with store._db.transaction() as conn:
        return {
            name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for name, table in (
                ("scans", schema.scans),
                ("redemptions", schema.redemptions),
                ("outbox", schema.outbox),
                ("events", schema.events),
            )
        }


def test_valid_scan_writes_redemption_scan_outbox_and_event(counter: Counter) -> None:
    token = counter.voucher(1001, variant=2)
    recorded = counter.scan(token, source="wedge")

    assert recorded.accepted and recorded.reason is Reason.VALID
    assert recorded.redemption_id == recorded.scan_id
    assert recorded.source is ScanSource.WEDGE and not recorded.refused_by_store
    assert table_counts(counter.store) == {"scans": 1, "redemptions": 1, "outbox": 1, "events": 1}

    prior = counter.store.activity.find_redemption(1001)
    assert prior is not None
    assert prior.redemption_id == str(recorded.scan_id)
    assert prior.redeemed_at == NOW and prior.device_id == DEVICE_ID
    assert prior.device_name == "Caja 1"

    [item] = counter.store.outbox.pending()
    assert item.item_id == recorded.scan_id and item.kind is OutboxKind.REDEMPTION
    payload = item.payload
    assert isinstance(payload, QueuedScan)  # the very wire item the engine will push
    wire = payload.item
    assert wire.id == recorded.scan_id and wire.kind is ItemKind.REDEMPTION
    assert wire.token == token
    assert (wire.serial, wire.offer_id, wire.business_id) == (1001, OFFER_ID, BUSINESS_ID)
    assert wire.variant == 2 and wire.reason is Reason.VALID
    assert wire.scanned_at == NOW
    assert wire.device_id == DEVICE_ID and wire.source is ScanSource.WEDGE
    assert payload.evidence.raw_excerpt == token and payload.evidence.raw_length == len(token)
    assert not payload.evidence.refused_by_store and payload.evidence.prior_redemption_id is None
    assert counter.store.outbox.pending_count() == 1


def test_second_scan_of_same_voucher_is_already_redeemed_with_when_and_where(
    counter: Counter,
) -> None:
    token = counter.voucher(1002)
    first = counter.scan(token)
    second = counter.scan(token, now=NOW + timedelta(minutes=5))

    assert second.reason is Reason.ALREADY_REDEEMED and not second.refused_by_store
    assert second.prior is not None and second.prior.redemption_id == str(first.scan_id)
    assert table_counts(counter.store) == {"scans": 2, "redemptions": 1, "outbox": 2, "events": 2}
    kinds = sorted(item.kind for item in counter.store.outbox.pending())
    assert kinds == [OutboxKind.REDEMPTION, OutboxKind.SCAN]


def test_database_refuses_a_raced_duplicate_and_records_it_as_already_redeemed(
    counter: Counter,
) -> None:
    token = counter.voucher(1003)
    # Two validations made before either was recorded: both say valid (the race).
    validation_a = counter.validate(token)
    validation_b = counter.validate(token)
    assert validation_a.accepted and validation_b.accepted

    first = counter.scan(token, validation=validation_a)
    second = counter.scan(token, validation=validation_b)

    assert first.accepted
    assert second.reason is Reason.ALREADY_REDEEMED and second.refused_by_store
    assert second.prior is not None and second.prior.redemption_id == str(first.scan_id)
    assert table_counts(counter.store) == {"scans": 2, "redemptions": 1, "outbox": 2, "events": 2}
    reasons = {s.scan_id: s.reason for s in counter.store.activity.recent_scans()}
    assert reasons == {first.scan_id: Reason.VALID, second.scan_id: Reason.ALREADY_REDEEMED}


def test_unique_index_itself_refuses_a_second_live_redemption(counter: Counter) -> None:
    counter.scan(counter.voucher(1004))
    with pytest.raises(Exception, match="UNIQUE"), counter.store._db.transaction() as conn:
        conn.execute(
            text(
                "INSERT INTO redemptions (redemption_id, serial, offer_id, business_id, variant,"
                " redeemed_at, device_id, device_name, source) VALUES (:id, 1004, 7, 42, 0,"
                " '2026-11-25T15:00:00.000000Z', 'x', '', 'camera')"
            ),
            {"id": uuid.uuid4().hex},
        )


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda c: c.voucher(2001, business_id=BUSINESS_ID + 1), Reason.OTHER_BUSINESS),
        (lambda c: c.voucher(2002, valid_until=NOW - timedelta(days=1)), Reason.EXPIRED),
        (lambda c: "NOT A VOUCHER", Reason.MALFORMED),
        (lambda c: c.voucher(2003)[:-4] + "AAAA", Reason.FORGED),
    ],
)
def test_rejected_scan_writes_scan_outbox_and_event_but_no_redemption(
    counter: Counter, make, reason: Reason
) -> None:
    recorded = counter.scan(make(counter), source="manual")

    assert recorded.reason is reason and not recorded.accepted
    assert recorded.redemption_id is None
    assert table_counts(counter.store) == {"scans": 1, "redemptions": 0, "outbox": 1, "events": 1}
    [item] = counter.store.outbox.pending()
    assert item.kind is OutboxKind.SCAN
    assert isinstance(item.payload, QueuedScan) and item.payload.item.reason is reason
    with counter.store._db.transaction() as conn:
        event_type = conn.execute(select(schema.events.c.type)).scalar_one()
    assert event_type == "scan.rejected"


def test_revoked_voucher_is_rejected_and_revocations_are_cached(counter: Counter) -> None:
    assert counter.store.reference.revoked_serials() == frozenset()
    counter.store.reference.revoke(3001)
    counter.store.reference.revoke(3001)  # idempotent
    assert counter.store.reference.revoked_serials() == frozenset({3001})
    assert counter.scan(counter.voucher(3001)).reason is Reason.REVOKED


def test_same_scan_id_twice_is_recorded_once(counter: Counter) -> None:
    token = counter.voucher(1005)
    scan_id = uuid.uuid4()
    validation = counter.validate(token)
    first = counter.scan(token, scan_id=scan_id, validation=validation)
    again = counter.scan(token, scan_id=scan_id, validation=validation)

    assert first.accepted and again.accepted and again.replayed
    assert table_counts(counter.store) == {"scans": 1, "redemptions": 1, "outbox": 1, "events": 1}


def test_serials_above_two_to_the_63_round_trip(counter: Counter) -> None:
    serial = 2**64 - 1
    recorded = counter.scan(counter.voucher(serial))
    assert recorded.accepted
    assert counter.store.activity.find_redemption(serial) is not None
    assert (
        counter.store.activity.find_redemption(serial - 2**64 + 1) is None
    )  # no wrap-around aliasing
    assert counter.scan(counter.voucher(serial)).reason is Reason.ALREADY_REDEEMED
    assert counter.store.activity.recent_scans(1)[0].serial == serial


def test_raw_text_is_kept_as_a_bounded_excerpt(counter: Counter) -> None:
    hostile = "X" * 10_000
    counter.scan(hostile)
    with counter.store._db.transaction() as conn:
        excerpt, length = conn.execute(
            select(schema.scans.c.raw_excerpt, schema.scans.c.raw_length)
        ).one()
    assert len(excerpt) == CounterActivity.RAW_EXCERPT_CHARS and length == 10_000


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("source", "telepathy"),
        ("scanned_at", NOW.replace(tzinfo=None)),
        ("device_id", ""),
        ("scan_id", "not-a-uuid"),
    ],
)
def test_bad_scan_input_is_refused_and_writes_nothing(counter: Counter, field, value) -> None:
    token = counter.voucher(1006)
    arguments = {
        "scan_id": uuid.uuid4(),
        "scanned_at": NOW,
        "device_id": DEVICE_ID,
        "source": "camera",
        "raw_text": token,
    }
    arguments[field] = value
    with pytest.raises(InvalidRecordError):
        counter.store.activity.record_scan(counter.validate(token), **arguments)
    assert table_counts(counter.store) == {"scans": 0, "redemptions": 0, "outbox": 0, "events": 0}


def test_recent_scans_newest_first_with_sync_state(counter: Counter) -> None:
    a = counter.scan(counter.voucher(4001), now=NOW)
    b = counter.scan("garbage", now=NOW + timedelta(seconds=1))
    history = counter.store.activity.recent_scans()
    assert [s.scan_id for s in history] == [b.scan_id, a.scan_id]
    assert history[1].redemption_id == a.scan_id and history[0].reason is Reason.MALFORMED
    assert not any(s.synced for s in history)

    assert counter.store.outbox.mark_answered({a.scan_id: "accepted"}) == 1
    assert counter.store.outbox.mark_answered({a.scan_id: "duplicate"}) == 0  # answered already
    history = counter.store.activity.recent_scans()
    assert [s.synced for s in history] == [False, True]
    assert [s.sync_result for s in history] == [None, "accepted"]
    assert counter.store.outbox.pending_count() == 1
    assert len(counter.store.activity.recent_scans(limit=1)) == 1


def test_voided_redemption_frees_the_voucher_and_queues_the_void(counter: Counter) -> None:
    token = counter.voucher(5001)
    first = counter.scan(token)
    assert first.redemption_id is not None
    counter.store.activity.void_redemption(
        first.redemption_id, reason="cajero se equivocó", voided_at=NOW, device_id=DEVICE_ID
    )
    assert counter.store.activity.find_redemption(5001) is None
    again = counter.scan(token, now=NOW + timedelta(minutes=1))
    assert again.accepted
    kinds = sorted(item.kind.value for item in counter.store.outbox.pending())
    assert kinds == ["redemption", "redemption", "void"]
    with pytest.raises(UnknownRedemptionError):
        counter.store.activity.void_redemption(
            first.redemption_id, reason="again", voided_at=NOW, device_id=DEVICE_ID
        )


def test_events_are_append_only(counter: Counter) -> None:
    counter.scan(counter.voucher(6001))
    for statement in ("UPDATE events SET type = 'x'", "DELETE FROM events"):
        with pytest.raises(Exception, match="append-only"), counter.store._db.transaction() as conn:
            conn.execute(text(statement))
    with counter.store._db.transaction() as conn:
        payload = conn.execute(text("SELECT payload FROM events")).scalar_one()
    assert json.loads(payload)["serial"] == 6001
