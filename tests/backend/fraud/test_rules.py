"""The fraud rules as pure functions (no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sync_backend.fraud import rules
from sync_backend.fraud.rules import ScanRow

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
# Any clock read the tests do not inject sees T0 too (tests/support/date_guard.py).
pytestmark = pytest.mark.time_machine(T0)


def row(
    n: int,
    *,
    at: float = 0,
    device: str = "d1",
    business: int = 1,
    serial: int | None = 1,
    kind: str = "redemption",
    outcome: str = "accepted",
    loc: tuple[float, float] | None = None,
    skew: int | None = None,
    received_after: float = 1,
) -> ScanRow:
    scanned = T0 + timedelta(seconds=at)
    return ScanRow(
        id=f"r{n}",
        kind=kind,
        outcome=outcome,
        business_id=business,
        device_id=device,
        serial=serial,
        offer_id=1,
        server_reason="valid",
        kiosk_reason="valid",
        conflict_with=None,
        scanned_at=scanned,
        received_at=scanned + timedelta(seconds=received_after),
        clock_skew_s=skew,
        latitude=loc[0] if loc else None,
        longitude=loc[1] if loc else None,
    )


def test_distance_asuncion_to_ciudad_del_este() -> None:
    metres = rules.distance_m(-25.2637, -57.5759, -25.5097, -54.6111)
    assert 295_000 < metres < 300_000


def test_eleven_scans_in_a_minute_is_one_flag_ten_is_none() -> None:
    ten = [row(i, at=i * 5) for i in range(10)]
    assert (
        rules.window_flags("scan_rate", ten, threshold=10, window_s=60, new_ids={r.id for r in ten})
        == []
    )
    eleven = [row(i, at=i * 5) for i in range(11)]
    flags = rules.window_flags(
        "scan_rate", eleven, threshold=10, window_s=60, new_ids={r.id for r in eleven}
    )
    assert len(flags) == 1 and flags[0].evidence["count"] == 11


def test_a_long_burst_is_flagged_once_and_old_rows_are_not_flagged_again() -> None:
    burst = [row(i, at=i * 2) for i in range(30)]
    flags = rules.window_flags(
        "scan_rate", burst, threshold=10, window_s=60, new_ids={r.id for r in burst}
    )
    assert len(flags) == 1
    assert rules.window_flags("scan_rate", burst, threshold=10, window_s=60, new_ids=set()) == []


def test_impossible_travel_needs_speed_over_threshold() -> None:
    asuncion, cde = (-25.2637, -57.5759), (-25.5097, -54.6111)
    fast = [row(1, at=0, loc=asuncion), row(2, at=600, loc=cde)]  # ~297 km in 10 min: ~495 m/s
    slow = [row(1, at=0, loc=asuncion), row(2, at=4 * 3600, loc=cde)]  # ~20 m/s by road
    new = {"r1", "r2"}
    flags = rules.travel_flags("device:d1", fast, max_speed_m_s=50, new_ids=new)
    assert len(flags) == 1 and flags[0].evidence["speed_m_s"] > 400
    assert rules.travel_flags("device:d1", slow, max_speed_m_s=50, new_ids=new) == []
    unlocated = [row(1, at=0), row(2, at=1)]
    assert rules.travel_flags("device:d1", unlocated, max_speed_m_s=50, new_ids=new) == []


def test_same_copy_at_two_businesses() -> None:
    assert rules.business_flags(7, [row(1, business=1), row(2, business=1)]) == []
    flags = rules.business_flags(7, [row(1, business=1), row(2, business=2, kind="scan")])
    assert flags[0].rule == "two_businesses" and flags[0].evidence["businesses"] == [1, 2]


def test_per_row_flags() -> None:
    conflict = row(1, outcome="conflict")
    invalid = row(2, outcome="rejected")
    skewed = row(3, skew=3600)
    future = row(4, received_after=-7200)
    scan = row(5, kind="scan", outcome="recorded")
    flags = rules.per_row_flags([conflict, invalid, skewed, future, scan], clock_tolerance_s=300)
    assert [(f.rule, f.dedupe_key) for f in flags] == [
        ("double_redemption", "r1"),
        ("invalid_redemption", "r2"),
        ("clock_skew", "d1/2026-11-25T12"),
        ("clock_skew", "d1/2026-11-25T10"),
    ]
