from __future__ import annotations

import pytest

from app.core.scanning.debounce import Debouncer


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_same_payload_inside_the_window_is_one_scan() -> None:
    clock = FakeClock()
    debounce = Debouncer(3.0, clock=clock)
    assert debounce.admit("TOKEN", "camera")
    clock.now += 1.0
    assert not debounce.admit("TOKEN", "camera")
    clock.now += 3.5
    assert debounce.admit("TOKEN", "camera")


def test_a_voucher_held_up_keeps_counting_as_one_scan() -> None:
    clock = FakeClock()
    debounce = Debouncer(2.0, clock=clock)
    assert debounce.admit("TOKEN")
    for _ in range(10):  # seen every second for ten seconds
        clock.now += 1.0
        assert not debounce.admit("TOKEN")


def test_window_is_per_source_and_per_payload() -> None:
    clock = FakeClock()
    debounce = Debouncer(3.0, clock=clock)
    assert debounce.admit("TOKEN", "camera")
    assert debounce.admit("TOKEN", "wedge")
    assert debounce.admit("OTHER", "camera")
    assert not debounce.admit("TOKEN", "wedge")


def test_explicit_timestamps_win_over_the_clock() -> None:
    debounce = Debouncer(3.0, clock=lambda: 0.0)
    assert debounce.admit("TOKEN", at=10.0)
    assert not debounce.admit("TOKEN", at=12.0)
    assert debounce.admit("TOKEN", at=15.5)


def test_reset_forgets_one_source_or_all() -> None:
    clock = FakeClock()
    debounce = Debouncer(3.0, clock=clock)
    debounce.admit("TOKEN", "camera")
    debounce.admit("TOKEN", "wedge")
    debounce.reset("camera")
    assert debounce.admit("TOKEN", "camera")
    assert not debounce.admit("TOKEN", "wedge")
    debounce.reset()
    assert debounce.admit("TOKEN", "wedge")


def test_old_entries_are_forgotten() -> None:
    clock = FakeClock()
    debounce = Debouncer(1.0, clock=clock)
    for i in range(200):
        debounce.admit(f"T{i}")
        clock.now += 0.1
    assert len(debounce._last_seen) < 100


def test_zero_window_counts_every_sighting_and_negative_is_refused() -> None:
    debounce = Debouncer(0.0, clock=FakeClock())
    assert debounce.admit("A") and not debounce.admit("A")  # same instant is still one
    with pytest.raises(ValueError):
        Debouncer(-1.0)
