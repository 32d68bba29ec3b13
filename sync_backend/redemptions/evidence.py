"""Pushed text kept as evidence (``redemptions.token``) is sealed before it is stored.

A printed copy's text is never kept (its serial rebuilds it, see ``vouchers.copies``). What is
kept is what the server cannot rebuild: forged, malformed, unknown-key text. That can still
hold a real token almost whole: a copy with one character changed, a NUL byte put in, a wedge
scanner's double read. In plain text a dump reader with the public keys (also in the dump)
could search back to the real token in well under a second, so the evidence is encrypted
(Fernet) with a key derived from ``PIKA_SIGNING_KEY_SECRET`` by HKDF: the secret that already
guards the signing keys, under a separate key so the two uses never share one.
"""

from __future__ import annotations

import base64
import functools

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_PURPOSE = b"pika-counter redemptions.token evidence v1"


@functools.lru_cache(maxsize=4)
def _fernet(secret: str) -> Fernet:
    master = base64.urlsafe_b64decode(secret.encode("ascii"))
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_PURPOSE).derive(master)
    return Fernet(base64.urlsafe_b64encode(key))


def seal(secret: str, text: str) -> str:
    """``text`` encrypted for storage (ASCII, so Postgres takes it whatever the text holds)."""
    return _fernet(secret).encrypt(text.encode("utf-8", "surrogatepass")).decode("ascii")


def unseal(secret: str, sealed: str) -> str:
    """The text :func:`seal` stored (raises ``cryptography.fernet.InvalidToken`` otherwise)."""
    return _fernet(secret).decrypt(sealed.encode("ascii")).decode("utf-8", "surrogatepass")
