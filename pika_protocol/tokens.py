"""The voucher token: what the printed QR holds.

This module is the single owner of the wire format. The kiosk verifies tokens offline with it
and head office signs them with it; nothing else may parse or build token bytes.

Layout (format version 1), big-endian, 28 bytes of claims followed by a 64-byte Ed25519
signature over those claims::

    version u8 | key_id u16 | business_id u32 | offer_id u32 | serial u64
    | valid_from u32 (unix s) | valid_until u32 (unix s) | variant u8

The 92 bytes are written as upper-case RFC 4648 base32 without padding (148 characters), which
QR alphanumeric mode encodes at 5.5 bits per character: a token fits a version 6 symbol at
error correction M, inside the version 7 bound the design asks for.

Parsing untrusted text never raises anything but :class:`TokenError` with a stable reason.
"""

from __future__ import annotations

import base64
import hashlib
import re
import struct
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from stdnum import luhn

FORMAT_VERSION = 1
_CLAIMS = struct.Struct(">BHIIQIIB")
CLAIMS_SIZE = _CLAIMS.size  # 28
SIGNATURE_SIZE = 64
TOKEN_BYTES = CLAIMS_SIZE + SIGNATURE_SIZE
TOKEN_LENGTH = len(base64.b32encode(b"\0" * TOKEN_BYTES).rstrip(b"="))  # 148

_B32_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

#: Anything longer than this is refused before any decoding work (hostile QR content).
MAX_INPUT_LENGTH = 4096

NO_VARIANT = 0

#: Crockford base32: no I, L, O, U, so a cashier cannot confuse letters with digits.
SHORT_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
SHORT_CODE_DATA_CHARS = 8  # 40 bits: unguessable, still short enough to type


class TokenProblem(StrEnum):
    """Why a token could not be read. Values are stable codes shared with the backend."""

    MALFORMED = "malformed"
    UNKNOWN_KEY = "unknown_key"
    FORGED = "forged_signature"


class TokenError(ValueError):
    """A token that cannot be trusted; ``problem`` says why in a stable code."""

    def __init__(self, problem: TokenProblem, detail: str) -> None:
        super().__init__(f"{problem.value}: {detail}")
        self.problem = problem
        self.detail = detail


class ShortCodeProblem(StrEnum):
    """What is wrong with a typed short code, so the cashier can be told what to look for."""

    LENGTH = "length"  # a character missing or one too many
    CHARACTER = "character"  # a character short codes never hold
    CHECK = "check"  # the check character does not match: a character mistyped


class ShortCodeError(TokenError):
    """A typed short code that cannot be one (``code_problem`` says why); malformed."""

    def __init__(self, code_problem: ShortCodeProblem, detail: str) -> None:
        super().__init__(TokenProblem.MALFORMED, detail)
        self.code_problem = code_problem


#: Each claim field's largest value (its width in the packed token).
_CLAIM_LIMITS = (
    ("version", 0xFF),
    ("key_id", 0xFFFF),
    ("business_id", 0xFFFF_FFFF),
    ("offer_id", 0xFFFF_FFFF),
    ("serial", 0xFFFF_FFFF_FFFF_FFFF),
    ("valid_from", 0xFFFF_FFFF),
    ("valid_until", 0xFFFF_FFFF),
    ("variant", 0xFF),
)


@dataclass(frozen=True, slots=True)
class VoucherClaims:
    """What head office signed for one printed copy of an offer."""

    key_id: int
    business_id: int
    offer_id: int
    serial: int
    valid_from: int
    valid_until: int
    variant: int = NO_VARIANT
    version: int = FORMAT_VERSION

    def __post_init__(self) -> None:
        for name, upper in _CLAIM_LIMITS:
            value = getattr(self, name)
            if not isinstance(value, int) or not 0 <= value <= upper:
                raise ValueError(f"{name} must be an integer in 0..{upper}, got {value!r}")
        if self.valid_until < self.valid_from:
            raise ValueError("valid_until is before valid_from")

    def pack(self) -> bytes:
        return _CLAIMS.pack(
            self.version,
            self.key_id,
            self.business_id,
            self.offer_id,
            self.serial,
            self.valid_from,
            self.valid_until,
            self.variant,
        )

    @classmethod
    def unpack(cls, data: bytes) -> VoucherClaims:
        """Claims from their 28 packed bytes; raises ValueError for an impossible window."""
        version, key_id, business, offer, serial, start, end, variant = _CLAIMS.unpack(data)
        return cls(
            key_id=key_id,
            business_id=business,
            offer_id=offer,
            serial=serial,
            valid_from=start,
            valid_until=end,
            variant=variant,
            version=version,
        )

    @property
    def valid_from_dt(self) -> datetime:
        return datetime.fromtimestamp(self.valid_from, UTC)

    @property
    def valid_until_dt(self) -> datetime:
        return datetime.fromtimestamp(self.valid_until, UTC)


@dataclass(frozen=True, slots=True)
class VerifiedVoucher:
    """A token whose signature checked out against a known key."""

    claims: VoucherClaims
    token: str

    @property
    def short_code(self) -> str:
        return short_code_for(self.token)


def sign(claims: VoucherClaims, private_key: Ed25519PrivateKey) -> str:
    """Head office side: make the QR text for one printed copy."""
    return encode(signed_bytes(claims, private_key))


def signed_bytes(claims: VoucherClaims, private_key: Ed25519PrivateKey) -> bytes:
    """The 92 bytes of a token: its claims and their Ed25519 signature (deterministic, so the
    same claims and key always give the same bytes)."""
    body = claims.pack()
    return body + private_key.sign(body)


def encode(raw: bytes) -> str:
    """Token text of :func:`signed_bytes`."""
    return base64.b32encode(raw).decode("ascii").rstrip("=")


def normalise_text(text: str) -> str:
    """Strip what scanners and people add around a token (spaces, case, line ends)."""
    return "".join(text.split()).upper()


#: RFC 4648 base32 letters → the digits ``int(..., 32)`` reads (0-9, A-V): Python's integer
#: parser decodes a whole token in C, ~10× faster than the pure-Python ``base64.b32decode``.
_TO_INT_DIGITS = str.maketrans(_B32_ALPHABET, "0123456789ABCDEFGHIJKLMNOPQRSTUV")
_BASE32_TOKEN = re.compile(f"[A-Z2-7]{{{TOKEN_LENGTH}}}")
_PAD_BITS = TOKEN_LENGTH * 5 - TOKEN_BYTES * 8


def _base32_bytes(compact: str) -> bytes:
    """The 92 bytes of normalised token text (RFC 4648 base32, no padding), canonical only."""
    if not _BASE32_TOKEN.fullmatch(compact):
        raise TokenError(TokenProblem.MALFORMED, "not base32 text")
    number = int(compact.translate(_TO_INT_DIGITS), 32)
    if number & ((1 << _PAD_BITS) - 1):
        # Non-canonical trailing bits: a different text for the same bytes is not our token.
        raise TokenError(TokenProblem.MALFORMED, "non-canonical base32 encoding")
    return (number >> _PAD_BITS).to_bytes(TOKEN_BYTES, "big")


def token_bytes(text: str) -> bytes | None:
    """The signed bytes of token-shaped text, or None: a cheap pre-read (e.g. the backend
    looking up the state a batch needs). The verdict on a token is always :func:`verify`'s."""
    try:
        return _base32_bytes(normalise_text(text))
    except TokenError:
        return None


@dataclass(frozen=True, slots=True)
class SignedToken:
    """Well-formed token text split into its parts, signature not yet checked (:func:`verify`
    does that). Read once, it can be looked at (which serial it claims) and then verified
    without being parsed again."""

    claims: VoucherClaims
    body: bytes
    signature: bytes
    #: The normalised text (:func:`normalise_text`).
    text: str

    def digest(self) -> bytes:
        """SHA-256 of the 92 signed bytes: what a signer records to know its tokens again
        (see ``trusted_digests`` in :func:`verify`)."""
        return hashlib.sha256(self.body + self.signature).digest()


def decode(text: str) -> tuple[VoucherClaims, bytes, bytes]:
    """Split token text into claims, the signed bytes and the signature, without verifying.

    Raises :class:`TokenError` (malformed) for anything that is not a well-formed token.
    """
    token = read(text)
    return token.claims, token.body, token.signature


def read(text: str) -> SignedToken:
    """Parse untrusted token text, without verifying it.

    Raises :class:`TokenError` (malformed) for anything that is not a well-formed token.
    """
    if not isinstance(text, str):
        raise TokenError(TokenProblem.MALFORMED, "token is not text")
    if len(text) > MAX_INPUT_LENGTH:
        raise TokenError(TokenProblem.MALFORMED, f"input longer than {MAX_INPUT_LENGTH} chars")
    if not text.isascii():
        raise TokenError(TokenProblem.MALFORMED, "token holds non-ASCII characters")
    compact = normalise_text(text)
    if len(compact) != TOKEN_LENGTH:
        raise TokenError(
            TokenProblem.MALFORMED, f"token has {len(compact)} characters, expected {TOKEN_LENGTH}"
        )
    raw = _base32_bytes(compact)
    body, signature = raw[:CLAIMS_SIZE], raw[CLAIMS_SIZE:]
    if body[0] != FORMAT_VERSION:
        raise TokenError(TokenProblem.MALFORMED, f"unsupported format version {body[0]}")
    try:
        claims = VoucherClaims.unpack(body)
    except ValueError as exc:
        raise TokenError(TokenProblem.MALFORMED, str(exc)) from exc
    return SignedToken(claims, body, signature, compact)


def claimed_serial(text: str) -> int | None:
    """The serial well-formed token text claims (unverified), None for anything else: e.g. to
    know which server state a batch of scans needs before deciding them."""
    try:
        return read(text).claims.serial
    except TokenError:
        return None


def verify(
    token: str | SignedToken,
    public_keys: Mapping[int, Ed25519PublicKey],
    *,
    trusted_digests: Collection[bytes] = (),
) -> VerifiedVoucher:
    """Parse and check the signature of untrusted token text (or a :func:`read` of it), fully
    offline.

    ``trusted_digests``: :meth:`SignedToken.digest` of tokens the caller itself signed and
    recorded when it did (head office's ``vouchers.token_sha256``). A token whose 92 bytes
    hash to one of them is accepted without the Ed25519 maths (about 65 µs), its key still
    required to be known. Safe because equal SHA-256 digests mean the very bytes the caller
    signed (finding other bytes with the same digest is SHA-256's second preimage problem),
    and a signature that was good when made is good now; bytes that differ in one bit hash
    elsewhere and get the real check. Only a signer can vouch: the kiosk passes none.
    """
    if not isinstance(token, SignedToken):
        token = read(token)
    claims = token.claims
    key = public_keys.get(claims.key_id)
    if key is None:
        raise TokenError(TokenProblem.UNKNOWN_KEY, f"no public key with id {claims.key_id}")
    if not (trusted_digests and token.digest() in trusted_digests):
        try:
            key.verify(token.signature, token.body)
        except InvalidSignature as exc:
            raise TokenError(TokenProblem.FORGED, "signature does not match") from exc
    return VerifiedVoucher(claims=claims, token=token.text)


def short_code_for(token: str) -> str:
    """The code printed under the QR for manual entry, e.g. ``7KQ2-M9XD-T``.

    Derived from a hash of the whole signed token, so it cannot be guessed from a serial;
    the kiosk maps it back to the token through its voucher cache. The last character is a
    Luhn mod 32 check that catches any single mistyped character and most swaps.
    """
    digest = hashlib.sha256(normalise_text(token).encode("ascii")).digest()
    number = int.from_bytes(digest[:5], "big")
    data = "".join(
        SHORT_CODE_ALPHABET[(number >> (5 * i)) & 31]
        for i in reversed(range(SHORT_CODE_DATA_CHARS))
    )
    check = luhn.calc_check_digit(data, alphabet=SHORT_CODE_ALPHABET)
    return f"{data[:4]}-{data[4:]}-{check}"


_CROCKFORD_ALIASES = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})


def parse_short_code(text: str) -> str:
    """Normalise typed short-code input and check its check character.

    Accepts lower case, spaces, missing or extra dashes and the usual look-alikes (O for 0,
    I or L for 1). Returns the canonical ``XXXX-XXXX-C`` form or raises :class:`TokenError`.
    """
    if not isinstance(text, str) or len(text) > 64:
        raise ShortCodeError(ShortCodeProblem.LENGTH, "not a short code")
    if not text.isascii():
        raise ShortCodeError(ShortCodeProblem.CHARACTER, "short code holds a non-ASCII character")
    compact = "".join(ch for ch in text.upper() if ch.isalnum()).translate(_CROCKFORD_ALIASES)
    if len(compact) != SHORT_CODE_DATA_CHARS + 1:
        raise ShortCodeError(
            ShortCodeProblem.LENGTH,
            f"a short code has {SHORT_CODE_DATA_CHARS + 1} characters, got {len(compact)}",
        )
    if any(ch not in SHORT_CODE_ALPHABET for ch in compact):
        raise ShortCodeError(
            ShortCodeProblem.CHARACTER, "short code holds a character it cannot have"
        )
    if not luhn.is_valid(compact, alphabet=SHORT_CODE_ALPHABET):
        raise ShortCodeError(ShortCodeProblem.CHECK, "check character does not match")
    return f"{compact[:4]}-{compact[4:8]}-{compact[8]}"


def looks_like_short_code(text: str) -> bool:
    """Shaped like a typed short code (letters, digits, dashes and spaces; as many letters and
    digits as a short code has), whether or not it is a right one. No barcode carries a short
    code, so such text came from someone typing, however fast."""
    if len(text) > 64 or not text.isascii():
        return False
    if any(not (ch.isalnum() or ch in "- ") for ch in text):
        return False
    return sum(ch.isalnum() for ch in text) == SHORT_CODE_DATA_CHARS + 1


def public_key_bytes(key: Ed25519PublicKey) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def load_public_key(raw: bytes) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(raw)
