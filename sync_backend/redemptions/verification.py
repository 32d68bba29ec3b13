"""Signature checks for the push path without paying Ed25519 for tokens head office printed.

``validate`` (shared with the kiosk) verifies every token through the public key it is given.
Here each public key is wrapped: when the exact signed bytes equal a token this backend printed
(read from ``vouchers`` in the batch's state query), the signature is known good because head
office made it; any other bytes go through the real Ed25519 verify. The rules stay the kiosk's,
only the cost drops (about 65 µs per token).
"""

from __future__ import annotations

import struct
from collections.abc import Collection, Mapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from app.core.tokens import token_bytes

_Bytes = bytes | bytearray | memoryview


_SERIAL = struct.Struct(">Q")
_SERIAL_OFFSET = 11  # version u8 | key_id u16 | business u32 | offer u32 | serial u64


def claimed_serial(token: str) -> int | None:
    """The serial a token claims (unverified): which server state the batch needs."""
    raw = token_bytes(token)
    if raw is None:
        return None
    return int(_SERIAL.unpack_from(raw, _SERIAL_OFFSET)[0])


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
    printed = {raw for raw in map(token_bytes, printed_tokens) if raw is not None}
    return {key_id: PrintedTokenKey(key, printed) for key_id, key in keys.items()}
