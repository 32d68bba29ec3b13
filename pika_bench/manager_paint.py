"""``pika-bench manager-paint --json``: ms from a dashboard answer arriving on the UI thread to
the manager window having painted it (issue 14: ≤ 1 s).

The answer is a realistic year (``pika_bench.manager_figures``); each round hands it to the
real :class:`DashboardWindow` (pickers refilled, six tables, three pyqtgraph charts) and forces
a synchronous paint of the window, offscreen. Reading the answer off the network is not
counted: that is the backend's benchmark (``pika-bench analytics``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rounds", type=int, default=7, help="paints measured (median reported)")
    parser.add_argument("--head-office", action="store_true", help="every business, ranked")


def run(args: argparse.Namespace) -> dict[str, Any]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from app.core.dashboard.session import Loaded, ManagerSession
    from app.core.dashboard.sign_in import SignedIn
    from app.ui.dashboard.window import DashboardWindow
    from app.ui.language import Language
    from app.ui.operations import Operations
    from pika_bench.manager_figures import year_dashboard

    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    language = Language(app)
    language.switch("es")
    figures = year_dashboard(head_office=args.head_office)
    with tempfile.TemporaryDirectory() as folder:
        session = ManagerSession(Path(folder) / "config", Path(folder) / "data")
        operations = Operations()
        window = DashboardWindow(session, operations, language, lambda: figures.last_day)
        role = "head_office" if args.head_office else "manager"
        window.set_viewer(SignedIn("http://bench.invalid", role, None, figures.business_id, None))
        window.resize(1280, 800)
        window.show()
        app.processEvents()
        times = []
        for round_ in range(args.rounds + 1):
            window.tabs.setCurrentIndex(round_ % 3)  # funnel, return, hours in turn
            app.processEvents()
            start = time.perf_counter()
            window.show_loaded(Loaded(figures, offline=False, as_of=figures.as_of))
            window.repaint()
            app.processEvents()
            elapsed = (time.perf_counter() - start) * 1000
            if round_:  # the first round also imports and warms pyqtgraph's caches
                times.append(elapsed)
        window.close()
        operations.shutdown(close_store=session.close)
    language.reset()
    return {
        "paint_ms": round(statistics.median(times), 1),
        "paint_max_ms": round(max(times), 1),
        "rounds": len(times),
    }
