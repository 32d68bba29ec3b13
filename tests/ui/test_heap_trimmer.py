"""The kiosk trims its C heap from a GUI-thread timer, on the schedule of ``app/core/heap.py``."""

from __future__ import annotations

import tempfile
from pathlib import Path

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication

from app.core import heap
from app.core.heap import TrimSchedule
from app.core.store import ScanSource
from app.main import main
from app.ui.heap_trimmer import HeapTrimmer
from app.ui.kiosk_window import KioskWindow


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class CountedTrim:
    """The real trim, counted."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> bool:
        self.calls += 1
        return heap.trim()


def test_trims_when_the_schedule_says_and_not_during_scans(qapp) -> None:
    parent = QObject()
    clock, trim = Clock(), CountedTrim()
    schedule = TrimSchedule(started=clock.now, every_s=60, quiet_s=1, longest_delay_s=60)
    trimmer = HeapTrimmer(parent, schedule, trim=trim, clock=clock)
    clock.now += 59
    trimmer.check()
    assert trim.calls == 0
    clock.now += 1
    trimmer.activity(object())  # a result was just shown
    trimmer.check()
    assert trim.calls == 0
    clock.now += 1
    trimmer.check()
    assert trim.calls == 1 and trimmer.trims == 1
    assert trimmer.last_trim_ms is not None and trimmer.last_trim_ms >= 0
    trimmer.check()
    assert trim.calls == 1  # not again until the next interval


def test_its_timer_runs_on_the_event_loop(qtbot) -> None:
    parent = QObject()
    trim = CountedTrim()
    schedule = TrimSchedule(started=0.0, every_s=0, quiet_s=0, longest_delay_s=0)
    trimmer = HeapTrimmer(parent, schedule, trim=trim)
    assert trimmer.start()
    qtbot.waitUntil(lambda: trim.calls >= 2, timeout=5000)
    trimmer.stop()


def test_the_running_kiosk_trims_its_heap(qapp, tmp_path: Path, monkeypatch) -> None:
    """``run_kiosk`` (here through ``main --demo``) starts a trimmer that hears the results."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    seen: dict[str, object] = {}
    started: dict[str, KioskWindow] = {}

    def scan_once() -> None:
        # The window run_kiosk made: the one with a trimmer (an earlier test's window may still
        # be waiting for its deferred delete among the top-level widgets).
        window = next(
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, KioskWindow) and w.findChildren(HeapTrimmer)
        )
        started["window"] = window
        trimmers = window.findChildren(HeapTrimmer)
        seen["trimmers"] = len(trimmers)
        seen["running"] = all(t._timer.isActive() for t in trimmers)
        window.outcome_shown.connect(close_after_result)
        window.submit_scan("not a voucher", ScanSource.CAMERA)

    def close_after_result(_outcome: object) -> None:
        window = started["window"]
        trimmers = window.findChildren(HeapTrimmer)
        seen["heard"] = [t.schedule.last_activity is not None for t in trimmers]
        window.close()

    QTimer.singleShot(0, scan_once)
    assert main(["--demo", "--lang", "en"]) == 0
    assert seen == {"trimmers": 1, "running": True, "heard": [True]}, seen
