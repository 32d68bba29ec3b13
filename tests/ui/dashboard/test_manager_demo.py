"""``pika-manager --demo`` end to end, offscreen: a (small) demo year filled on SQLite by the real
``pika-backend``, served as a child process, the app signed in as head office and showing its
figures; closing the window stops the backend, and a second start reuses the filled year."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from app.core.dashboard.demo_backend import DB_FILE, DemoBackend
from app.ui.dashboard.app import run_manager_demo
from app.ui.dashboard.window import DashboardWindow

SMALL = {"events": 20_000, "businesses": 6}


def _close_when_figures_show(app: QApplication, seen: dict[str, Any]) -> None:
    """Watch the running app; keep its first figures, then close it as a user would."""

    def watch() -> None:
        windows = [w for w in app.topLevelWidgets() if isinstance(w, DashboardWindow)]
        shown = [w for w in windows if w.isVisible() and w.figures is not None]
        if shown:
            seen["figures"] = shown[0].figures
            seen["table_rows"] = shown[0].ranking_table.rowCount()
            shown[0].close()
        else:
            QTimer.singleShot(100, watch)

    QTimer.singleShot(100, watch)
    QTimer.singleShot(90_000, app.quit)  # a guard: never hang the suite


def test_the_demo_opens_head_office_figures_and_stops_its_backend_on_close(
    qapp: QApplication, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "demo"
    seen: dict[str, Any] = {}
    _close_when_figures_show(qapp, seen)
    assert run_manager_demo(folder=folder, language="en", **SMALL) == 0
    figures = seen["figures"]
    # head office's view of every business over the demo year, with its ranking
    assert figures.business_id is None and len(figures.ranking) == SMALL["businesses"]
    assert seen["table_rows"] == SMALL["businesses"]
    assert (figures.last_day - figures.first_day).days == 364
    steps = {s.name: s.value for s in figures.funnel.steps}
    assert steps["distributed"] > steps["redeemed"] > 1000
    assert {t.verdict for t in figures.ab_tests} == {"winner", "no_clear_winner"}
    # closing the window stopped the backend
    url = re.search(r"demo head office on (\S+)", capsys.readouterr().err)
    assert url is not None
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url.group(1)}/health/live", timeout=2)

    # the filled year is reused by the next start, not made again
    database = folder / DB_FILE
    made = database.stat().st_mtime_ns
    again = DemoBackend(folder, **SMALL)
    assert again.kept_year(date.today()) is not None
    again.fill(date.today())
    assert database.stat().st_mtime_ns == made
    # a year of another size is made anew
    assert DemoBackend(folder, events=30_000, businesses=6).kept_year(date.today()) is None
