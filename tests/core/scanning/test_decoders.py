from __future__ import annotations

import cv2
import numpy as np
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.core.scanning import zxing_passes
from app.core.scanning.decoded import DecodedCode, DecodeStats, signature_validator
from app.core.scanning.decoders import DecoderChain, to_gray
from app.core.scanning.errors import FrameError
from app.core.scanning.frame_views import RECTIFY_MARGIN, FrameView
from app.core.scanning.other_decoders import OpenCVDecoder, PyzbarDecoder
from tests.core.scanning.conftest import empty_frame, padded_qr, voucher_frame


class SpyDecoder:
    """A second decoder that records its calls and answers what it is told."""

    def __init__(self, answer: list[DecodedCode] | None = None, *, fails: bool = False) -> None:
        self.name = "spy"
        self.calls = 0
        self.answer = answer or []
        self.fails = fails

    def __call__(self, image: np.ndarray) -> list[DecodedCode]:
        self.calls += 1
        if self.fails:
            raise RuntimeError("decoder blew up on a hostile symbol")
        return list(self.answer)


def texts(codes: list[DecodedCode]) -> list[str]:
    return [c.text for c in codes]


def test_reads_a_voucher_in_a_camera_frame(token: str) -> None:
    codes = DecoderChain().decode(voucher_frame(token))
    assert texts(codes) == [token]
    assert codes[0].raw == token.encode("ascii")
    assert codes[0].position is not None


def test_reads_an_inverted_code(token: str) -> None:
    inverted = 255 - padded_qr(token)
    assert texts(DecoderChain().decode(inverted)) == [token]


@pytest.mark.parametrize(
    "rotation", [cv2.ROTATE_90_CLOCKWISE, cv2.ROTATE_180, cv2.ROTATE_90_COUNTERCLOCKWISE]
)
def test_reads_a_code_held_any_way_up(token: str, rotation: int) -> None:
    frame = cv2.rotate(voucher_frame(token), rotation)
    assert texts(DecoderChain().decode(frame)) == [token]


def test_reads_a_tilted_code(token: str) -> None:
    page = padded_qr(token)
    h, w = page.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), 23, 0.9)
    tilted = cv2.warpAffine(page, matrix, (w, h), borderValue=255)
    assert texts(DecoderChain().decode(tilted)) == [token]


def test_reads_a_low_contrast_code(token: str) -> None:
    page = padded_qr(token).astype(np.float32)
    dim = (110 + page / 255 * 45).astype(np.uint8)  # dark grey on mid grey, 45 levels apart
    assert texts(DecoderChain().decode(dim)) == [token]


@pytest.mark.parametrize(
    "payload",
    ["Ñandú ₲ 150.000 — ¡válido!", "今度のバージョン", "tab\there\x01\x10;;"],
)
def test_non_ascii_and_control_payloads_come_back_exactly(payload: str) -> None:
    codes = DecoderChain().decode(padded_qr(payload))
    assert texts(codes) == [payload]
    assert codes[0].raw == payload.encode("utf-8")


def test_empty_frames_stay_on_the_cheap_path() -> None:
    spy = SpyDecoder()
    chain = DecoderChain(second_decoders=[spy])
    blank = np.full((720, 1280), 200, np.uint8)
    noise = np.random.default_rng(5).integers(0, 256, size=(720, 1280, 3), dtype=np.uint8)
    for frame in (empty_frame(seed=s) for s in range(4)):
        assert chain.decode(frame) == []
    assert chain.decode(blank) == []
    assert chain.decode(noise) == []
    assert spy.calls == 0
    assert "rescues" not in chain.stats.events
    assert chain.stats.events["frames"] == 6


def test_second_decoder_not_called_when_first_reads(token: str) -> None:
    spy = SpyDecoder()
    chain = DecoderChain(second_decoders=[spy])
    assert texts(chain.decode(voucher_frame(token))) == [token]
    assert spy.calls == 0


def test_decoder_exception_is_counted_and_the_next_decoder_runs(
    token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(image: np.ndarray, binarizer: object, **options: object) -> list[object]:
        raise RuntimeError("zxing-cpp crashed on this symbol")

    monkeypatch.setattr(zxing_passes, "read_zxing", explode)
    rescue = SpyDecoder([DecodedCode(token, token.encode(), "spy")])
    chain = DecoderChain(second_decoders=[SpyDecoder(fails=True), rescue])
    codes = chain.decode(voucher_frame(token))
    assert texts(codes) == [token]
    errors = chain.stats.errors
    assert errors["zxing"] >= 1 and errors["zxing-median"] >= 1 and errors["spy"] == 1
    assert "crashed" in chain.stats.last_error or "blew up" in chain.stats.last_error


def test_every_decoder_failing_gives_nothing_and_raises_nothing(
    token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(image: np.ndarray, binarizer: object, **options: object) -> list[object]:
        raise MemoryError("hostile symbol")

    monkeypatch.setattr(zxing_passes, "read_zxing", explode)
    stats = DecodeStats()
    chain = DecoderChain(stats=stats, second_decoders=[SpyDecoder(fails=True)])
    for _ in range(3):
        assert chain.decode(voucher_frame(token)) == []
    # first passes, rescue passes and region passes on the whole frame (position unknown),
    # then the second decoder
    per_frame = 2 + len(zxing_passes.RESCUE_PASSES) + len(zxing_passes.REGION_PASSES) + 1
    assert stats.error_total == 3 * per_frame


def test_validator_rejecting_a_misread_makes_the_chain_try_the_next_decoder(token: str) -> None:
    misread = "NOT-" + token[:40]
    spy = SpyDecoder([DecodedCode(token, token.encode(), "spy")])
    chain = DecoderChain(validator=lambda text: text == token, second_decoders=[spy])
    codes = chain.decode(padded_qr(misread))  # every zxing pass "reads" the misread
    assert texts(codes) == [token]
    assert codes[0].decoder == "spy"
    assert spy.calls == 1
    assert chain.stats.events["rejected"] >= 1


def test_validator_that_raises_counts_as_a_rejection(token: str) -> None:
    def broken(text: str) -> bool:
        raise ValueError("validator bug")

    chain = DecoderChain(validator=broken, second_decoders=[])
    codes = chain.decode(padded_qr(token))
    assert [(c.text, c.validated) for c in codes] == [(token, False)]
    assert chain.stats.errors["validator"] >= 1


def test_positions_are_in_frame_coordinates(token: str) -> None:
    frame = np.full((600, 800), 255, np.uint8)
    page = padded_qr(token)
    frame[100 : 100 + page.shape[0], 300 : 300 + page.shape[1]] = page
    position = DecoderChain().decode(frame)[0].position
    assert position is not None
    xs = [p[0] for p in position]
    ys = [p[1] for p in position]
    assert min(xs) >= 300 and max(xs) <= 300 + page.shape[1]
    assert min(ys) >= 100 and max(ys) <= 100 + page.shape[0]


def test_codes_read_in_an_upscaled_crop_map_back_to_the_frame() -> None:
    region = FrameView.crop(np.zeros((10, 10), np.uint8), x0=300, y0=100, scale=2.0)
    moved = region.to_frame(DecodedCode("x", b"x", "t", ((0, 0), (20, 0), (20, 20), (0, 20))))
    assert moved.position == ((300, 100), (310, 100), (310, 110), (300, 110))


def test_other_libraries_read_a_plain_code(token: str) -> None:
    page = padded_qr(token)
    assert texts(PyzbarDecoder()(page)) == [token]
    assert texts(OpenCVDecoder()(page)) == [token]


@pytest.mark.parametrize(
    "bad",
    [
        [[0, 1], [1, 0]],
        np.zeros((50, 50), np.float32),
        np.zeros((50, 50, 2), np.uint8),
        np.zeros((4, 4), np.uint8),
    ],
    ids=["list", "float", "two-channel", "tiny"],
)
def test_a_frame_that_is_not_an_image_is_a_typed_error(bad: object) -> None:
    with pytest.raises(FrameError):
        DecoderChain().decode(bad)  # type: ignore[arg-type]


def test_gray_conversion_accepts_gray_bgr_and_bgra() -> None:
    assert to_gray(np.zeros((20, 30), np.uint8)).shape == (20, 30)
    assert to_gray(np.zeros((20, 30, 3), np.uint8)).shape == (20, 30)
    assert to_gray(np.zeros((20, 30, 4), np.uint8)).shape == (20, 30)


def test_a_read_nothing_can_replace_comes_back_marked_unvalidated(token: str) -> None:
    forged_looking = "NOT-" + token[:40]
    spy = SpyDecoder()
    chain = DecoderChain(validator=lambda text: False, second_decoders=[spy])
    codes = chain.decode(padded_qr(forged_looking))
    assert texts(codes) == [forged_looking]
    assert codes[0].validated is False
    assert spy.calls == 1  # every stage was tried before settling for the refused read
    assert chain.stats.events["refused_reads"] == 1


def test_signature_validator_accepts_only_signed_vouchers(
    signing_key: Ed25519PrivateKey, token: str
) -> None:
    check = signature_validator({1: signing_key.public_key()})
    assert check(token)
    assert not check(token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1])
    assert not check("https://example.com")
    assert not check("\x00" * 5000)
    chain = DecoderChain(validator=check)
    assert [(c.text, c.validated) for c in chain.decode(voucher_frame(token))] == [(token, True)]


def test_a_rectified_symbol_maps_back_onto_its_quad() -> None:
    gray = np.full((400, 600), 255, np.uint8)
    quad = ((100, 50), (300, 80), (280, 260), (90, 240))
    region = FrameView.rectified(gray, quad, 360)
    m = 360 * RECTIFY_MARGIN
    corners = ((m, m), (360 - m, m), (360 - m, 360 - m), (m, 360 - m))
    square = DecodedCode("x", b"x", "t", tuple((round(x), round(y)) for x, y in corners))  # type: ignore[arg-type]
    moved = region.to_frame(square).position
    assert moved is not None
    for (x, y), (qx, qy) in zip(moved, quad, strict=True):
        assert abs(x - qx) <= 1 and abs(y - qy) <= 1


def test_a_code_at_a_steep_angle_is_read(token: str) -> None:
    page = cv2.cvtColor(padded_qr(token, module_px=3), cv2.COLOR_GRAY2BGR)
    h, w = page.shape[:2]
    target = np.float32(
        [[0.30 * w, 0.05 * h], [0.95 * w, 0.25 * h], [0.9 * w, 0.8 * h], [0.35 * w, 0.95 * h]]
    )
    matrix = cv2.getPerspectiveTransform(np.float32([[0, 0], [w, 0], [w, h], [0, h]]), target)
    frame = cv2.warpPerspective(page, matrix, (w, h), borderValue=(255, 255, 255))
    assert texts(DecoderChain().decode(cv2.GaussianBlur(frame, (0, 0), 0.7))) == [token]


def test_corners_of_a_broken_detection_cannot_break_the_rescue(
    token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = zxing_passes.read_zxing

    class Corner:
        def __init__(self, x: int, y: int) -> None:
            self.x, self.y = x, y

    class Flat:  # all four corners on one line: no perspective can map it to a square
        top_left, top_right = Corner(10, 10), Corner(60, 10)
        bottom_right, bottom_left = Corner(110, 10), Corner(160, 10)

    class Unread:
        valid = False
        text = ""
        bytes = b""
        position = Flat()

    def first_pass_sees_a_flat_symbol(image: np.ndarray, binarizer: object, **o: object) -> list:  # type: ignore[type-arg]
        return [Unread()] if o.get("downscale", True) else real(image, binarizer, **o)  # type: ignore[arg-type]

    monkeypatch.setattr(zxing_passes, "read_zxing", first_pass_sees_a_flat_symbol)
    chain = DecoderChain(second_decoders=[])
    assert chain.decode(np.full((200, 200), 255, np.uint8)) == []
    assert chain.stats.errors["rectify"] == 1
    assert "do not outline a symbol" in chain.stats.last_error
