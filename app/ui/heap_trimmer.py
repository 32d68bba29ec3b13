"""The kiosk's heap trim (``app/core/heap.py``), run from a timer on the GUI thread.

On the GUI thread because that is where the counter's own work is sequenced: a trim then never
overlaps a result being drawn, and the schedule's "quiet" reads the results the window showed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

from app.core import heap

log = logging.getLogger(__name__)

#: How often the timer asks the schedule (the schedule decides; this is only its resolution).
CHECK_MS = 1000


class HeapTrimmer(QObject):
    """Asks :class:`~app.core.heap.TrimSchedule` every second and trims when it says so."""

    def __init__(
        self,
        parent: QObject,
        schedule: heap.TrimSchedule | None = None,
        trim: Callable[[], bool] = heap.trim,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(parent)
        self.clock = clock
        self.schedule = schedule or heap.TrimSchedule(started=clock())
        self._trim = trim
        self.trims = 0
        self.last_trim_ms: float | None = None
        self.longest_trim_ms = 0.0
        self._timer = QTimer(self)
        self._timer.setInterval(CHECK_MS)
        self._timer.timeout.connect(self.check)

    def start(self) -> bool:
        """Start trimming; False (and nothing runs) where the C library cannot trim."""
        if self._trim is heap.trim and not heap.can_trim():
            log.info("heap trim not available here (not glibc)")
            return False
        self._timer.start()
        return True

    def stop(self) -> None:
        self._timer.stop()

    def activity(self, *_args: object) -> None:
        """Connect a "the counter did something" signal here (its arguments are ignored)."""
        self.schedule.activity(self.clock())

    def check(self) -> None:
        now = self.clock()
        if not self.schedule.due(now):
            return
        began = time.perf_counter()
        self._trim()
        self.last_trim_ms = (time.perf_counter() - began) * 1000
        self.longest_trim_ms = max(self.longest_trim_ms, self.last_trim_ms)
        self.trims += 1
        self.schedule.trimmed(self.clock())
        log.debug("heap trimmed in %.1f ms", self.last_trim_ms)
