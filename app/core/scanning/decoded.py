"""What the decoder chain hands back: a decoded QR payload, the counters of what the chain
did, and the validator that tells a real voucher from a misread.

Kept apart from the chain so the other decoders, the pipeline and the UI can name these
without loading the chain's OpenCV and zxing-cpp machinery.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from pika_protocol.tokens import TokenError, verify

Point = tuple[int, int]
Quad = tuple[Point, Point, Point, Point]

#: Says whether a decoded text is real (e.g. "verifies as a signed voucher"). Returning False
#: marks a misread: the chain goes on with its slower decoders instead of returning it.
Validator = Callable[[str], bool]


@dataclass(frozen=True, slots=True)
class DecodedCode:
    """One QR payload read from a frame.

    ``text`` is the payload exactly as encoded (zxing-cpp's plain text mode: ECI and the
    character-set guess applied, no escaping of control characters); ``raw`` the bytes it came
    from; ``decoder`` which pass read it (for the stats and for tuning); ``position`` the
    symbol's corners in frame pixels when the decoder reports them. ``validated`` is False only
    for a read the validator refused and no other decoder could replace: it is still returned
    (a forged voucher is fraud evidence, not noise) and the kiosk's own validation names it.
    """

    text: str
    raw: bytes
    decoder: str
    position: Quad | None = None
    validated: bool = True


class DecodeStats:
    """Thread-safe counters of what the chain did: the UI shows them, a test reads them.

    ``errors`` counts decoder exceptions by decoder name; ``events`` counts frames, reads,
    unread symbols, validator rejections and how often the slow stages ran.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._events: Counter[str] = Counter()
        self._errors: Counter[str] = Counter()
        self._last_error = ""

    def count(self, event: str, n: int = 1) -> None:
        with self._lock:
            self._events[event] += n

    def error(self, decoder: str, exc: BaseException) -> None:
        with self._lock:
            self._errors[decoder] += 1
            self._last_error = f"{decoder}: {type(exc).__name__}: {exc}"[:300]

    @property
    def errors(self) -> dict[str, int]:
        with self._lock:
            return dict(self._errors)

    @property
    def events(self) -> dict[str, int]:
        with self._lock:
            return dict(self._events)

    @property
    def error_total(self) -> int:
        with self._lock:
            return sum(self._errors.values())

    @property
    def last_error(self) -> str:
        with self._lock:
            return self._last_error


def signature_validator(public_keys: Mapping[int, Ed25519PublicKey]) -> Validator:
    """The kiosk's validator: a text is real when it verifies as a signed voucher.

    QR error correction makes misreads rare but not impossible; a misread never verifies, so
    the chain goes on to its next decoder instead of showing the cashier a "forged" voucher.
    """
    keys = dict(public_keys)

    def is_signed_voucher(text: str) -> bool:
        try:
            verify(text, keys)
        except TokenError:
            return False
        return True

    return is_signed_voucher
