"""Signature checks for the push path without paying Ed25519 for tokens head office printed.

``validate`` (shared with the kiosk) verifies every token through the public key it is given.
Here each public key is wrapped: when the exact signed bytes equal a token this backend printed
(read from ``vouchers`` in the batch's state query), the signature is known good because head
office made it; any other bytes go through the real Ed25519 verify. The rules stay the kiosk's,
only the cost drops (about 65 µs per token).
"""

from __future__ import annotations

import base64
from collections.abc import Collection, Mapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from app.core.tokens import normalise_text

_Bytes = bytes | bytearray | memoryview


def token_bytes(token: str) -> bytes:
    compact = normalise_text(token)
    return base64.b32decode(compact + "=" * (-len(compact) % 8))


class PrintedTokenKey(Ed25519PublicKey):
    """A public key that accepts, without the curve maths, the exact tokens we printed."""

    def __init__(self, inner: Ed25519PublicKey, printed: Collection[bytes]) -> None:
        self._inner = inner
        self._printed = printed

    def verify(self, signature: _Bytes, data: _Bytes) -> None:
        if bytes(data) + bytes(signature) in self._printed:
            return
        self._inner.verify(signature, data)

    def public_bytes(self, encoding: Encoding, format: PublicFormat) -> bytes:
        return self._inner.public_bytes(encoding, format)

    def public_bytes_raw(self) -> bytes:
        return self._inner.public_bytes_raw()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PrintedTokenKey) and self._inner == other._inner

    def __hash__(self) -> int:
        return hash(self._inner.public_bytes_raw())

    def __copy__(self) -> PrintedTokenKey:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> PrintedTokenKey:
        return self


def with_printed_tokens(
    keys: Mapping[int, Ed25519PublicKey], printed_tokens: Collection[str]
) -> dict[int, Ed25519PublicKey]:
    printed = {token_bytes(t) for t in printed_tokens}
    return {key_id: PrintedTokenKey(key, printed) for key_id, key in keys.items()}
