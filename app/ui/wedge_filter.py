"""Captures USB keyboard-wedge scanners anywhere in the kiosk (an application event filter).

Every key press with text goes to :class:`app.core.scanning.wedge.WedgeReader`, timed by the
event's own timestamp (when the key was pressed, not when this busy thread saw it), which tells
a scanner's burst from a person typing. Once a burst is recognised its keys are swallowed, so a
scan never lands in whatever field has focus; the few keys that arrived before the burst was
recognised are reported in ``leaked`` so the window can take them back out of its entry line.
Keys swallowed from what then turned out to be typing come back through ``typed``.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QWidget

from app.core.scanning.wedge import KeyClock, WedgeReader, WedgeScan

_SPECIAL_KEYS = {
    Qt.Key.Key_Return: "\r",
    Qt.Key.Key_Enter: "\r",
    Qt.Key.Key_Tab: "\t",
    Qt.Key.Key_Backspace: "\b",
}


class WedgeScannerFilter(QObject):
    """Install with ``app.installEventFilter(filter)``; connect ``scanned(str, str)``:
    the code and the leaked prefix that reached the focused widget before recognition."""

    scanned = Signal(str, str)
    #: Keys held back as a possible scan that were a person typing after all: the window puts
    #: them where they were going (its entry line), before the key that is being handled.
    typed = Signal(str)

    def __init__(
        self,
        reader: WedgeReader | None = None,
        clock: Callable[[], float] = time.monotonic,
        parent: QObject | None = None,
        *,
        listening: Callable[[QObject], bool] = lambda watched: isinstance(watched, QWidget),
    ) -> None:
        super().__init__(parent)
        self.reader = reader or WedgeReader()
        self._listening = listening
        self._clock = clock
        self._key_clock = KeyClock()
        self._leaked = ""
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._idle)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        if event.isAutoRepeat():
            return False
        if not self._listening(watched):
            # Not a widget of the counter window (a PIN pad, the manager panel, Qt's own
            # window object that sees the key first): its keys are not ours.
            return False
        key = _SPECIAL_KEYS.get(Qt.Key(event.key()), event.text())
        if len(key) != 1 or (not key.isprintable() and key not in "\r\t\b"):
            return False
        was_burst = self.reader.in_burst
        finished = self.reader.feed(key, self._key_clock.at(event.timestamp(), self._clock()))
        self._give_back()
        if finished is not None:
            self._emit(finished)
        # The Enter or Tab that ends a scan is the scanner's; one after typing is the person's.
        swallow = self.reader.in_burst or (was_burst and key in "\r\t" and finished is not None)
        if not self.reader.in_burst and not swallow:
            self._leaked = self.reader.buffered
        self._arm()
        return swallow

    def _arm(self) -> None:
        deadline = self.reader.deadline
        if deadline is None:
            self._timer.stop()
            return
        self._timer.start(max(1, int((deadline - self._clock()) * 1000)))

    def _give_back(self) -> None:
        released = self.reader.take_released()
        if released:
            self._leaked = ""
            self.typed.emit(released)

    def _idle(self) -> None:
        finished = self.reader.poll(self._clock())
        self._give_back()
        if finished is not None:
            self._emit(finished)
        else:
            self._arm()

    def _emit(self, scan: WedgeScan) -> None:
        leaked = self._leaked if scan.text.startswith(self._leaked) else ""
        self._leaked = ""
        self.scanned.emit(scan.text, leaked)
