"""Python's cyclic garbage collector runs on the GUI thread only, between Qt events.

Left automatic, the collector runs on whichever thread allocates when a threshold is crossed;
in the kiosk that is mostly the store thread (SQLAlchemy allocates a lot), and measured over
the Qt tests it finalised whole kiosk windows there. A Qt object whose Python wrapper sits in a
reference cycle is then destroyed from the wrong thread: PySide deletes a plain QObject right
there (an active timer of it cannot be stopped from that thread, and the GUI thread's event
dispatcher later fires it into freed memory), and hands a widget to the GUI thread by raw
pointer, to be deleted again if Qt deleted it meanwhile. So :func:`collect_on_gui_thread`
switches the automatic collector off and a timer on the GUI thread collects instead, with
CPython's own thresholds, at the top of the event loop where no Qt destructor is running.
"""

from __future__ import annotations

import gc

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QTimer

#: How often the GUI thread looks at the collector's counts (CPython looks at every allocation).
INTERVAL_MS = 250

_collector: GuiThreadCollector | None = None


class GuiThreadCollector(QObject):
    """Collects each generation when CPython would have, from a timer on the GUI thread."""

    def __init__(self, app: QCoreApplication) -> None:
        super().__init__(app)
        self.thresholds = gc.get_threshold()
        self.collections = 0
        self._timer = QTimer(self)
        self._timer.setInterval(INTERVAL_MS)
        self._timer.timeout.connect(self.collect_due)
        self._timer.start()
        # Without its application nothing would collect: give the collector back to CPython.
        self.destroyed.connect(gc.enable)

    def collect_due(self) -> None:
        """Collect the oldest generation whose count passed its threshold, as CPython does."""
        counts = gc.get_count()
        for generation in (2, 1, 0):
            if counts[generation] > self.thresholds[generation]:
                gc.collect(generation)
                self.collections += 1
                return


def collect_on_gui_thread() -> GuiThreadCollector | None:
    """Switch the automatic collector off for a timer on the GUI thread (once per application).

    Call it on the GUI thread after the QApplication exists; without one (no event loop will
    run) it changes nothing and returns None.
    """
    global _collector
    app = QCoreApplication.instance()
    if app is None:
        return None
    if not app.thread().isCurrentThread():
        raise RuntimeError("the garbage collector's timer must be installed on the GUI thread")
    if _collector is None or not shiboken6.isValid(_collector):
        _collector = GuiThreadCollector(app)
        gc.disable()
    return _collector
