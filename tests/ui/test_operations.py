"""The background-operation helper under load: results reach the GUI thread, errors too, and
signals carrying Python objects across threads leave reference counts intact (PySide6 6.12.0
broke exactly this and crashed the kiosk at exit; the subprocess test pins the regression)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time
import weakref

from PySide6.QtCore import Qt

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


class Payload:
    """Stands in for the widgets an operation and its callbacks close over."""


def test_what_an_operation_holds_is_released_on_the_gui_thread(qtbot) -> None:
    # A worker that dropped the last reference would finalise a widget off the GUI thread.
    # Hold the worker inside its signal until the GUI thread has delivered the result: by then
    # the worker must hold nothing of the job.
    ops = Operations()
    delivered = threading.Event()
    released: list[str] = []

    def hold_the_worker(*_: object) -> None:
        delivered.wait(5)

    ops._finished.connect(hold_the_worker, Qt.ConnectionType.DirectConnection)
    payload = Payload()
    weakref.finalize(payload, lambda: released.append(threading.current_thread().name))
    ops.store_op(lambda p=payload: time.sleep(0.05), lambda _, p=payload: delivered.set())
    del payload
    qtbot.waitUntil(lambda: bool(released), timeout=5000)
    ops.shutdown()
    assert released == [threading.main_thread().name]
