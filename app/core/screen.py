"""What the kiosk screen shows: ready, or one result until it times out or the next scan.

Kept apart from Qt so the rules (how long a result stays, what replaces what) are tested
without a window; the Qt view only renders :class:`ScreenState`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from app.core.counter import ScanOutcome


class Screen(StrEnum):
    READY = "ready"
    RESULT = "result"


@dataclass(frozen=True, slots=True)
class ScreenState:
    screen: Screen
    outcome: ScanOutcome | None = None
    shown_at: float = 0.0
    #: Results shown since start, this one included: two valid scans in a row look alike
    #: except for this number (and the serial), so the screen shows it.
    number: int = 0


READY = ScreenState(Screen.READY)


class ScreenStateMachine:
    """ready → result → ready after ``result_seconds`` or straight to the next result."""

    def __init__(self, result_seconds: float = 5.0) -> None:
        if result_seconds <= 0:
            raise ValueError("result_seconds must be positive")
        self.result_seconds = result_seconds
        self.state = READY
        self.shown = 0

    def show(self, outcome: ScanOutcome, now: float) -> ScreenState:
        self.shown += 1
        self.state = ScreenState(Screen.RESULT, outcome, now, self.shown)
        return self.state

    def tick(self, now: float) -> ScreenState:
        if self.state.screen is Screen.RESULT and now - self.state.shown_at >= self.result_seconds:
            self.state = READY
        return self.state

    def reset(self) -> ScreenState:
        """Back to ready now (e.g. the result on screen was undone)."""
        self.state = READY
        return self.state

    def seconds_left(self, now: float) -> float:
        if self.state.screen is Screen.READY:
            return 0.0
        return max(0.0, self.result_seconds - (now - self.state.shown_at))
