"""USB keyboard-wedge scanners: telling a scanner's burst from a person typing, without Qt.

A wedge scanner is a keyboard to the computer: it "types" the QR payload, usually followed by
Enter. The kiosk listens to every key press (the Qt event filter feeds this class) and must
tell the scanner apart from a cashier typing: a scanner sends its characters a few
milliseconds apart, people need 50 ms or more between keys. So a gap longer than
``max_gap_s`` starts a new sequence, and only a fast sequence of at least ``min_length``
characters is a code. Some scanners send no Enter: a fast sequence that then stays quiet for
``idle_timeout_s`` ends by itself (the event filter arms a timer for :attr:`deadline` and
calls :meth:`WedgeReader.poll`).

Scanners also type through the computer's keyboard layout: a scanner speaking US key codes on
a German (QWERTZ) or French (AZERTY) layout turns some characters into others. Our tokens are
upper-case base32, so :func:`candidates` lists the plausible originals and the caller's
signature check decides which is real.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

#: Keys that end a scanned code (Enter from the main keyboard or the keypad, Tab).
TERMINATORS = frozenset({"\r", "\n", "\t"})
#: Erasing is something people do, scanners do not: it ends any burst in progress.
BACKSPACE = "\b"


@dataclass(frozen=True, slots=True)
class WedgeScan:
    """One code typed by a scanner. ``terminated`` is False when it ended by going quiet."""

    text: str
    started_at: float
    ended_at: float
    terminated: bool


class WedgeReader:
    """Fed ``(key, timestamp)`` for each key press; returns a :class:`WedgeScan` when a code ends.

    ``key`` is the character the key produced, ``"\\r"``/``"\\n"`` for Enter, ``"\\t"`` for
    Tab, ``"\\b"`` for Backspace; keys that produce no text (Shift, arrows) are not fed.
    Timestamps are seconds on a monotonic clock (Qt's event timestamp / 1000 works).
    """

    def __init__(
        self,
        *,
        max_gap_s: float = 0.05,
        idle_timeout_s: float = 0.15,
        min_length: int = 8,
        terminators: frozenset[str] = TERMINATORS,
    ) -> None:
        if max_gap_s <= 0 or idle_timeout_s <= 0:
            raise ValueError("max_gap_s and idle_timeout_s must be positive")
        if min_length < 1:
            raise ValueError("min_length must be at least 1")
        self.max_gap_s = max_gap_s
        self.idle_timeout_s = idle_timeout_s
        self.min_length = min_length
        self.terminators = terminators
        self._chars: list[str] = []
        self._started_at = 0.0
        self._last_at: float | None = None

    @property
    def in_burst(self) -> bool:
        """True while the keys so far look like a scanner (fast, already a few characters):
        the event filter may then swallow them so they do not land in a focused text field."""
        return len(self._chars) >= min(4, self.min_length)

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
        if self._last_at is not None and at - self._last_at > self.max_gap_s:
            # Too slow to be the same scanner burst: whatever came before is over.
            finished = self._finish(terminated=False, at=self._last_at)
        if key in self.terminators:
            if finished is None and self._chars:
                finished = self._finish(terminated=True, at=at)
            else:
                self._clear()
            return finished
        if key == BACKSPACE:
            self._clear()
            return finished
        if not self._chars:
            self._started_at = at
        self._chars.append(key)
        self._last_at = at
        return finished

    def poll(self, now: float) -> WedgeScan | None:
        """End a code whose scanner sent no terminator, once it has been quiet long enough."""
        deadline = self.deadline
        if deadline is None or now < deadline:
            return None
        return self._finish(terminated=False, at=self._last_at or now)

    def reset(self) -> None:
        self._clear()

    def _finish(self, *, terminated: bool, at: float) -> WedgeScan | None:
        text = "".join(self._chars)
        started = self._started_at
        self._clear()
        if len(text) < self.min_length:
            return None  # a person's keys, or a stray fast pair: not a code
        return WedgeScan(text, started, at, terminated)

    def _clear(self) -> None:
        self._chars = []
        self._last_at = None


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
