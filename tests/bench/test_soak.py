"""``pika-bench soak`` with a short day: the real kiosk window, a real backend taken away and
back, and the child's crash, memory, file and thread figures reported."""

from __future__ import annotations

import argparse

import pytest

from pika_bench import soak

KEYS = {"scans", "crashes", "rss_start_mb", "rss_end_mb", "seconds"}


def test_slope_is_per_minute_and_needs_points() -> None:
    assert soak.slope_per_minute([(0, 100.0), (30, 101.0), (60, 102.0)]) == 2.0
    assert soak.slope_per_minute([(0, 100.0), (60, 100.0)]) is None


@pytest.mark.timeout(240)
def test_short_day_does_not_crash_and_reports_every_figure(
    postgres_server: str, redis_server: str
) -> None:
    parser = argparse.ArgumentParser()
    soak.add_arguments(parser)
    # A few hundred scans; the backend goes away 1 s into the day, for 2 s at a time.
    day = "--scans 500 --seconds 60 --display offscreen --offline-every 1 --offline-for 2"
    servers = ["--postgres", postgres_server, "--redis", redis_server]
    probe = ["--sample-seconds", "0.5", "--heap-seconds", "5"]
    args = parser.parse_args([*day.split(), *probe, *servers])
    result = soak.run(args)
    assert result.keys() >= KEYS
    assert result["crashes"] == 0, result["child_stderr_tail"]
    assert result["scans"] >= 100
    counts = result["counts"]
    assert counts.get("result_valid", 0) > 0 and counts.get("result_malformed", 0) > 0
    assert result["voids"] >= 1 and result["undos"] >= 1
    assert result["backend_offline_periods"] >= 1
    assert counts.get("sync_became_offline", 0) >= 1, counts
    assert result["left_in_outbox"] == 0
    assert result["rss_start_mb"] > 0 and result["fds_max"] > 0
    # RSS split into the process's own memory and file pages; where the heap lives.
    _, rss, _, _, anon, file = result["rss_samples"][0]
    assert anon > 0 and file > 0 and anon + file <= rss + 0.2  # the rest is shared memory
    heap = result["heap_samples"][-1]
    assert heap["malloc"]["in_use_mb"] > 0 and heap["sqlite_mb"] > 0 and heap["smaps"]["heap"] > 0
