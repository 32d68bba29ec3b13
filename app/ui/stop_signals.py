"""SIGTERM, SIGINT (Ctrl+C) and SIGHUP end the kiosk the way its own exit does.

Python's default for SIGTERM is to die on the spot, and Qt's event loop keeps Python's own
handlers from running until some Python code does: either way nothing is cleaned up (the
demo's folder stays, the store is not closed). Here the signal wakes Qt's loop through a socket
(``signal.set_wakeup_fd``), the handler asks the loop to exit, and the kiosk shuts down
normally: camera stopped, sync stopped, store closed, demo folder removed. A system shutting
down or ``systemctl stop`` sends SIGTERM; it ends even a kiosk in kiosk mode, as it must.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import socket
from types import FrameType

from PySide6.QtCore import QCoreApplication, QObject, QSocketNotifier

log = logging.getLogger(__name__)

#: The signals that mean "stop, please" (SIGHUP: the terminal that started it closed).
STOP_SIGNALS = tuple(
    s for s in (getattr(signal, n, None) for n in ("SIGTERM", "SIGINT", "SIGHUP")) if s
)


class StopOnSignals(QObject):
    """Installed for the kiosk's run (``close()`` puts the previous handlers back).

    ``received`` is the signal that asked to stop, or None. A signal that comes before the
    event loop runs is kept there: the caller checks it instead of starting the loop.
    """

    def __init__(self, app: QCoreApplication) -> None:
        super().__init__(app)
        self.received: signal.Signals | None = None
        self._app = app
        self._read, self._write = socket.socketpair()
        self._read.setblocking(False)
        self._write.setblocking(False)
        self._previous_fd = signal.set_wakeup_fd(self._write.fileno())
        self._previous = {s: signal.signal(s, self._handle) for s in STOP_SIGNALS}
        self._notifier = QSocketNotifier(self._read.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._drain)

    def _handle(self, signum: int, _frame: FrameType | None) -> None:
        self.received = signal.Signals(signum)
        log.info("%s received: closing the kiosk", self.received.name)
        self._app.exit(0)

    def _drain(self) -> None:
        # The bytes only woke the loop; Python has run the handler by now.
        with contextlib.suppress(BlockingIOError, InterruptedError):
            self._read.recv(64)

    def close(self) -> None:
        self._notifier.setEnabled(False)
        for signum, previous in self._previous.items():
            signal.signal(signum, previous)
        signal.set_wakeup_fd(self._previous_fd)
        self._read.close()
        self._write.close()
