"""A redemption held for its sale total: recorded at once, pushed only once the prompt settles
it (or its hold runs out), with the total in the same transaction, and nothing stored wrong."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa
from time_machine import TimeMachineFixture

from app.core.sale_total import SALE_TOTAL_HOLD
from app.core.store import (
    InvalidRecordError,
    KioskStore,
    OutboxKind,
    QueuedScan,
    RecordedScan,
    SaleTotalAnswer,
    schema,
)
from pika_protocol.discounts import MAX_AMOUNT
from pika_protocol.validation import Reason
from tests.core.store.conftest import DEVICE_ID, NOW, Counter


def held_scan(counter: Counter, serial: int) -> RecordedScan:
    token = counter.voucher(serial)
    return counter.store.activity.record_scan(
        counter.validate(token),
        scan_id=uuid.uuid4(),
        scanned_at=NOW,
        device_id=DEVICE_ID,
        source="camera",
        raw_text=token,
        hold_for=SALE_TOTAL_HOLD,
    )


def pending_ids(store: KioskStore, **kw: bool) -> list[uuid.UUID]:
    return [item.item_id for item in store.outbox.pending(**kw)]


def sale_total_of(store: KioskStore, redemption_id: uuid.UUID) -> int | None:
    r = schema.redemptions
    with store._db.transaction() as conn:
        return conn.execute(
            sa.select(r.c.sale_total).where(r.c.redemption_id == redemption_id)
        ).scalar_one()


def events(store: KioskStore, kind: str) -> list[dict[str, object]]:
    e = schema.events
    with store._db.transaction() as conn:
        return [row.payload for row in conn.execute(sa.select(e).where(e.c.type == kind))]


def wire_total(store: KioskStore, item_id: uuid.UUID) -> int | None:
    [item] = [i for i in store.outbox.pending(include_held=True) if i.item_id == item_id]
    assert isinstance(item.payload, QueuedScan)
    return item.payload.item.sale_total


def test_the_redemption_is_recorded_at_scan_time_but_its_item_waits(
    store: KioskStore, counter: Counter
) -> None:
    recorded = held_scan(counter, 1)
    assert recorded.accepted and recorded.held
    assert store.activity.find_redemption(1) is not None
    assert pending_ids(store) == []
    assert pending_ids(store, include_held=True) == [recorded.scan_id]
    assert store.outbox.pending_count() == 1  # still waiting to sync, as the screen says


def test_a_refused_scan_is_never_held(store: KioskStore, counter: Counter) -> None:
    held_scan(counter, 1)
    again = held_scan(counter, 1)  # already redeemed
    assert again.reason is Reason.ALREADY_REDEEMED and not again.held
    assert pending_ids(store) == [again.scan_id]


def test_a_total_travels_with_the_redemption(store: KioskStore, counter: Counter) -> None:
    recorded = held_scan(counter, 1)
    answer = store.sale_totals.settle(recorded.scan_id, 150_000, at=NOW + timedelta(seconds=4))
    assert answer is SaleTotalAnswer.RECORDED
    assert pending_ids(store) == [recorded.scan_id]
    assert wire_total(store, recorded.scan_id) == 150_000
    assert sale_total_of(store, recorded.scan_id) == 150_000
    [event] = events(store, "redemption.sale_total")
    assert event["sale_total"] == 150_000 and event["redemption_id"] == str(recorded.scan_id)
    # settled once: a second answer (a late Enter, a new scan's skip) changes nothing
    assert store.sale_totals.settle(recorded.scan_id, 99, at=NOW) is SaleTotalAnswer.TOO_LATE
    assert store.sale_totals.settle(recorded.scan_id, None, at=NOW) is SaleTotalAnswer.TOO_LATE
    assert sale_total_of(store, recorded.scan_id) == 150_000
    assert wire_total(store, recorded.scan_id) == 150_000


def test_skipping_lets_it_go_without_a_total(store: KioskStore, counter: Counter) -> None:
    recorded = held_scan(counter, 1)
    assert store.sale_totals.settle(recorded.scan_id, None, at=NOW) is SaleTotalAnswer.SKIPPED
    assert pending_ids(store) == [recorded.scan_id]
    assert wire_total(store, recorded.scan_id) is None
    assert sale_total_of(store, recorded.scan_id) is None
    assert events(store, "redemption.sale_total") == []


@pytest.mark.parametrize("total", [0, -150_000, True, 1.5, "150000", MAX_AMOUNT + 1])
def test_a_wrong_total_is_refused_and_nothing_changes(
    store: KioskStore, counter: Counter, total: object
) -> None:
    recorded = held_scan(counter, 1)
    with pytest.raises(InvalidRecordError):
        store.sale_totals.settle(recorded.scan_id, total, at=NOW)  # type: ignore[arg-type]
    assert pending_ids(store) == []  # still held: the cashier may type it again
    assert sale_total_of(store, recorded.scan_id) is None
    assert wire_total(store, recorded.scan_id) is None


def test_a_hold_that_ran_out_sends_the_item_and_a_late_total_is_not_stored(
    store: KioskStore, counter: Counter, time_machine: TimeMachineFixture
) -> None:
    recorded = held_scan(counter, 1)
    time_machine.shift(SALE_TOTAL_HOLD + timedelta(seconds=1))
    assert pending_ids(store) == [recorded.scan_id]
    assert store.sale_totals.settle(recorded.scan_id, 150_000, at=NOW) is SaleTotalAnswer.TOO_LATE
    assert sale_total_of(store, recorded.scan_id) is None
    assert wire_total(store, recorded.scan_id) is None


def test_an_undo_while_the_prompt_is_open_sends_the_redemption_before_its_void(
    store: KioskStore, counter: Counter
) -> None:
    recorded = held_scan(counter, 1)
    store.activity.void_redemption(
        recorded.scan_id, reason="cashier-undo", voided_at=NOW, device_id=DEVICE_ID
    )
    kinds = [item.kind for item in store.outbox.pending()]
    assert kinds == [OutboxKind.REDEMPTION, OutboxKind.VOID]
    assert store.sale_totals.settle(recorded.scan_id, 5_000, at=NOW) is SaleTotalAnswer.TOO_LATE
    assert sale_total_of(store, recorded.scan_id) is None


def test_a_restart_lets_every_held_item_go_without_a_total(
    store_path, key: bytes, store: KioskStore, counter: Counter
) -> None:
    first, second = held_scan(counter, 1), held_scan(counter, 2)
    store.sale_totals.settle(second.scan_id, 80_000, at=NOW)
    store.close()
    with KioskStore.open(store_path, key) as reopened:
        assert pending_ids(reopened) == [second.scan_id]  # the first is still held on disk
        assert reopened.outbox.release_held() == 1
        assert sorted(pending_ids(reopened)) == sorted([first.scan_id, second.scan_id])
        assert wire_total(reopened, first.scan_id) is None
        assert wire_total(reopened, second.scan_id) == 80_000
        assert reopened.outbox.release_held() == 0


def test_the_usual_ticket_is_kept_per_business(store: KioskStore) -> None:
    assert store.reference.usual_ticket(42) is None
    store.reference.set_usual_ticket(42, 60_000)
    store.reference.set_usual_ticket(42, 75_000)
    store.reference.set_usual_ticket(43, 10_000)
    assert (store.reference.usual_ticket(42), store.reference.usual_ticket(43)) == (75_000, 10_000)
    store.reference.set_usual_ticket(42, None)
    assert store.reference.usual_ticket(42) is None
    for bad in (0, -1, True, 1.5):
        with pytest.raises(InvalidRecordError):
            store.reference.set_usual_ticket(42, bad)  # type: ignore[arg-type]
