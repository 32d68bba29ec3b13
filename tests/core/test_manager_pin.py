"""The manager PIN on a real encrypted store: hashing, first run, demo PIN, lockout, change."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.core.manager_pin import (
    DEMO_PIN,
    FAILURES_KEY,
    HASH_KEY,
    LOCKED_UNTIL_KEY,
    TRIES_BEFORE_LOCK,
    ManagerPin,
    PinAlreadySetError,
    PinFormatError,
    PinLockedError,
    PinNotSetError,
    PinRecordDamagedError,
    WrongPinError,
    lock_delay,
)
from app.core.store import KioskStore

START = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
# Any clock read the tests do not inject sees START too (tests/support/date_guard.py).
pytestmark = pytest.mark.time_machine(START)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[KioskStore]:
    opened = KioskStore.open(tmp_path / "k.db", secrets.token_bytes(32))
    yield opened
    opened.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def pin(store: KioskStore, clock: Clock) -> ManagerPin:
    manager = ManagerPin(store, clock=clock)
    manager.set_up("482916")
    return manager


def fail(pin: ManagerPin, times: int) -> list[WrongPinError]:
    errors = []
    for _ in range(times):
        with pytest.raises(WrongPinError) as caught:
            pin.verify("000000")
        errors.append(caught.value)
    return errors


def test_right_pin_passes_and_only_a_salted_hash_is_stored(pin: ManagerPin) -> None:
    pin.verify("482916")
    stored = pin.store.settings.get(HASH_KEY)
    assert stored is not None and "482916" not in stored
    scheme, n, r, p, salt, digest = stored.split("$")
    assert (scheme, n, r, p) == ("scrypt", "16384", "8", "1")
    assert len(salt) >= 20 and len(digest) >= 40


def test_same_pin_twice_gets_different_hashes(tmp_path: Path) -> None:
    hashes = []
    for name in ("a.db", "b.db"):
        with KioskStore.open(tmp_path / name, secrets.token_bytes(32)) as store:
            ManagerPin(store).set_up("1357")
            hashes.append(store.settings.get(HASH_KEY))
    assert hashes[0] != hashes[1]


def test_wrong_pin_is_refused_and_counts_down(pin: ManagerPin) -> None:
    errors = fail(pin, TRIES_BEFORE_LOCK - 1)
    assert [e.tries_left for e in errors] == [4, 3, 2, 1]
    assert all(e.locked_seconds == 0 for e in errors)
    pin.verify("482916")  # a right PIN resets the count
    assert pin.store.settings.get(FAILURES_KEY) == "0"
    assert fail(pin, 1)[0].tries_left == TRIES_BEFORE_LOCK - 1


def test_five_wrong_tries_lock_the_pad_even_for_the_right_pin(
    pin: ManagerPin, clock: Clock
) -> None:
    last = fail(pin, TRIES_BEFORE_LOCK)[-1]
    assert last.tries_left == 0 and last.locked_seconds == 30
    with pytest.raises(PinLockedError) as caught:
        pin.verify("482916")
    assert caught.value.seconds_left == 30
    clock.advance(20)
    assert pin.locked_seconds_left() == 10
    clock.advance(10)
    assert pin.locked_seconds_left() == 0
    pin.verify("482916")
    assert pin.locked_seconds_left() == 0


def test_each_further_wrong_try_locks_longer(pin: ManagerPin, clock: Clock) -> None:
    fail(pin, TRIES_BEFORE_LOCK)
    delays = []
    for _ in range(8):
        clock.advance(pin.locked_seconds_left())
        delays.append(fail(pin, 1)[0].locked_seconds)
    assert delays == [60, 120, 240, 480, 900, 900, 900, 900]
    assert lock_delay(4) == timedelta(0) and lock_delay(10_000) == timedelta(minutes=15)


def test_lockout_survives_a_restart(tmp_path: Path, clock: Clock) -> None:
    key = secrets.token_bytes(32)
    with KioskStore.open(tmp_path / "k.db", key) as store:
        first = ManagerPin(store, clock=clock)
        first.set_up("2468")
        fail(first, TRIES_BEFORE_LOCK)
    with KioskStore.open(tmp_path / "k.db", key) as store, pytest.raises(PinLockedError):
        ManagerPin(store, clock=clock).verify("2468")


def test_a_clock_set_back_locks_no_longer_than_the_longest_lock(
    pin: ManagerPin, clock: Clock
) -> None:
    fail(pin, TRIES_BEFORE_LOCK)
    clock.advance(-86_400 * 365)
    assert pin.locked_seconds_left() == 15 * 60


@pytest.mark.parametrize("stored", ["tomorrow", "2026-11-25T15:00:00"])
def test_an_unreadable_lock_counts_as_the_longest_lock(pin: ManagerPin, stored: str) -> None:
    pin.store.settings.set(LOCKED_UNTIL_KEY, stored)
    assert pin.locked_seconds_left() == 15 * 60
    with pytest.raises(PinLockedError):
        pin.verify("482916")


def test_an_unreadable_failure_count_never_starts_fresh(pin: ManagerPin) -> None:
    pin.store.settings.set(FAILURES_KEY, "lots")
    assert fail(pin, 1)[0].locked_seconds == 60


@pytest.mark.parametrize("bad", ["123", "123456789", "12a4", " 1234", "١٢٣٤", ""])
def test_a_new_pin_must_be_4_to_8_digits(store: KioskStore, bad: str) -> None:
    with pytest.raises(PinFormatError):
        ManagerPin(store).set_up(bad)
    assert not ManagerPin(store).is_set()


def test_a_badly_formed_try_is_a_wrong_try(pin: ManagerPin) -> None:
    with pytest.raises(WrongPinError):
        pin.verify("12")
    assert pin.store.settings.get(FAILURES_KEY) == "1"


def test_first_run_needs_a_pin_and_setup_happens_once(store: KioskStore) -> None:
    manager = ManagerPin(store)
    assert not manager.is_set()
    with pytest.raises(PinNotSetError):
        manager.verify("1234")
    manager.set_up("97531")
    with pytest.raises(PinAlreadySetError):
        manager.set_up("11111")
    manager.verify("97531")


def test_demo_kiosk_gets_the_documented_demo_pin_once(store: KioskStore) -> None:
    manager = ManagerPin(store)
    assert manager.ensure_demo_pin() is True
    manager.verify(DEMO_PIN)
    manager.change(DEMO_PIN, "8642")
    assert manager.ensure_demo_pin() is False  # never overwrites a chosen PIN
    manager.verify("8642")


def test_change_pin_checks_the_current_one(pin: ManagerPin) -> None:
    with pytest.raises(WrongPinError):
        pin.change("111111", "5555")
    with pytest.raises(PinFormatError):
        pin.change("482916", "55")
    pin.change("482916", "5555")
    pin.verify("5555")
    with pytest.raises(WrongPinError):
        pin.verify("482916")


@pytest.mark.parametrize(
    "stored",
    ["", "garbage", "bcrypt$1$2$3$AAAA$AAAA", "scrypt$16384$8$1$!!!$AAAA", "scrypt$x$8$1$AA$AA"],
)
def test_a_damaged_hash_is_a_typed_error(pin: ManagerPin, stored: str) -> None:
    pin.store.settings.set(HASH_KEY, stored)
    with pytest.raises(PinRecordDamagedError):
        pin.verify("482916")
