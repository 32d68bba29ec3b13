"""The background-operation helper under load: results reach the GUI thread, errors too, and
signals carrying Python objects across threads leave reference counts intact (PySide6 6.12.0
broke exactly this and crashed the kiosk at exit; the subprocess test pins the regression)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from app.ui.operations import Operations


def test_results_and_errors_come_back_on_the_gui_thread(qtbot) -> None:
    import threading

    ops = Operations()
    gui = threading.get_ident()
    seen: list[tuple[str, int]] = []
    ops.store_op(
        lambda: threading.get_ident(), lambda t: seen.append(("ok", threading.get_ident()))
    )
    ops.store_op(
        lambda: 1 / 0, None, lambda e: seen.append((type(e).__name__, threading.get_ident()))
    )
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=3000)
    assert seen == [("ok", gui), ("ZeroDivisionError", gui)]
    ops.shutdown()


def test_many_cross_thread_results_do_not_corrupt_the_interpreter() -> None:
    script = textwrap.dedent(
        """
        import sys
        from PySide6.QtCore import QCoreApplication
        from app.ui.operations import Operations
        app = QCoreApplication([])
        ops = Operations()
        done = []
        for i in range(20000):
            ops.store_op(lambda: None, done.append)
        while len(done) < 20000:
            app.processEvents()
        ops.shutdown()
        print("ok", len(done))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "ok 20000" in result.stdout
