"""Cashier undo and manager void on a real encrypted store with the demo vouchers."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.core import demo
from app.core.corrections import (
    UNDO_REASON,
    CorrectionKind,
    Corrections,
    InvalidVoidReason,
    NothingToUndo,
    NotVoidable,
    RedemptionState,
    UndoSuperseded,
    UndoWindowClosed,
)
from app.core.counter import Counter, ScanOutcome
from app.core.device import DeviceIdentity
from app.core.store import KioskStore, OutboxKind, QueuedVoid, ScanSource
from pika_protocol.validation import Reason

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
# Any clock read the tests do not inject sees NOW too (tests/support/date_guard.py).
pytestmark = pytest.mark.time_machine(NOW)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class Kiosk:
    store: KioskStore
    counter: Counter
    corrections: Corrections
    catalogue: demo.DemoCatalogue
    clock: Clock

    def redeem(self, index: int) -> ScanOutcome:
        outcome = self.counter.scan(self.catalogue.vouchers[index].token, ScanSource.CAMERA)
        assert outcome.reason is Reason.VALID
        self.clock.advance(1)
        return outcome

    def scan(self, index: int) -> ScanOutcome:
        outcome = self.counter.scan(self.catalogue.vouchers[index].token, ScanSource.CAMERA)
        self.clock.advance(1)
        return outcome


@pytest.fixture
def kiosk(tmp_path: Path) -> Iterator[Kiosk]:
    store = KioskStore.open(tmp_path / "k.db", secrets.token_bytes(32))
    catalogue = demo.make_catalogue()
    demo.install(store, catalogue)
    clock = Clock()
    yield Kiosk(
        store,
        Counter(store, demo.DEMO_DEVICE, clock=clock),
        Corrections(store, demo.DEMO_DEVICE, clock=clock, undo_window=timedelta(seconds=60)),
        catalogue,
        clock,
    )
    store.close()


def test_undo_inside_the_window_makes_the_voucher_redeemable_again(kiosk: Kiosk) -> None:
    outcome = kiosk.redeem(0)
    assert kiosk.corrections.undo_seconds_left(outcome) == 59
    pending_before = kiosk.store.outbox.pending_count()
    correction = kiosk.corrections.undo(outcome)
    assert correction.kind is CorrectionKind.UNDO
    assert correction.redemption_id == outcome.recorded.redemption_id
    assert correction.reason == UNDO_REASON
    assert correction.pending_sync == pending_before + 1
    void_items = [i for i in kiosk.store.outbox.pending() if i.kind is OutboxKind.VOID]
    voids = [i.payload for i in void_items]
    assert all(isinstance(v, QueuedVoid) for v in voids)
    assert [v.item.redemption_id for v in voids if isinstance(v, QueuedVoid)] == [
        correction.redemption_id
    ]
    assert kiosk.scan(0).reason is Reason.VALID


def test_undo_works_up_to_the_last_second_of_the_window(kiosk: Kiosk) -> None:
    outcome = kiosk.redeem(0)
    kiosk.clock.advance(58)
    assert kiosk.corrections.undo_seconds_left(outcome) == 1
    kiosk.corrections.undo(outcome.recorded)


def test_undo_after_the_window_is_refused_and_changes_nothing(kiosk: Kiosk) -> None:
    outcome = kiosk.redeem(0)
    kiosk.clock.advance(59)
    assert kiosk.corrections.undo_seconds_left(outcome) == 0
    pending = kiosk.store.outbox.pending_count()
    with pytest.raises(UndoWindowClosed):
        kiosk.corrections.undo(outcome)
    assert kiosk.store.outbox.pending_count() == pending
    assert kiosk.scan(0).reason is Reason.ALREADY_REDEEMED


def test_the_window_follows_the_setting(kiosk: Kiosk) -> None:
    outcome = kiosk.redeem(0)
    kiosk.corrections.undo_window = timedelta(seconds=10)
    kiosk.clock.advance(20)
    with pytest.raises(UndoWindowClosed):
        kiosk.corrections.undo(outcome)
    kiosk.corrections.undo_window = timedelta(seconds=120)
    kiosk.corrections.undo(outcome)
    with pytest.raises(ValueError):
        kiosk.corrections.undo_window = timedelta(0)


def test_after_a_second_redemption_the_first_cannot_be_undone(kiosk: Kiosk) -> None:
    first = kiosk.redeem(0)
    second = kiosk.redeem(1)
    with pytest.raises(UndoSuperseded):
        kiosk.corrections.undo(first)
    kiosk.corrections.undo(second)
    with pytest.raises(UndoSuperseded):  # undoing the second does not reopen the first
        kiosk.corrections.undo(first)


def test_a_rejected_scan_in_between_does_not_stop_the_undo(kiosk: Kiosk) -> None:
    outcome = kiosk.redeem(0)
    assert kiosk.scan(0).reason is Reason.ALREADY_REDEEMED
    assert kiosk.counter.enter_code("nonsense").reason is Reason.MALFORMED
    kiosk.corrections.undo(outcome)


def test_a_rejected_scan_has_nothing_to_undo(kiosk: Kiosk) -> None:
    kiosk.redeem(0)
    again = kiosk.scan(0)
    assert kiosk.corrections.undo_seconds_left(again) == 0
    with pytest.raises(NothingToUndo):
        kiosk.corrections.undo(again)


def test_undoing_twice_is_refused(kiosk: Kiosk) -> None:
    outcome = kiosk.redeem(0)
    kiosk.corrections.undo(outcome)
    with pytest.raises(NothingToUndo):
        kiosk.corrections.undo(outcome)


def test_a_redemption_of_another_device_is_not_the_cashiers_to_undo(kiosk: Kiosk) -> None:
    outcome = kiosk.redeem(0)
    other = DeviceIdentity("caja-2", "Caja 2", demo.DEMO_BUSINESS_ID, demo.DEMO_BUSINESS_NAME)
    corrections = Corrections(kiosk.store, other, clock=kiosk.clock)
    assert corrections.undo_seconds_left(outcome) == 0
    with pytest.raises(NothingToUndo):
        corrections.undo(outcome)


def test_manager_voids_any_live_redemption_with_a_reason(kiosk: Kiosk) -> None:
    first = kiosk.redeem(0)
    kiosk.redeem(1)
    kiosk.clock.advance(3600)
    rid = first.recorded.redemption_id
    assert rid is not None
    correction = kiosk.corrections.void(str(rid), "  customer changed their mind ")
    assert correction.kind is CorrectionKind.VOID
    assert correction.reason == "customer changed their mind"
    assert correction.at == kiosk.clock.now
    [item] = [i for i in kiosk.store.outbox.pending() if i.kind is OutboxKind.VOID]
    assert isinstance(item.payload, QueuedVoid)
    void = item.payload.item
    assert void.void_reason == "customer changed their mind"
    assert void.device_id == demo.DEMO_DEVICE_ID
    assert kiosk.scan(0).reason is Reason.VALID


@pytest.mark.parametrize("reason", ["", "   ", "x" * 201])
def test_a_void_without_a_proper_reason_is_refused(kiosk: Kiosk, reason: str) -> None:
    outcome = kiosk.redeem(0)
    assert outcome.recorded.redemption_id is not None
    pending = kiosk.store.outbox.pending_count()
    with pytest.raises(InvalidVoidReason):
        kiosk.corrections.void(outcome.recorded.redemption_id, reason)
    assert kiosk.store.outbox.pending_count() == pending
    assert kiosk.scan(0).reason is Reason.ALREADY_REDEEMED


@pytest.mark.parametrize("rid", [uuid.uuid4(), "not-a-uuid", ""])
def test_voiding_an_unknown_redemption_is_refused(kiosk: Kiosk, rid: object) -> None:
    with pytest.raises(NotVoidable):
        kiosk.corrections.void(rid, "mistake")  # type: ignore[arg-type]


def test_voiding_twice_is_refused(kiosk: Kiosk) -> None:
    rid = kiosk.redeem(0).recorded.redemption_id
    assert rid is not None
    kiosk.corrections.void(rid, "wrong customer")
    with pytest.raises(NotVoidable):
        kiosk.corrections.void(rid, "wrong customer")


def test_history_marks_live_and_voided_redemptions(kiosk: Kiosk) -> None:
    first = kiosk.redeem(0)
    kiosk.scan(0)  # already redeemed
    second = kiosk.redeem(1)
    kiosk.corrections.undo(second)
    third = kiosk.redeem(1)  # redeemable again after the undo
    lines = kiosk.corrections.history()
    assert [line.record.scan_id for line in lines] == [
        third.recorded.scan_id,
        second.recorded.scan_id,
        lines[2].record.scan_id,
        first.recorded.scan_id,
    ]
    assert [line.redemption for line in lines] == [
        RedemptionState.LIVE,
        RedemptionState.VOIDED,
        None,
        RedemptionState.LIVE,
    ]
    assert [line.voidable for line in lines] == [True, False, False, True]


def test_counts_today_per_reason(kiosk: Kiosk) -> None:
    kiosk.redeem(0)
    kiosk.redeem(1)
    kiosk.scan(0)
    kiosk.counter.scan(kiosk.catalogue.expired.token, ScanSource.CAMERA)
    kiosk.counter.enter_code("nonsense")
    assert kiosk.corrections.counts_today() == {
        Reason.VALID: 2,
        Reason.ALREADY_REDEEMED: 1,
        Reason.EXPIRED: 1,
        Reason.MALFORMED: 1,
    }
    kiosk.clock.advance(2 * 86_400)
    assert kiosk.corrections.counts_today() == {}


def test_scan_counts_needs_an_aware_time(kiosk: Kiosk) -> None:
    from app.core.store import InvalidRecordError

    with pytest.raises(InvalidRecordError):
        kiosk.store.activity.scan_counts(NOW.replace(tzinfo=None))
