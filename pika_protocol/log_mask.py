"""Masks secrets in log text: what the kiosk and the backend both must never write down.

Neither side logs a secret on purpose; this is the defence in depth both put on their log
output (the kiosk's rotating file, the backend's JSON lines), for the line nobody foresaw: an
exception's text, a library's debug output. It masks ``Bearer`` credentials, device and
manager API keys by their shape (the prefix and 43 characters of urlsafe base64), whole
voucher tokens by theirs (base32 of a token's length), and any literal values it is given
(the backend's admin token, metrics token, signing-key secret).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pika_protocol.tokens import TOKEN_LENGTH

MASK = "[redacted]"
#: API keys are ``pika_`` (a kiosk's) or ``pikam_`` (a manager's) and ``secrets.token_urlsafe(32)``.
API_KEY_PREFIXES = ("pika_", "pikam_")

_PATTERNS = (
    # An Authorization header's credential, whatever it is (group 1 is kept).
    re.compile(r"(?i)(bearer\s+)[^\s\"',;]+"),
    # An API key: metric names share the prefix, in lower case, so one capital is required.
    re.compile(r"\bpikam?_(?=[A-Za-z0-9_-]{0,42}[A-Z])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])"),
    # A whole voucher token (upper-case base32, no padding).
    re.compile(rf"[A-Z2-7]{{{TOKEN_LENGTH},}}"),
)


class SecretMask:
    """``mask(text)``: the text with every secret it recognises replaced by ``[redacted]``."""

    def __init__(self, literals: Iterable[str] = ()) -> None:
        # Short values would mask ordinary words; the backend refuses short secrets anyway.
        self.literals = sorted({s for s in literals if s and len(s) >= 12}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for value in self.literals:
            text = text.replace(value, MASK)
        for pattern in _PATTERNS:
            text = pattern.sub(_keep_prefix, text)
        return text


def _keep_prefix(match: re.Match[str]) -> str:
    return (match.group(1) if match.re.groups else "") + MASK
