"""USB keyboard-wedge scanners: telling a scanner's burst from a person typing, without Qt.

A wedge scanner is a keyboard to the computer: it "types" the QR payload, usually followed by
Enter. The kiosk listens to every key press (the Qt event filter feeds this class) and must
tell the scanner apart from a cashier typing. Scanners send a key every 2 to 20 ms (a USB
full-speed scanner about 2 ms, a low-speed one polled every 10 ms about 20 ms) and never
pause; a fast typist needs 60 to 80 ms a key, with the odd pair of keys 15 to 30 ms apart
when one is pressed before the other is released. So:

* a gap longer than ``max_gap_s`` (50 ms) ends a sequence: scanners never pause that long;
* a sequence is a code only if it has at least ``min_length`` characters (12: more than a
  typed short code with its dashes, so a short code is never a scan however fast it is typed;
  a voucher's QR holds 148) and its median gap is at most ``typical_gap_s`` (30 ms): a few
  fast pairs do not make typing a scan;
* keys are held back from the focused field (``in_burst``) only once four have come at
  scanner speed; if the sequence then turns out to be typing, :meth:`WedgeReader.
  take_released` gives the held keys back so not one is lost.

Timing must be the key events' own timestamps (when the key was pressed), not when the UI
thread got round to them: a busy UI thread hands over a person's keys in one go, which would
look like a scanner. :class:`KeyClock` turns those timestamps into this process's clock.

Some scanners send no Enter: a fast sequence that then stays quiet for ``idle_timeout_s`` ends
by itself (the event filter arms a timer for :attr:`deadline` and calls :meth:`poll`).

Scanners also type through the computer's keyboard layout: a scanner speaking US key codes on
a German (QWERTZ) or French (AZERTY) layout turns some characters into others. Our tokens are
upper-case base32, so :func:`candidates` lists the plausible originals and the caller's
signature check decides which is real.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from statistics import median

#: Keys that end a scanned code (Enter from the main keyboard or the keypad, Tab).
TERMINATORS = frozenset({"\r", "\n", "\t"})
#: Erasing is something people do, scanners do not: it ends any burst in progress.
BACKSPACE = "\b"
#: Shortest code a scanner is taken to have sent: longer than a typed short code with its
#: dashes (``7KQ2-M9XD-T``, 11 characters).
MIN_CODE_LENGTH = 12
#: Keys at scanner speed before they are held back from the focused field.
HOLD_AFTER = 4


@dataclass(frozen=True, slots=True)
class WedgeScan:
    """One code typed by a scanner. ``terminated`` is False when it ended by going quiet."""

    text: str
    started_at: float
    ended_at: float
    terminated: bool


class KeyClock:
    """A key event's own timestamp (milliseconds on the windowing system's clock) as seconds
    on this process's monotonic clock, so gaps between keys are the gaps between presses.

    The two clocks differ by a fixed offset, learned from the first key. It is kept while keys
    come, so the gaps between them are exactly the windowing system's, even for keys a busy
    thread handles in one go. It starts afresh only when the clocks moved apart: the windowing
    system's clock is 32-bit milliseconds and wraps every 49.7 days, so a key that seems a
    minute old, or a second in the future, re-learns it. Events without a timestamp (0: made
    by a program, not a keyboard) count from when they are handled.
    """

    #: No UI thread stalls this long; a key that seems older means the clocks moved apart.
    MAX_DELAY_S = 60.0
    #: A key cannot be handled before it was pressed by more than the first key's own delay.
    MAX_AHEAD_S = 1.0

    def __init__(self) -> None:
        self._offset: float | None = None

    def at(self, stamp_ms: int, now: float) -> float:
        if stamp_ms <= 0:
            return now
        stamp = stamp_ms / 1000
        if self._offset is None:
            self._offset = now - stamp
        delay = now - (stamp + self._offset)
        if delay < -self.MAX_AHEAD_S or delay > self.MAX_DELAY_S:
            self._offset = now - stamp
        return stamp + self._offset


class WedgeReader:
    """Fed ``(key, timestamp)`` for each key press; returns a :class:`WedgeScan` when a code ends.

    ``key`` is the character the key produced, ``"\\r"``/``"\\n"`` for Enter, ``"\\t"`` for
    Tab, ``"\\b"`` for Backspace; keys that produce no text (Shift, arrows) are not fed.
    Timestamps are seconds on a monotonic clock, taken when the key was pressed
    (:class:`KeyClock`).
    """

    def __init__(
        self,
        *,
        max_gap_s: float = 0.05,
        typical_gap_s: float = 0.03,
        idle_timeout_s: float = 0.15,
        min_length: int = MIN_CODE_LENGTH,
        terminators: frozenset[str] = TERMINATORS,
    ) -> None:
        if max_gap_s <= 0 or idle_timeout_s <= 0 or typical_gap_s <= 0:
            raise ValueError("max_gap_s, typical_gap_s and idle_timeout_s must be positive")
        if typical_gap_s > max_gap_s:
            raise ValueError("typical_gap_s cannot be longer than max_gap_s")
        if min_length < 1:
            raise ValueError("min_length must be at least 1")
        self.max_gap_s = max_gap_s
        self.typical_gap_s = typical_gap_s
        self.idle_timeout_s = idle_timeout_s
        self.min_length = min_length
        self.terminators = terminators
        self._chars: list[str] = []
        self._gaps: list[float] = []
        self._started_at = 0.0
        self._last_at: float | None = None
        #: Index of the first key held back from the focused field, once any is.
        self._held_from: int | None = None
        self._released = ""

    @property
    def in_burst(self) -> bool:
        """True while the keys look like a scanner's: the event filter then holds them back so
        they do not land in a focused text field. Once true it stays true until the sequence
        ends, so the held keys are one piece (:meth:`take_released` if it was typing)."""
        return self._held_from is not None

    @property
    def buffered(self) -> str:
        return "".join(self._chars)

    @property
    def deadline(self) -> float | None:
        """When :meth:`poll` should run to end a code that has no terminator (or None)."""
        if self._last_at is None or len(self._chars) < self.min_length:
            return None
        return self._last_at + self.idle_timeout_s

    def feed(self, key: str, at: float) -> WedgeScan | None:
        """One key press. Returns the code it ends, if any."""
        if not isinstance(key, str) or len(key) != 1:
            raise ValueError(f"feed one character at a time, got {key!r}")
        finished = None
        gap = None if self._last_at is None else at - self._last_at
        if gap is not None and not 0 <= gap <= self.max_gap_s:
            # Too slow to be the same scanner burst (or time went backwards): it is over.
            finished = self._finish(terminated=False, at=self._last_at or at)
            gap = None
        if key in self.terminators:
            if finished is None and self._chars:
                finished = self._finish(terminated=True, at=at)
            else:
                self._clear()
            return finished
        if key == BACKSPACE:
            self._release_held()
            self._clear()
            return finished
        if not self._chars:
            self._started_at = at
        self._chars.append(key)
        if gap is not None:
            self._gaps.append(gap)
        self._last_at = at
        if (
            self._held_from is None
            and len(self._chars) >= min(HOLD_AFTER, self.min_length)
            and max(self._gaps, default=0.0) <= self.typical_gap_s
        ):
            self._held_from = len(self._chars) - 1
        return finished

    def poll(self, now: float) -> WedgeScan | None:
        """End a code whose scanner sent no terminator, once it has been quiet long enough."""
        deadline = self.deadline
        if deadline is None or now < deadline:
            return None
        return self._finish(terminated=False, at=self._last_at or now)

    def take_released(self) -> str:
        """Keys that were held back as a possible scan but turned out to be typing, in order,
        for the focused field (each call returns them once)."""
        released, self._released = self._released, ""
        return released

    def reset(self) -> None:
        self._clear()

    def _finish(self, *, terminated: bool, at: float) -> WedgeScan | None:
        text = "".join(self._chars)
        started = self._started_at
        scanner_speed = not self._gaps or median(self._gaps) <= self.typical_gap_s
        if len(text) < self.min_length or not scanner_speed:
            self._release_held()  # a person's keys, or a stray fast run: not a code
            self._clear()
            return None
        self._clear()
        return WedgeScan(text, started, at, terminated)

    def _release_held(self) -> None:
        if self._held_from is not None:
            self._released += "".join(self._chars[self._held_from :])

    def _clear(self) -> None:
        self._chars = []
        self._gaps = []
        self._last_at = None
        self._held_from = None


# --- keyboard layout confusion ------------------------------------------------------------

#: A US-layout scanner on a German/Swiss (QWERTZ) keyboard: Y and Z trade places.
_QWERTZ = str.maketrans("YZyz", "ZYzy")

#: A US-layout scanner on a French (AZERTY) keyboard: the digit row without Shift gives
#: symbols (the Belgian layout has § on the 6), A/Q and Z/W trade places, and the US M key
#: is the comma key (``?`` with Shift).
_AZERTY = str.maketrans(
    {
        "&": "1",
        "é": "2",
        '"': "3",
        "'": "4",
        "(": "5",
        "-": "6",
        "§": "6",
        "è": "7",
        "_": "8",
        "ç": "9",
        "à": "0",
        "A": "Q",
        "Q": "A",
        "a": "q",
        "q": "a",
        "Z": "W",
        "W": "Z",
        "z": "w",
        "w": "z",
        ",": "M",
        "?": "M",
    }
)


def candidates(text: str) -> list[str]:
    """The texts a scanner may have meant, the text as received first.

    Each layout's fix is applied to the whole text (a layout is the same for every key),
    with and without upper-casing (Caps Lock inverts a scanner's case). Duplicates are left
    out; the caller tries them in order with its signature check.
    """
    out: list[str] = []
    for variant in (
        text,
        text.upper(),
        text.translate(_QWERTZ),
        text.translate(_QWERTZ).upper(),
        text.translate(_AZERTY),
        text.translate(_AZERTY).upper(),
    ):
        if variant not in out:
            out.append(variant)
    return out


def resolve(text: str, is_valid: Callable[[str], bool]) -> str | None:
    """The first candidate of ``text`` that ``is_valid`` accepts (e.g. verifies as a signed
    voucher), or None when none does and the scan should be shown as unreadable."""
    for candidate in candidates(text):
        try:
            if is_valid(candidate):
                return candidate
        except Exception:  # a check that fails on odd text counts as "not this one"
            continue
    return None
