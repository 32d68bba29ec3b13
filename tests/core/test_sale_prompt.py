"""When the sale-total prompt opens and closes (the rules, without Qt)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from app.core.counter import ScanOutcome
from app.core.sale_prompt import IDLE_SECONDS, MAX_OPEN_SECONDS, SalePrompt
from app.core.sale_total import SALE_TOTAL_HOLD
from app.core.store import RecordedScan, ScanSource
from pika_protocol.tokens import VoucherClaims
from pika_protocol.validation import PriorRedemption, Reason


def outcome(
    reason: Reason = Reason.VALID,
    *,
    held: bool = True,
    serial: int = 5,
    prior: uuid.UUID | None = None,
) -> ScanOutcome:
    now = datetime.now(UTC)
    claims = VoucherClaims(
        key_id=1, business_id=42, offer_id=7, serial=serial, valid_from=0, valid_until=2**32 - 1
    )
    before = (
        None
        if prior is None
        else PriorRedemption(
            redemption_id=str(prior), redeemed_at=now, device_id="dev", device_name="Caja 1"
        )
    )
    recorded = RecordedScan(
        scan_id=uuid.uuid4(),
        reason=reason,
        scanned_at=now,
        device_id="dev",
        source=ScanSource.CAMERA,
        claims=claims,
        prior=before,
        held=held,
    )
    return ScanOutcome(reason=reason, recorded=recorded, offer=None, pending_sync=1)


def test_opens_only_for_a_redemption_held_for_its_total() -> None:
    prompt = SalePrompt()
    assert prompt.offer(outcome(held=False), 0.0) is None
    assert prompt.offer(outcome(Reason.EXPIRED, held=False), 0.0) is None
    valid = outcome(serial=77)
    opened = prompt.offer(valid, 10.0)
    assert opened is not None and prompt.open is opened
    assert (opened.redemption_id, opened.serial) == (valid.recorded.redemption_id, 77)


def test_any_new_scan_closes_it_but_the_same_voucher_seen_again() -> None:
    prompt = SalePrompt()
    first = outcome()
    prompt.offer(first, 0.0)
    assert first.recorded.redemption_id is not None
    again = outcome(Reason.ALREADY_REDEEMED, held=False, prior=first.recorded.redemption_id)
    assert not prompt.closes_for(again)
    assert prompt.closes_for(outcome(Reason.ALREADY_REDEEMED, held=False, prior=uuid.uuid4()))
    assert prompt.closes_for(outcome(Reason.FORGED, held=False))
    assert prompt.closes_for(outcome())
    assert prompt.close() is not None and prompt.open is None
    assert not prompt.closes_for(outcome())  # nothing open, nothing to close
    assert prompt.close() is None


def test_closes_by_itself_when_idle_and_typing_keeps_it_open_but_not_for_ever() -> None:
    prompt = SalePrompt()
    prompt.offer(outcome(), 100.0)
    assert prompt.seconds_left(100.0) == pytest.approx(IDLE_SECONDS)
    assert not prompt.timed_out(100.0 + IDLE_SECONDS - 0.1)
    assert prompt.timed_out(100.0 + IDLE_SECONDS)
    now = 100.0
    while now < 100.0 + MAX_OPEN_SECONDS - 1:
        now += IDLE_SECONDS / 2
        prompt.typed(now)
        assert prompt.timed_out(now) is (now - 100.0 >= MAX_OPEN_SECONDS)
    assert prompt.timed_out(100.0 + MAX_OPEN_SECONDS)
    assert prompt.seconds_left(100.0 + MAX_OPEN_SECONDS) == 0.0


def test_the_prompt_always_closes_before_the_store_lets_its_item_go() -> None:
    assert IDLE_SECONDS <= MAX_OPEN_SECONDS < SALE_TOTAL_HOLD.total_seconds()


def test_bad_times_are_refused() -> None:
    with pytest.raises(ValueError):
        SalePrompt(idle_seconds=0)
    with pytest.raises(ValueError):
        SalePrompt(idle_seconds=30, max_open_seconds=10)
