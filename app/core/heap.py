"""Hand the C heap's freed pages back to the system now and then (glibc only).

Why: measured with ``pika-bench soak --heap-seconds`` (docs/benchmarks.md), the bytes the kiosk
has malloc'd stay flat through a day of scans (no leak), but glibc keeps what is freed inside
its arenas, the worker threads' arenas above all (SQLCipher, SQLAlchemy and the sync's HTTP
client free and reallocate all day), and the holes spread, so RSS crept about 1 MB a minute
with nothing in use behind it. ``malloc_trim(0)`` gives every free page of every arena back
(``madvise``); the arenas keep their addresses, so nothing is slower afterwards.

The decision (when) is :class:`TrimSchedule`, the call is :func:`trim`; the kiosk runs both
from a timer on its GUI thread (``app/ui/heap_trimmer.py``).
"""

from __future__ import annotations

import ctypes
import logging
import platform
from dataclasses import dataclass
from functools import cache
from typing import Any

log = logging.getLogger(__name__)

#: How often the kiosk trims: each trim takes a few milliseconds (see docs/benchmarks.md).
TRIM_EVERY_S = 60.0
#: Not while the counter is busy: a scan this recent puts the trim off a little...
QUIET_S = 1.0
#: ...but never by more than this, or a busy shop would never trim at all.
LONGEST_DELAY_S = 60.0


@cache
def _glibc() -> Any:
    """The C library if it is glibc with ``malloc_trim``; None elsewhere (musl, macOS, Windows)."""
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return None
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return None
    if not hasattr(libc, "malloc_trim"):
        return None
    libc.malloc_trim.argtypes = [ctypes.c_size_t]
    libc.malloc_trim.restype = ctypes.c_int
    return libc


def can_trim() -> bool:
    return _glibc() is not None


def trim() -> bool:
    """``malloc_trim(0)``: True if glibc gave memory back, False if none or not glibc."""
    libc = _glibc()
    if libc is None:
        return False
    return bool(libc.malloc_trim(0))


@dataclass
class TrimSchedule:
    """When to trim: every ``every_s``, in a quiet moment if one comes within ``longest_delay_s``.

    Times are ``time.monotonic()`` seconds, passed in so the rule is tested without waiting.
    """

    started: float
    every_s: float = TRIM_EVERY_S
    quiet_s: float = QUIET_S
    longest_delay_s: float = LONGEST_DELAY_S
    last_trim: float | None = None
    last_activity: float | None = None

    def activity(self, now: float) -> None:
        """The counter did something (a scan's result): not the moment for a trim."""
        self.last_activity = now

    def due(self, now: float) -> bool:
        since = now - (self.started if self.last_trim is None else self.last_trim)
        if since < self.every_s:
            return False
        quiet = self.last_activity is None or now - self.last_activity >= self.quiet_s
        return quiet or since >= self.every_s + self.longest_delay_s

    def trimmed(self, now: float) -> None:
        self.last_trim = now
