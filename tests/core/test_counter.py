"""The counter path (validate → record) on a real encrypted store, without Qt."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from app.core import demo
from app.core.counter import Counter, EntryProblem, Tone
from app.core.store import KioskStore, ScanSource
from pika_protocol.tokens import short_code_for
from pika_protocol.validation import Reason

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
# Any clock read the tests do not inject sees NOW too (tests/support/date_guard.py).
pytestmark = pytest.mark.time_machine(NOW)


@pytest.fixture
def counter(tmp_path) -> Iterator[tuple[Counter, demo.DemoCatalogue]]:
    store = KioskStore.open(tmp_path / "kiosk.db", secrets.token_bytes(32))
    catalogue = demo.make_catalogue()
    demo.install(store, catalogue)
    clock = iter(NOW + timedelta(seconds=i) for i in range(10_000))
    yield Counter(store, demo.DEMO_DEVICE, clock=lambda: next(clock)), catalogue
    store.close()


def test_valid_then_already_redeemed_with_when_and_where(counter) -> None:
    counter_, catalogue = counter
    token = catalogue.vouchers[0].token
    first = counter_.scan(token, ScanSource.CAMERA)
    assert first.reason is Reason.VALID and first.tone is Tone.VALID
    assert first.offer is not None and first.offer.offer_id == catalogue.vouchers[0].offer.offer_id
    second = counter_.scan(token, ScanSource.WEDGE)
    assert second.reason is Reason.ALREADY_REDEEMED and second.tone is Tone.WARNING
    assert second.recorded.prior is not None
    assert second.recorded.prior.device_id == demo.DEMO_DEVICE_ID
    assert second.recorded.prior.redeemed_at == first.recorded.scanned_at
    assert second.pending_sync == counter_.store.outbox.pending_count() == 2


def test_short_code_maps_to_its_voucher(counter) -> None:
    counter_, catalogue = counter
    voucher = catalogue.vouchers[5]
    outcome = counter_.enter_code(short_code_for(voucher.token).lower())
    assert outcome.reason is Reason.VALID
    assert outcome.recorded.source is ScanSource.MANUAL
    assert outcome.recorded.claims is not None
    assert outcome.recorded.claims.serial == voucher.serial


def test_whole_token_can_be_typed(counter) -> None:
    counter_, catalogue = counter
    outcome = counter_.enter_code(catalogue.vouchers[6].token)
    assert outcome.reason is Reason.VALID


@pytest.mark.parametrize("typed", ["7KQ2-M9XD-Q", "", "hola", "ÑÑÑÑ-ÑÑÑÑ-Ñ"])
def test_bad_manual_entry_is_recorded_as_malformed(counter, typed) -> None:
    counter_, _ = counter
    before = counter_.store.outbox.pending_count()
    outcome = counter_.enter_code(typed)
    assert outcome.reason is Reason.MALFORMED and outcome.tone is Tone.INVALID
    assert outcome.detail
    assert counter_.store.outbox.pending_count() == before + 1


def test_each_failing_demo_voucher_has_its_reason(counter) -> None:
    counter_, catalogue = counter
    assert counter_.scan(catalogue.expired.token, ScanSource.CAMERA).reason is Reason.EXPIRED
    assert (
        counter_.scan(catalogue.not_yet_valid.token, ScanSource.CAMERA).reason
        is Reason.NOT_YET_VALID
    )
    assert (
        counter_.scan(catalogue.other_business.token, ScanSource.CAMERA).reason
        is Reason.OTHER_BUSINESS
    )
    assert counter_.scan(catalogue.revoked.token, ScanSource.CAMERA).reason is Reason.REVOKED


def _mistyped(code: str) -> str:
    """The code with its first character replaced: the check character catches it."""
    return ("B" if code[0] != "B" else "C") + code[1:]


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        (lambda code: code[:-2], EntryProblem.LENGTH),
        (lambda code: code + "7", EntryProblem.LENGTH),
        (lambda code: "Ñ" + code[1:], EntryProblem.CHARACTER),
        (_mistyped, EntryProblem.CHECK),
        (lambda _code: "7KQ2-M9XD-T", EntryProblem.NOT_FOUND),
    ],
    ids=["short", "long", "character", "check", "not-found"],
)
def test_a_refused_typed_code_says_what_was_wrong_with_it(counter, typed, problem) -> None:
    counter_, catalogue = counter
    code = short_code_for(catalogue.vouchers[3].token)
    assert code != "7KQ2-M9XD-T"  # the well-formed example code is no demo voucher's
    outcome = counter_.enter_code(typed(code))
    assert outcome.reason is Reason.MALFORMED
    assert outcome.entry_problem is problem
    assert outcome.recorded.source is ScanSource.MANUAL


def test_a_short_code_typed_fast_enough_to_look_like_a_scanner_is_a_manual_entry(counter) -> None:
    counter_, catalogue = counter
    code = short_code_for(catalogue.vouchers[4].token)
    outcome = counter_.scan_wedge(code)
    assert outcome.reason is Reason.VALID
    assert outcome.recorded.source is ScanSource.MANUAL  # not "scanner" in the history
    typo = counter_.scan_wedge(_mistyped(code))
    assert typo.entry_problem is EntryProblem.CHECK and typo.recorded.source is ScanSource.MANUAL
    garbage = counter_.scan_wedge("HTTPS://EXAMPLE.COM/PROMO")
    assert garbage.reason is Reason.MALFORMED and garbage.recorded.source is ScanSource.WEDGE
    assert garbage.entry_problem is None
