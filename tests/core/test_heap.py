"""The kiosk's heap trim: when it runs (the schedule) and that it really gives freed C heap back."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from app.core import heap
from app.core.heap import TrimSchedule


def test_not_before_its_interval_from_start_or_from_the_last_trim() -> None:
    schedule = TrimSchedule(started=100.0, every_s=60, quiet_s=1, longest_delay_s=60)
    assert not schedule.due(159.9)
    assert schedule.due(160.0)
    schedule.trimmed(160.0)
    assert not schedule.due(219.0)
    assert schedule.due(220.0)


def test_a_scan_puts_it_off_until_a_quiet_second() -> None:
    schedule = TrimSchedule(started=0.0, every_s=60, quiet_s=1, longest_delay_s=60)
    schedule.activity(59.5)
    assert not schedule.due(60.0)
    assert schedule.due(60.5)


def test_a_busy_counter_still_trims_after_the_longest_delay() -> None:
    schedule = TrimSchedule(started=0.0, every_s=60, quiet_s=1, longest_delay_s=60)
    for tenth in range(600, 1200):  # a result every 0.1 s for the next minute
        now = tenth / 10
        schedule.activity(now)
        assert not schedule.due(now)
    schedule.activity(120.0)
    assert schedule.due(120.0)


FRAGMENT_AND_TRIM = textwrap.dedent(
    """
    import ctypes, json
    from app.core import heap

    libc = ctypes.CDLL("libc.so.6")
    libc.malloc.restype = ctypes.c_void_p
    libc.malloc.argtypes = [ctypes.c_size_t]
    libc.free.argtypes = [ctypes.c_void_p]

    def anon_mb():
        for line in open("/proc/self/status"):
            if line.startswith("RssAnon"):
                return int(line.split()[1]) / 1024

    # 64 MB in 1 KB blocks, written so the pages are resident; then all but every 64th freed:
    # the heap keeps 63 of every 64 KB free, in holes its top cannot shrink past.
    blocks = [libc.malloc(1024) for _ in range(64 * 1024)]
    for b in blocks:
        ctypes.memset(b, 1, 1024)
    for i, b in enumerate(blocks):
        if i % 64:
            libc.free(b)
    before = anon_mb()
    trimmed = heap.trim()
    print(json.dumps({"before": before, "after": anon_mb(), "trimmed": trimmed}))
    """
)


@pytest.mark.skipif(not heap.can_trim(), reason="malloc_trim is glibc's; this is not glibc")
def test_trim_gives_a_fragmented_heaps_free_pages_back() -> None:
    """The situation the soak found: memory freed in holes stays resident until trimmed."""
    out = subprocess.run(
        [sys.executable, "-c", FRAGMENT_AND_TRIM], capture_output=True, text=True, check=True
    )
    figures = json.loads(out.stdout)
    assert figures["trimmed"] is True
    assert figures["before"] - figures["after"] > 40, figures


def test_without_glibc_trim_says_so_and_does_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(heap.platform, "libc_ver", lambda: ("", ""))
    heap._glibc.cache_clear()
    try:
        assert not heap.can_trim()
        assert heap.trim() is False
    finally:
        heap._glibc.cache_clear()
