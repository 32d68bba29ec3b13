"""Debounce: a voucher held in front of the camera for two seconds is one scan, not sixty.

The window restarts while the same payload keeps being seen (a voucher still held up never
counts twice), and it is kept per source, so the same voucher read by the webcam and then by
the USB scanner are two scans the validator will then call "already redeemed" on its own.
"""

from __future__ import annotations

import time
from collections.abc import Callable

DEFAULT_WINDOW_S = 3.0


class Debouncer:
    """``admit(payload, source, at)`` is True for a new scan, False for a repeat inside the
    window. ``clock`` is injectable so tests control time; it must be monotonic."""

    def __init__(
        self, window_s: float = DEFAULT_WINDOW_S, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if window_s < 0:
            raise ValueError(f"debounce window must be 0 s or more, got {window_s}")
        self.window_s = float(window_s)
        self._clock = clock
        self._last_seen: dict[tuple[str, str], float] = {}

    def admit(self, payload: str, source: str = "camera", at: float | None = None) -> bool:
        now = self._clock() if at is None else at
        self._forget_before(now - self.window_s)
        key = (source, payload)
        last = self._last_seen.get(key)
        self._last_seen[key] = now
        return last is None or now - last > self.window_s

    def reset(self, source: str | None = None) -> None:
        """Forget what was seen (all sources, or one), e.g. after the cashier undid a scan."""
        if source is None:
            self._last_seen.clear()
        else:
            self._last_seen = {k: v for k, v in self._last_seen.items() if k[0] != source}

    def _forget_before(self, cutoff: float) -> None:
        # Keeps memory flat over a day of scanning: only entries still inside a window remain.
        if len(self._last_seen) > 64:
            self._last_seen = {k: v for k, v in self._last_seen.items() if v >= cutoff}
