"""Backoff: grows, is capped, jitters, and never undercuts Retry-After."""

from __future__ import annotations

import random

from app.core.sync import Backoff


def test_delays_grow_to_the_cap_with_jitter_inside_the_upper_half() -> None:
    backoff = Backoff(base_s=2, cap_s=60, rng=random.Random(7))
    delays = [backoff.next_delay() for _ in range(10)]
    ceilings = [min(60, 2 * 2**i) for i in range(10)]
    for delay, ceiling in zip(delays, ceilings, strict=True):
        assert ceiling / 2 <= delay <= ceiling
    assert len(set(delays)) == len(delays)  # jittered, not a fixed ladder


def test_retry_after_is_a_floor_but_bounded() -> None:
    backoff = Backoff(base_s=1, cap_s=10, max_retry_after_s=120, rng=random.Random(1))
    assert backoff.next_delay(retry_after=45) == 45
    assert backoff.next_delay(retry_after=10_000) == 120
    assert backoff.next_delay(retry_after=0.1) >= 2  # its own delay when that is longer


def test_reset_starts_over() -> None:
    backoff = Backoff(base_s=1, cap_s=100, rng=random.Random(3))
    for _ in range(6):
        backoff.next_delay()
    backoff.reset()
    assert backoff.next_delay() <= 1
