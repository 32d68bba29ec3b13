from __future__ import annotations

import itertools
import math
import random

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.core.scanning.decoded import signature_validator
from app.core.scanning.wedge import KeyClock, WedgeReader, WedgeScan, candidates, resolve
from pika_protocol.tokens import VoucherClaims, sign


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
    with pytest.raises(ValueError):
        WedgeReader(typical_gap_s=0.1, max_gap_s=0.05)


def human_gaps(rng: random.Random, count: int, mean_s: float) -> list[float]:
    """A fast typist's gaps between keys: log-normal around ``mean_s`` (spread 0.35), with
    one key in five pressed before the last was released (15 to 30 ms after it)."""
    sigma = 0.35
    mu = math.log(mean_s) - sigma**2 / 2
    return [
        rng.uniform(0.015, 0.030) if rng.random() < 0.2 else rng.lognormvariate(mu, sigma)
        for _ in range(count)
    ]


@pytest.mark.parametrize("mean_ms", [60, 70, 80])
def test_a_person_typing_60_to_80_ms_a_key_is_never_a_scanner(mean_ms: int) -> None:
    rng = random.Random(mean_ms)
    code = "VZBG-MBPJ-N"
    reader = WedgeReader()
    t = 0.0
    for _ in range(2000):  # two thousand codes typed, each followed by Enter
        keys = code + "\r"
        gaps = [1.0, *human_gaps(rng, len(keys) - 1, mean_ms / 1000)]
        for key, gap in zip(keys, gaps, strict=True):
            t += gap
            assert reader.feed(key, t) is None
            assert reader.take_released() == "" or not reader.in_burst
    assert reader.poll(t + 10) is None


@pytest.mark.parametrize("gap_ms", [1, 2, 5, 10, 20])
def test_scanners_from_2_to_20_ms_a_key_are_scanners(token: str, gap_ms: int) -> None:
    rng = random.Random(gap_ms)
    reader = WedgeReader()
    t, scans = 0.0, []
    for key in token + "\r":
        t += gap_ms / 1000 + rng.uniform(0, 0.002)  # USB polling jitter
        if (scan := reader.feed(key, t)) is not None:
            scans.append(scan)
    assert [s.text for s in scans] == [token]


def test_keys_held_as_a_scan_come_back_when_it_was_typing() -> None:
    reader = WedgeReader()
    # Four keys in a rush (held back as a possible scan), then a person's pace.
    times = [0.0, 0.02, 0.04, 0.06, 0.13, 0.20]
    for key, at in zip("ABCDEF", times, strict=True):
        reader.feed(key, at)
        if at == 0.06:
            assert reader.in_burst  # "D" is held back from the field
    assert not reader.in_burst
    assert reader.take_released() == "D"
    assert reader.take_released() == ""  # given back once


def test_a_fast_start_ended_by_enter_gives_its_keys_back() -> None:
    reader = WedgeReader()
    for key, at in zip("ABCDE\r", [0.0, 0.01, 0.02, 0.03, 0.04, 0.05], strict=True):
        assert reader.feed(key, at) is None  # five keys are too few for a code
    assert reader.take_released() == "DE"


def test_key_clock_keeps_the_gaps_between_presses_when_the_thread_was_busy() -> None:
    clock = KeyClock()
    # Pressed 70 ms apart, handled all at once 0.5 s later by a busy UI thread.
    handled = [clock.at(stamp, now=50.5) for stamp in (10_000, 10_070, 10_140, 10_210)]
    gaps = [round(b - a, 3) for a, b in itertools.pairwise(handled)]
    assert gaps == [0.07, 0.07, 0.07]
    assert clock.at(0, now=77.0) == 77.0  # no timestamp (a program's event): when handled


def test_key_clock_starts_afresh_when_the_window_system_clock_wraps() -> None:
    clock = KeyClock()
    assert clock.at(2**32 - 100, now=1000.0) == pytest.approx(1000.0)
    assert clock.at(2**32 - 30, now=1000.1) == pytest.approx(1000.07)
    after_wrap = clock.at(50, now=1000.15)
    assert after_wrap == pytest.approx(1000.15)
    assert clock.at(120, now=1000.3) - after_wrap == pytest.approx(0.07)


def test_time_going_backwards_ends_a_sequence(token: str) -> None:
    reader = WedgeReader()
    type_keys(reader, token[:10], start=5.0)
    reader.feed("X", 1.0)
    assert reader.buffered == "X"


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
