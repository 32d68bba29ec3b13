"""When the sale-total prompt opens and closes: the rules, apart from Qt.

After a valid scan the cashier may type the sale's total; the prompt must never stand in the
way of the next customer. So it opens only for a redemption held for its total
(:attr:`ScanOutcome.asks_sale_total`) and closes on Enter (with the total typed, or skipped
when the field is empty), on Esc (skipped), on any new scan (skipped: a half-typed figure is
not kept, since a scanner's first keys may have landed in the field), on an undo of that
redemption, and by itself after :data:`IDLE_SECONDS` without a key or
:data:`MAX_OPEN_SECONDS` in all. The same voucher seen again (the camera still sees it) does
not close it. Every close settles the held redemption on the store thread
(:meth:`Counter.settle_sale_total` / :meth:`Counter.skip_sale_total`). Times are monotonic
seconds, injected.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum

from app.core.counter import ScanOutcome

#: The prompt closes by itself (skipped) after this long without a key.
IDLE_SECONDS = 20.0
#: ... and after this long in all, however slowly someone types.
MAX_OPEN_SECONDS = 90.0


class PromptClose(StrEnum):
    """Why the prompt closed (what the window then does differs only in the words)."""

    ENTERED = "entered"  # Enter with a figure
    SKIPPED = "skipped"  # Enter on an empty field, or Esc
    NEW_SCAN = "new_scan"
    UNDONE = "undone"
    TIMED_OUT = "timed_out"


@dataclass(frozen=True, slots=True)
class OpenPrompt:
    """The prompt on screen: which redemption it asks about, since when, last key when."""

    redemption_id: uuid.UUID
    serial: int | None
    opened_at: float
    last_key_at: float


class SalePrompt:
    """At most one prompt open; call :meth:`offer` for every outcome shown."""

    def __init__(
        self, idle_seconds: float = IDLE_SECONDS, max_open_seconds: float = MAX_OPEN_SECONDS
    ) -> None:
        if not 0 < idle_seconds <= max_open_seconds:
            raise ValueError("the idle time must be positive and within the longest open time")
        self.idle_seconds = idle_seconds
        self.max_open_seconds = max_open_seconds
        self.open: OpenPrompt | None = None

    def closes_for(self, outcome: ScanOutcome) -> bool:
        """Whether a new outcome closes the prompt that is open: any scan does, except the
        same voucher seen again (its own redemption is the one that got there first)."""
        if self.open is None:
            return False
        prior = outcome.recorded.prior
        same = prior is not None and prior.redemption_id == str(self.open.redemption_id)
        return not same

    def offer(self, outcome: ScanOutcome, now: float) -> OpenPrompt | None:
        """Open for ``outcome`` when it asks for a total (close the one open first,
        :meth:`closes_for`); return the prompt opened, or None."""
        recorded = outcome.recorded
        if not outcome.asks_sale_total or recorded.redemption_id is None:
            return None
        serial = None if recorded.claims is None else recorded.claims.serial
        self.open = OpenPrompt(recorded.redemption_id, serial, now, now)
        return self.open

    def typed(self, now: float) -> None:
        """A key reached the field: the idle time starts again."""
        if self.open is not None:
            self.open = OpenPrompt(
                self.open.redemption_id, self.open.serial, self.open.opened_at, now
            )

    def timed_out(self, now: float) -> bool:
        prompt = self.open
        if prompt is None:
            return False
        return (
            now - prompt.last_key_at >= self.idle_seconds
            or now - prompt.opened_at >= self.max_open_seconds
        )

    def seconds_left(self, now: float) -> float:
        """Until it closes by itself, if no key comes (for the countdown on screen)."""
        prompt = self.open
        if prompt is None:
            return 0.0
        return max(
            0.0,
            min(
                prompt.last_key_at + self.idle_seconds,
                prompt.opened_at + self.max_open_seconds,
            )
            - now,
        )

    def close(self) -> OpenPrompt | None:
        """Close it; return what was open (its redemption is the one to settle)."""
        prompt, self.open = self.open, None
        return prompt
