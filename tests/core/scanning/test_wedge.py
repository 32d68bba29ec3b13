from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.core.scanning.decoders import signature_validator
from app.core.scanning.wedge import WedgeReader, WedgeScan, candidates, resolve
from app.core.tokens import VoucherClaims, sign


def type_keys(
    reader: WedgeReader, keys: str, *, start: float = 100.0, gap: float = 0.005
) -> list[WedgeScan]:
    """Feed keys at a fixed pace; the codes that came out."""
    out = []
    for i, key in enumerate(keys):
        scan = reader.feed(key, start + i * gap)
        if scan is not None:
            out.append(scan)
    return out


def test_a_fast_burst_ending_in_enter_is_one_code(token: str) -> None:
    reader = WedgeReader()
    scans = type_keys(reader, token + "\r", gap=0.004)
    assert len(scans) == 1
    assert scans[0].text == token and scans[0].terminated
    assert scans[0].ended_at > scans[0].started_at
    assert reader.buffered == ""


def test_slow_typing_is_never_a_code() -> None:
    reader = WedgeReader()
    assert type_keys(reader, "PIKA2026VOUCHER\r", gap=0.16) == []
    assert not reader.in_burst


def test_a_burst_is_recognised_while_it_arrives(token: str) -> None:
    reader = WedgeReader()
    type_keys(reader, token[:6], gap=0.005)
    assert reader.in_burst
    fresh = WedgeReader()
    type_keys(fresh, token[:6], gap=0.2)
    assert not fresh.in_burst


def test_a_scanner_without_enter_ends_when_it_goes_quiet(token: str) -> None:
    reader = WedgeReader(idle_timeout_s=0.15)
    assert type_keys(reader, token, start=10.0, gap=0.005) == []
    last = 10.0 + (len(token) - 1) * 0.005
    assert reader.deadline == pytest.approx(last + 0.15)
    assert reader.poll(last + 0.1) is None
    scan = reader.poll(last + 0.2)
    assert scan is not None and scan.text == token and not scan.terminated
    assert reader.poll(last + 1.0) is None  # already delivered


def test_a_missed_timer_is_caught_up_by_the_next_key(token: str) -> None:
    reader = WedgeReader()
    type_keys(reader, token, start=10.0)
    scan = reader.feed("x", 30.0)  # the cashier types later; the timer never ran
    assert scan is not None and scan.text == token
    assert reader.buffered == "x"


def test_fast_pairs_in_human_typing_are_not_codes() -> None:
    reader = WedgeReader()
    out = []
    t = 0.0
    for pair in ["AB", "CD", "EF", "GH", "\r"]:
        for key in pair:
            if (scan := reader.feed(key, t)) is not None:
                out.append(scan)
            t += 0.01  # key rollover: two keys close together
        t += 0.2  # then a person's pause
    assert out == []


def test_backspace_and_a_short_burst_are_not_codes() -> None:
    reader = WedgeReader(min_length=8)
    assert type_keys(reader, "ABCDEFGH\bIJ\r") == []
    assert type_keys(reader, "ABC\r", start=200.0) == []


def test_bad_feed_and_settings_are_refused() -> None:
    reader = WedgeReader()
    with pytest.raises(ValueError):
        reader.feed("AB", 1.0)
    with pytest.raises(ValueError):
        reader.feed("", 1.0)
    with pytest.raises(ValueError):
        WedgeReader(max_gap_s=0)
    with pytest.raises(ValueError):
        WedgeReader(min_length=0)


# --- layouts ---------------------------------------------------------------------------------

US_TO_QWERTZ = str.maketrans("YZ", "ZY")
#: What a US-layout scanner "types" on a French AZERTY keyboard for our upper-case base32.
US_TO_AZERTY = str.maketrans(
    {"2": "é", "3": '"', "4": "'", "5": "(", "6": "-", "7": "è"}
    | {"A": "Q", "Q": "A", "Z": "W", "W": "Z", "M": "?"}
)


def garbled_token(signing_key: Ed25519PrivateKey, table: dict[int, str]) -> tuple[str, str]:
    """A token that the layout actually changes (has the affected characters)."""
    for serial in range(1, 500):
        claims = VoucherClaims(
            key_id=1, business_id=7, offer_id=3, serial=serial, valid_from=0, valid_until=2**31
        )
        text = sign(claims, signing_key)
        garbled = text.translate(table)
        if garbled != text:
            return text, garbled
    raise AssertionError("no token with the affected characters")


def test_qwertz_garbling_has_the_true_token_among_the_candidates(
    signing_key: Ed25519PrivateKey,
) -> None:
    token, garbled = garbled_token(signing_key, US_TO_QWERTZ)
    options = candidates(garbled)
    assert options[0] == garbled
    assert token in options
    check = signature_validator({1: signing_key.public_key()})
    assert resolve(garbled, check) == token


def test_azerty_garbling_has_the_true_token_among_the_candidates(
    signing_key: Ed25519PrivateKey,
) -> None:
    token, garbled = garbled_token(signing_key, US_TO_AZERTY)
    assert any(ch in garbled for ch in "é\"'(-è")
    options = candidates(garbled)
    assert options[0] == garbled and token in options
    check = signature_validator({1: signing_key.public_key()})
    assert resolve(garbled, check) == token


def test_caps_lock_lower_case_is_repaired(signing_key: Ed25519PrivateKey, token: str) -> None:
    check = signature_validator({1: signing_key.public_key()})
    resolved = resolve(token.lower(), check)
    assert resolved is not None and resolved.upper() == token
    assert token in candidates(token.lower())


def test_a_scan_no_layout_explains_resolves_to_nothing(signing_key: Ed25519PrivateKey) -> None:
    check = signature_validator({1: signing_key.public_key()})
    assert resolve("HELLO WORLD", check) is None

    def broken(text: str) -> bool:
        raise RuntimeError("checker bug")

    assert resolve("ANYTHING", broken) is None


def test_candidates_are_unique_and_keep_the_original_first() -> None:
    assert candidates("BCDEFG") == ["BCDEFG"]
    assert candidates("AZ2") == ["AZ2", "AY2", "QW2"]
    assert candidates("é\"'(-è") == ["é\"'(-è", "É\"'(-È", "234567"]
