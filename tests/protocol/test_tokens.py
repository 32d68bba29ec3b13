from __future__ import annotations

import base64

import pytest
import qrcode
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from qrcode.exceptions import DataOverflowError

from pika_protocol import tokens
from pika_protocol.tokens import (
    TOKEN_LENGTH,
    TokenError,
    TokenProblem,
    VoucherClaims,
    parse_short_code,
    short_code_for,
    sign,
    verify,
)

KEY = Ed25519PrivateKey.from_private_bytes(b"\x07" * 32)
KEYS = {3: KEY.public_key()}


def make(**over: int) -> VoucherClaims:
    fields = dict(
        key_id=3,
        business_id=12,
        offer_id=99,
        serial=123456789,
        valid_from=1_790_000_000,
        valid_until=1_800_000_000,
        variant=1,
    )
    fields.update(over)
    return VoucherClaims(**fields)


def test_round_trip() -> None:
    claims = make()
    token = sign(claims, KEY)
    assert len(token) == TOKEN_LENGTH
    assert token == token.upper() and token.isalnum()
    assert verify(token, KEYS).claims == claims


def largest_claims() -> VoucherClaims:
    return VoucherClaims(
        key_id=0xFFFF,
        business_id=2**32 - 1,
        offer_id=2**32 - 1,
        serial=2**64 - 1,
        valid_from=2**32 - 1,
        valid_until=2**32 - 1,
        variant=255,
    )


def test_longest_token_fits_version_7_at_ec_m() -> None:
    token = sign(largest_claims(), KEY)
    qr = qrcode.QRCode(version=7, error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data(qrcode.util.QRData(token, mode=qrcode.util.MODE_ALPHA_NUM))
    qr.make(fit=False)  # raises DataOverflowError when it does not fit
    # and it is really alphanumeric mode, not bytes
    assert qrcode.util.optimal_mode(token.encode()) == qrcode.util.MODE_ALPHA_NUM
    free = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M)
    free.add_data(token)
    free.make(fit=True)
    assert free.version <= 7


def test_size_bound_is_not_vacuous() -> None:
    # The version-7 check would be vacuous if nothing overflowed: a smaller symbol cannot.
    token = sign(largest_claims(), KEY)
    qr = qrcode.QRCode(version=5, error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data(qrcode.util.QRData(token, mode=qrcode.util.MODE_ALPHA_NUM))
    with pytest.raises(DataOverflowError):
        qr.make(fit=False)


@pytest.mark.parametrize("index", range(tokens.TOKEN_BYTES))
def test_any_tampered_byte_is_rejected(index: int) -> None:
    token = sign(make(), KEY)
    raw = bytearray(base64.b32decode(token + "=" * (-len(token) % 8)))
    raw[index] ^= 0x40
    bad = base64.b32encode(bytes(raw)).decode().rstrip("=")
    with pytest.raises(TokenError) as err:
        verify(bad, KEYS)
    assert err.value.problem in {
        TokenProblem.FORGED,
        TokenProblem.MALFORMED,
        TokenProblem.UNKNOWN_KEY,
    }


def test_every_single_character_change_is_rejected() -> None:
    token = sign(make(), KEY)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    for i, ch in enumerate(token):
        other = alphabet[(alphabet.index(ch) + 1) % 32]
        with pytest.raises(TokenError):
            verify(token[:i] + other + token[i + 1 :], KEYS)


def test_wrong_key_and_unknown_key() -> None:
    token = sign(make(), Ed25519PrivateKey.generate())
    with pytest.raises(TokenError) as err:
        verify(token, KEYS)
    assert err.value.problem is TokenProblem.FORGED
    with pytest.raises(TokenError) as err:
        verify(sign(make(key_id=4), KEY), KEYS)
    assert err.value.problem is TokenProblem.UNKNOWN_KEY


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "A" * 4097,
        "Ñ" * 148,
        "\x00" * 148,
        "a" * 148,
        "1" * 148,
        "http://x",
        "\ud800",
        "A" * TOKEN_LENGTH,
    ],
)
def test_malformed_input_is_a_typed_error(text: str) -> None:
    with pytest.raises(TokenError) as err:
        verify(text, KEYS)
    assert err.value.problem in {TokenProblem.MALFORMED, TokenProblem.UNKNOWN_KEY}


def test_non_text_is_malformed() -> None:
    with pytest.raises(TokenError):
        verify(b"bytes", KEYS)  # type: ignore[arg-type]


def test_claims_refuse_out_of_range() -> None:
    with pytest.raises(ValueError):
        make(serial=-1)
    with pytest.raises(ValueError):
        make(valid_from=10, valid_until=5)


def test_short_code_round_trip_and_typos() -> None:
    token = sign(make(), KEY)
    code = short_code_for(token)
    assert len(code) == 11 and code[4] == "-" and code[9] == "-"
    assert parse_short_code(code) == code
    assert parse_short_code(code.lower().replace("-", " ")) == code
    assert short_code_for(token.lower()) == code
    alphabet = tokens.SHORT_CODE_ALPHABET
    compact = code.replace("-", "")
    for i, ch in enumerate(compact):
        for other in alphabet:
            if other == ch:
                continue
            typo = compact[:i] + other + compact[i + 1 :]
            with pytest.raises(TokenError):
                parse_short_code(typo)


def test_short_code_accepts_look_alikes() -> None:
    code = short_code_for(sign(make(serial=77), KEY))
    fuzzy = code.replace("0", "O").replace("1", "I")
    assert parse_short_code(fuzzy) == code


@pytest.mark.parametrize("text", ["", "ABCD", "ABCD-EFGH-JK", "ÑBCD-EFGH-J", "x" * 100])
def test_short_code_rejects_garbage(text: str) -> None:
    with pytest.raises(TokenError):
        parse_short_code(text)


def test_non_canonical_tail_bits_are_malformed() -> None:
    token = sign(make(), KEY)
    # Same 92 bytes, different text: the last character's unused low bits set.
    last = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".index(token[-1])
    other = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[last | 1]
    with pytest.raises(TokenError) as err:
        verify(token[:-1] + other, KEYS)
    assert err.value.problem is TokenProblem.MALFORMED


def test_a_trusted_digest_skips_the_signature_maths_for_those_exact_bytes_only() -> None:
    """``trusted_digests`` is the signer's own record of what it signed: those bytes pass
    without Ed25519 (shown with a key that would refuse them), any other bytes get the check."""
    token = sign(make(), KEY)
    read = tokens.read(token)
    other_key = {3: Ed25519PrivateKey.from_private_bytes(b"\x09" * 32).public_key()}
    with pytest.raises(TokenError) as refused:
        verify(token, other_key)
    assert refused.value.problem is TokenProblem.FORGED
    # The shortcut applies: the exact bytes recorded, so no curve maths (the wrong key is
    # never asked).
    assert verify(read, other_key, trusted_digests={read.digest()}).claims == make()
    assert verify(token, other_key, trusted_digests={read.digest()}).token == token

    # It does not apply to a forgery of the same claims: one signature bit flipped.
    raw = bytearray(read.body + read.signature)
    raw[-1] ^= 1
    forged = tokens.encode(bytes(raw))
    with pytest.raises(TokenError) as forgery:
        verify(forged, KEYS, trusted_digests={read.digest()})
    assert forgery.value.problem is TokenProblem.FORGED
    # Nor to a token of an unknown key, digest or not.
    with pytest.raises(TokenError) as unknown:
        verify(token, {}, trusted_digests={read.digest()})
    assert unknown.value.problem is TokenProblem.UNKNOWN_KEY


def test_read_once_then_claimed_serial_and_verify() -> None:
    token = sign(make(serial=42), KEY)
    assert tokens.claimed_serial(token) == 42
    assert tokens.claimed_serial("not a token") is None
    read = tokens.read(token.lower())
    assert read.text == token and verify(read, KEYS).claims.serial == 42
