"""No test depends on the calendar: the date guard (tests/support/date_guard.py) over the suite,
and the guard itself on the test that once made main red."""

from __future__ import annotations

from pathlib import Path

from tests.support.date_guard import offenders, unfixed_dates

ROOT = Path(__file__).resolve().parents[1]

# tests/backend/test_demo_sqlite.py before 71a1b7a: seed_demo's offer starts "yesterday" on the
# real clock, the pushed scan on a fixed day; a week after that day the push was rejected.
ORIGINAL = '''
def test_push_and_pull_on_sqlite(tmp_path: Path) -> None:
    settings = demo_settings(tmp_path / "demo.db")
    seeded = seed_demo(settings)
    with TestClient(create_app(settings)) as client:
        def item() -> dict[str, object]:
            return {
                "kind": "redemption",
                "reason": "valid",
                "scanned_at": "2026-11-25T12:00:00+00:00",
            }
'''


def test_no_test_file_mixes_a_literal_date_with_the_real_clock() -> None:
    found = offenders(ROOT)
    assert not found, (
        "literal dates in files that do not fix 'now' (derive them from datetime.now(), or pin "
        f"the clock with pytest.mark.time_machine / the time_machine fixture): {found}"
    )


def test_the_guard_flags_the_scan_that_made_main_red() -> None:
    assert unfixed_dates(ORIGINAL) == [10]


def test_a_date_derived_from_now_passes() -> None:
    fixed = ORIGINAL.replace('"2026-11-25T12:00:00+00:00"', "datetime.now(UTC).isoformat()")
    assert unfixed_dates(fixed) == []


def test_a_pinned_clock_passes_and_a_comment_does_not_pin_it() -> None:
    pinned = 'pytestmark = pytest.mark.time_machine("2026-11-25T12:00:00+00:00")\n' + ORIGINAL
    assert unfixed_dates(pinned) == []
    with_fixture = ORIGINAL.replace("tmp_path: Path)", "tmp_path: Path, time_machine)")
    assert unfixed_dates(with_fixture) == []
    commented = "# time_machine would pin it\n" + ORIGINAL
    assert unfixed_dates(commented) == [11]


def test_datetime_calls_count_as_literal_dates() -> None:
    assert unfixed_dates("NOW = datetime(2026, 11, 25, tzinfo=UTC)\n") == [1]
    assert unfixed_dates("day = date(2027, 1, 1)\n") == [1]
    assert unfixed_dates("later = datetime(year=now.year + 1, month=1, day=1)\n") == []
