"""The kiosk export's file format: a passphrase-sealed stream with an authenticated header.

Layout (all integers big-endian)::

    MAGIC (8 bytes, the last one is the format version)
    u32 header length, header (UTF-8 JSON), sha256 of everything before it (32 bytes)
    frames: u32 length, AES-256-GCM ciphertext of one chunk (16-byte tag included)

Why this shape:

* **scrypt** turns the manager's passphrase into the key (memory-hard: a stolen USB stick is
  not brute-forced on a GPU cheaply); its parameters and salt are in the header, bounded when
  read so a hostile file cannot ask for gigabytes.
* **A verifier** (sha256 of a second derived key) tells a wrong passphrase from a damaged file
  before any data is decrypted; the unkeyed header checksum tells a damaged header apart.
* **Chunked AES-GCM as a STREAM** (Hoang, Reyhanitabar, Rogaway, Vizár 2015): each chunk's nonce
  is a random prefix, the chunk's number and a last-chunk flag, and its associated data is the
  header's digest. A reordered, dropped, repeated or altered chunk fails its tag; a file cut at
  a chunk boundary has no chunk flagged last; bytes after the last chunk are refused. So a
  truncated file is always refused, and a file is accepted only when every byte is as written.
  Chunks keep memory flat for a large store and give the progress bar its steps.

Errors are typed (:mod:`app.core.kiosk_backup.errors`); nothing here touches the kiosk store.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from app.core.kiosk_backup.errors import DamagedExportError, NotAnExportError, WrongPassphraseError

FORMAT_VERSION = 1
MAGIC = b"PIKAKBK" + bytes([FORMAT_VERSION])
CHUNK_SIZE = 1 << 20
TAG_BYTES = 16
NONCE_PREFIX_BYTES = 7
MAX_HEADER_BYTES = 64 * 1024
#: scrypt at n=2^15, r=8: 32 MiB and about 0.1 s on a counter PC, per try of a passphrase.
SCRYPT_N = 1 << 15
SCRYPT_R = 8
SCRYPT_P = 1
_MAX_SCRYPT_N = 1 << 20
_MAX_CHUNK = 16 << 20
_U32 = struct.Struct(">I")


class Readable(Protocol):
    def read(self, n: int, /) -> bytes: ...


class Writable(Protocol):
    def write(self, data: bytes, /) -> object: ...


#: Called with (bytes done, bytes in all) as the work goes on.
Progress = Callable[[int, int], None]


def _no_progress(_done: int, _total: int) -> None:
    return None


@dataclass(frozen=True, slots=True)
class Header:
    """What the header says: the sealing parameters and ``about``, readable without the
    passphrase (device, business, when, how many items waited: the restore dialog shows it)."""

    raw: bytes
    digest: bytes
    salt: bytes
    n: int
    r: int
    p: int
    verifier: bytes
    nonce_prefix: bytes
    chunk_size: int
    plain_size: int
    about: dict[str, Any]


def _derive(passphrase: str, salt: bytes, n: int, r: int, p: int) -> tuple[bytes, bytes]:
    """(encryption key, verifier key) from the passphrase."""
    derived = Scrypt(salt=salt, length=64, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))
    return derived[:32], derived[32:]


def _nonce(prefix: bytes, number: int, last: bool) -> bytes:
    return prefix + _U32.pack(number) + (b"\x01" if last else b"\x00")


def seal(
    source: Readable,
    plain_size: int,
    out: BinaryIO,
    passphrase: str,
    about: dict[str, Any],
    *,
    chunk_size: int = CHUNK_SIZE,
    progress: Progress = _no_progress,
) -> None:
    """Write ``plain_size`` bytes of ``source`` to ``out``, sealed with ``passphrase``."""
    salt = secrets.token_bytes(16)
    key, verifier_key = _derive(passphrase, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    prefix = secrets.token_bytes(NONCE_PREFIX_BYTES)
    header = json.dumps(
        {
            "format": FORMAT_VERSION,
            "kdf": {"name": "scrypt", "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P},
            "salt": _b64(salt),
            "verifier": _b64(hashlib.sha256(verifier_key).digest()),
            "cipher": "AES-256-GCM-STREAM",
            "nonce_prefix": _b64(prefix),
            "chunk_size": chunk_size,
            "plain_size": plain_size,
            "about": about,
        },
        sort_keys=True,
    ).encode("utf-8")
    lead = MAGIC + _U32.pack(len(header)) + header
    digest = hashlib.sha256(lead).digest()
    out.write(lead + digest)
    aead = AESGCM(key)
    done = 0
    number = 0
    chunk = source.read(chunk_size)
    while True:
        following = source.read(chunk_size) if chunk else b""
        last = not following
        sealed = aead.encrypt(_nonce(prefix, number, last), chunk, digest)
        out.write(_U32.pack(len(sealed)) + sealed)
        done += len(chunk)
        progress(done, plain_size)
        if last:
            break
        chunk, number = following, number + 1
    if done != plain_size:
        raise OSError(f"the snapshot changed while it was sealed ({done} of {plain_size} bytes)")


def read_header(stream: BinaryIO) -> Header:
    """The header, checked whole (no passphrase needed); leaves ``stream`` at the first frame."""
    magic = stream.read(len(MAGIC))
    if magic[:7] != MAGIC[:7]:
        raise NotAnExportError("this file is not a Pika kiosk export")
    if magic != MAGIC:
        raise NotAnExportError(
            f"this kiosk export is of format {magic[7]}; this kiosk reads format {FORMAT_VERSION}"
        )
    length_bytes = stream.read(4)
    if len(length_bytes) != 4:
        raise DamagedExportError("the export ends inside its header")
    (length,) = _U32.unpack(length_bytes)
    if length > MAX_HEADER_BYTES:
        raise DamagedExportError("the export's header is damaged (impossible length)")
    raw = stream.read(length)
    digest = stream.read(32)
    if len(raw) != length or len(digest) != 32:
        raise DamagedExportError("the export ends inside its header")
    if not hmac.compare_digest(hashlib.sha256(magic + length_bytes + raw).digest(), digest):
        raise DamagedExportError("the export's header is damaged (its checksum does not match)")
    try:
        fields = json.loads(raw)
        kdf = fields["kdf"]
        header = Header(
            raw=raw,
            digest=digest,
            salt=_unb64(fields["salt"]),
            n=int(kdf["n"]),
            r=int(kdf["r"]),
            p=int(kdf["p"]),
            verifier=_unb64(fields["verifier"]),
            nonce_prefix=_unb64(fields["nonce_prefix"]),
            chunk_size=int(fields["chunk_size"]),
            plain_size=int(fields["plain_size"]),
            about=dict(fields["about"]),
        )
        bounded = (
            kdf["name"] == "scrypt"
            and 2 <= header.n <= _MAX_SCRYPT_N
            and 1 <= header.r <= 32
            and 1 <= header.p <= 16
            and len(header.nonce_prefix) == NONCE_PREFIX_BYTES
            and 1 <= header.chunk_size <= _MAX_CHUNK
            and header.plain_size >= 0
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise DamagedExportError(f"the export's header is unreadable: {exc}") from exc
    if not bounded:
        raise DamagedExportError("the export's header asks for impossible parameters")
    return header


def unseal(
    stream: BinaryIO,
    passphrase: str,
    out: Writable,
    *,
    progress: Progress = _no_progress,
) -> Header:
    """Check ``passphrase`` and write the plaintext to ``out``, chunk by chunk.

    A failure may come after some chunks were written: the caller writes to a scratch file and
    uses it only when this returns (every chunk authenticated, the last one flagged last)."""
    header = read_header(stream)
    key, verifier_key = _derive(passphrase, header.salt, header.n, header.r, header.p)
    if not hmac.compare_digest(hashlib.sha256(verifier_key).digest(), header.verifier):
        raise WrongPassphraseError("the passphrase does not open this export")
    aead = AESGCM(key)
    done = 0
    for number, sealed, last in _frames(stream, header.chunk_size):
        try:
            chunk = aead.decrypt(_nonce(header.nonce_prefix, number, last), sealed, header.digest)
        except InvalidTag:
            raise _damaged(aead, header, number, sealed, last) from None
        out.write(chunk)
        done += len(chunk)
        progress(done, header.plain_size)
    if done != header.plain_size:
        raise DamagedExportError("the export holds a different amount of data than it says")
    return header


def _frames(stream: BinaryIO, chunk_size: int) -> Iterator[tuple[int, bytes, bool]]:
    """(number, ciphertext, whether it is the last) of each frame; refuses a cut file and
    bytes after the end. Which frame is last shows only by trying both flags, so a frame is
    yielded as last when nothing follows it: its tag then proves it was written as last."""
    number = 0
    pending = _read_frame(stream, chunk_size)
    if pending is None:
        raise DamagedExportError("the export is cut short (it holds no data)")
    while True:
        following = _read_frame(stream, chunk_size)
        yield number, pending, following is None
        if following is None:
            return
        pending, number = following, number + 1


def _read_frame(stream: BinaryIO, chunk_size: int) -> bytes | None:
    length_bytes = stream.read(4)
    if not length_bytes:
        return None
    if len(length_bytes) != 4:
        raise DamagedExportError("the export is cut short")
    (length,) = _U32.unpack(length_bytes)
    if not TAG_BYTES <= length <= chunk_size + TAG_BYTES:
        raise DamagedExportError("the export is damaged (impossible part length)")
    sealed = stream.read(length)
    if len(sealed) != length:
        raise DamagedExportError("the export is cut short")
    return sealed


def _damaged(
    aead: AESGCM, header: Header, number: int, sealed: bytes, last: bool
) -> DamagedExportError:
    """Say "cut short" when the file's final frame is a whole frame written as not last."""
    if last:
        try:
            aead.decrypt(_nonce(header.nonce_prefix, number, False), sealed, header.digest)
        except InvalidTag:
            pass
        else:
            return DamagedExportError("the export is cut short (its last part is missing)")
    return DamagedExportError(f"the export is damaged (part {number + 1} does not authenticate)")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)
