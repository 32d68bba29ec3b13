"""Signature checks for the push path without paying Ed25519 for tokens head office printed.

``validate`` (shared with the kiosk) verifies every token through the public key it is given.
Here each public key is wrapped: when the SHA-256 of the exact signed bytes equals a token this
backend printed (``vouchers.token_sha256``, read in the batch's state query; the token itself is
not stored), the signature is known good because head office made it; any other bytes go through
the real Ed25519 verify. The rules stay the kiosk's, only the cost drops (about 65 µs a token,
for about 1 µs of hashing).
"""

from __future__ import annotations

import struct
from collections.abc import Collection, Mapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from pika_protocol.tokens import token_bytes
from sync_backend.vouchers.copies import digest

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
    """A public key that accepts, without the curve maths, the exact tokens we printed
    (``printed``: digests of their signed bytes, ``vouchers.copies.digest``)."""

    def __init__(self, inner: Ed25519PublicKey, printed: Collection[bytes]) -> None:
        self._inner = inner
        self._printed = printed

    def verify(self, signature: _Bytes, data: _Bytes) -> None:
        if digest(bytes(data) + bytes(signature)) in self._printed:
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


def with_printed_copies(
    keys: Mapping[int, Ed25519PublicKey], printed_digests: Collection[bytes]
) -> dict[int, Ed25519PublicKey]:
    printed = set(printed_digests)
    return {key_id: PrintedTokenKey(key, printed) for key_id, key in keys.items()}
