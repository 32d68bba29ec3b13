"""Secrets head office hands out: one-time codes (enrolment, invitations) and API keys.

Kiosks and managers use the same shapes, with their own prefixes and tables: a code is 50 bits
of Crockford base32 plus a Luhn mod-32 check character (typed from paper, so mistyped
characters are caught before a lookup); an API key is 256 random bits, stored as a plain
SHA-256 (no stretching is needed for a random secret, and one indexed lookup finds it).
"""

from __future__ import annotations

import secrets

from stdnum import luhn

from pika_protocol.tokens import SHORT_CODE_ALPHABET
from sync_backend.errors import Unprocessable

CODE_CHARS = 10  # 50 bits, plus one check character
DEVICE_KEY_PREFIX = "pika_"
MANAGER_KEY_PREFIX = "pikam_"


def new_api_key(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def new_one_time_code() -> str:
    data = "".join(secrets.choice(SHORT_CODE_ALPHABET) for _ in range(CODE_CHARS))
    check = luhn.calc_check_digit(data, alphabet=SHORT_CODE_ALPHABET)
    return f"{data[:5]}-{data[5:]}{check}"


def normalise_one_time_code(text: str, *, error_code: str, what: str) -> str:
    """The code as stored (hashed): upper case, no separators, O/I/L read as 0/1/1."""
    compact = "".join(ch for ch in text.upper() if ch.isalnum())
    compact = compact.translate(str.maketrans("OIL", "011"))
    if len(compact) != CODE_CHARS + 1 or any(ch not in SHORT_CODE_ALPHABET for ch in compact):
        raise Unprocessable(f"not {what}", code=error_code)
    if not luhn.is_valid(compact, alphabet=SHORT_CODE_ALPHABET):
        raise Unprocessable(f"{what} check character does not match", code=error_code)
    return compact
