"""The last figures kept encrypted for offline use, with their "as of" time."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.dashboard.offline_copy import OfflineCopy
from tests.core.dashboard.sample import AS_OF, sample_dashboard

# the figures' period is data; any clock a test reads is pinned to when they were asked
pytestmark = pytest.mark.time_machine(AS_OF, tick=False)


def test_the_last_answer_is_kept_encrypted_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "figures.db"
    copy = OfflineCopy.open(path)
    assert copy.last("7:2025-03-01:2025-03-31:-:-:month") is None
    copy.keep("7:2025-03-01:2025-03-31:-:-:month", sample_dashboard())
    copy.close()
    raw = path.read_bytes()
    assert not raw.startswith(b"SQLite format 3") and "Ñandutí".encode() not in raw
    reopened = OfflineCopy.open(path)
    kept = reopened.last("7:2025-03-01:2025-03-31:-:-:month")
    assert kept is not None and kept.as_of == AS_OF
    assert kept.figures == sample_dashboard()
    newer = sample_dashboard().model_copy(update={"business_name": "Ñandutí 2"})
    reopened.keep("7:2025-03-01:2025-03-31:-:-:month", newer)
    assert reopened.last("7:2025-03-01:2025-03-31:-:-:month").figures.business_name == "Ñandutí 2"  # type: ignore[union-attr]
    reopened.close()


def test_an_unreadable_row_is_dropped_not_shown(tmp_path: Path) -> None:
    copy = OfflineCopy.open(tmp_path / "figures.db")
    copy.keep("q", sample_dashboard())
    with copy._db.transaction() as conn:  # a copy written by an older app, say
        conn.exec_driver_sql("""UPDATE dashboards SET body = '{"nope": 1}'""")
    assert copy.last("q") is None
    assert copy.last("q") is None
    copy.close()
