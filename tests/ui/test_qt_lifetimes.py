"""Where and when Qt objects die: the two PySide6 hazards that crashed the Qt tests, and the
kiosk's guards against them (README, "Qt object lifetimes").

Each hazard runs in a subprocess of its own: one crashes the interpreter on purpose, the other
changes the process-wide garbage collector.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import app.ui

# A slot that closes over a widget keeps it alive from inside Qt. When Qt then deletes the
# child that owns the slot (deleteLater, a table replacing a cell widget), PySide releases the
# slot inside the child's destructor; if it held the last reference to a Python-owned ancestor,
# PySide deletes that ancestor right there, and the ancestor deletes the half-destroyed child a
# second time. Reproduced with PySide6 6.8.3, 6.11.3 and 6.12.0.
CHILD_SLOT_HOLDS_PARENT = """
from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QWidget

app = QApplication([])

class Panel(QWidget):
    def said(self) -> None:
        self.setWindowTitle("accepted")

def open_and_accept_a_dialog() -> None:
    panel = Panel()                    # parentless: Python owns it
    dialog = QDialog(panel)            # owned by the panel, in C++
    dialog.accepted.connect({slot})
    dialog.finished.connect(dialog.deleteLater)
    dialog.open()
    dialog.accept()
    # returns: the panel's only reference left is whatever the connected slot holds

loop = QEventLoop()
QTimer.singleShot(0, lambda: (open_and_accept_a_dialog(), loop.quit()))
loop.exec()
app.processEvents()                    # the dialog's deferred deletion
print("clean exit")
"""


REPOSITORY = Path(__file__).resolve().parents[2]


def run_python(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPOSITORY,
    )


def test_pyside_deletes_a_widget_twice_when_a_childs_lambda_held_its_last_reference() -> None:
    # The defect itself, pinned: if a PySide6 upgrade makes this exit cleanly, the rule below
    # may be relaxed.
    result = run_python(CHILD_SLOT_HOLDS_PARENT.format(slot="lambda: panel.said()"))
    assert result.returncode != 0 and "clean exit" not in result.stdout, result.stdout


def test_a_bound_method_slot_leaves_the_widget_to_qt() -> None:
    # PySide holds a connected bound method by a weak reference to its object.
    result = run_python(CHILD_SLOT_HOLDS_PARENT.format(slot="panel.said"))
    assert result.returncode == 0, result.stderr[-2000:]
    assert "clean exit" in result.stdout


# The kiosk's own manager panel, dropped by its owner while its Change PIN dialog closes (as a
# test's panel is when the test returns inside qtbot's wait). Before the panel connected a bound
# method, the dialog's lambda held the panel's last reference: a crash every time.
PANEL_DROPPED_WHILE_ITS_PIN_DIALOG_CLOSES = """
import tempfile
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from app.core.kiosk_settings import KioskSettings
from app.ui.manager_view import ManagerView
from tests.ui.manager_support import open_demo_kiosk

app = QApplication([])
kiosks = open_demo_kiosk(Path(tempfile.mkdtemp()))
kiosk = next(kiosks)

def run_loop(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()

def open_the_panel_then_cancel_a_pin_change() -> None:
    panel = ManagerView(
        kiosk.ops, kiosk.corrections, kiosk.pin, KioskSettings(), camera_probe=lambda: []
    )
    panel.open()
    run_loop(300)                      # the panel's own store work is delivered
    dialog = panel.change_pin()
    run_loop(300)
    loop = QEventLoop()                # the dialog closes in an event loop that ends at once
    QTimer.singleShot(0, lambda: (dialog.reject(), loop.quit()))
    loop.exec()

open_the_panel_then_cancel_a_pin_change()
app.processEvents()                    # the dialog's deferred deletion
print("clean exit")
next(kiosks, None)
"""


def test_a_panel_dropped_while_its_pin_dialog_closes_is_not_a_crash() -> None:
    result = run_python(PANEL_DROPPED_WHILE_ITS_PIN_DIALOG_CLOSES)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "clean exit" in result.stdout


def connected_closures(source: str) -> list[int]:
    """Lines of ``x.connect(arg)`` calls whose slot may close over a widget: anything but a
    bound method or signal (``self.method``, ``dialog.deleteLater``, ``self.child.signal``)."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "connect"
            and node.args
            and not isinstance(node.args[0], ast.Attribute)
        ):
            lines.append(node.lineno)
    return lines


def test_the_guard_sees_lambdas_local_functions_and_partials() -> None:
    source = "a.connect(lambda: 1)\nb.connect(done)\nc.connect(partial(f, 1))\nd.connect(self.f)\n"
    assert connected_closures(source) == [1, 2, 3]


def test_the_kiosk_connects_only_bound_methods_and_signals() -> None:
    found = {
        f"{path.name}:{line}"
        for path in sorted(Path(app.ui.__file__).parent.glob("*.py"))
        for line in connected_closures(path.read_text(encoding="utf-8"))
    }
    assert found == set(), "connect a bound method (a closure can hold its widget's parent)"


# Automatic collection runs on whichever thread allocates past the threshold: here a worker,
# as the kiosk's store thread does. PySide then deletes a plain QObject on that thread (a widget
# it hands to the GUI thread by raw pointer).
CYCLE_COLLECTED_WHILE_A_WORKER_ALLOCATES = """
import gc, sys, threading, time
from PySide6.QtCore import QCoreApplication, QObject, Qt

app = QCoreApplication([])
if sys.argv[1] == "kiosk":
    from app.ui.gui_gc import collect_on_gui_thread
    collect_on_gui_thread()
destroyed_on = []

def record() -> None:
    destroyed_on.append(threading.current_thread().name)

def make_garbage_cycle() -> None:
    obj = QObject()
    obj.itself = obj                   # only the cyclic collector can free it
    obj.destroyed.connect(record, Qt.ConnectionType.DirectConnection)

kept = []
def allocate() -> None:               # a worker thread allocating, as the store thread does
    kept.extend([] for _ in range(5000))

gc.collect()
make_garbage_cycle()
worker = threading.Thread(target=allocate, name="worker")
worker.start()
worker.join()
deadline = time.monotonic() + 5
while not destroyed_on and time.monotonic() < deadline:
    app.processEvents()
    time.sleep(0.01)
print(destroyed_on)
"""


def test_automatic_gc_destroys_qt_objects_on_whichever_thread_allocates() -> None:
    result = run_python(CYCLE_COLLECTED_WHILE_A_WORKER_ALLOCATES, "plain")
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["['worker']"]


def test_with_the_kiosks_collector_they_die_on_the_gui_thread() -> None:
    result = run_python(CYCLE_COLLECTED_WHILE_A_WORKER_ALLOCATES, "kiosk")
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["['MainThread']"]
