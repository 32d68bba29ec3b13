"""Soft-decision erasure decoding of symbols zxing-cpp located but could not correct."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import qrcode
import qrcode.constants
import zxingcpp

from app.core.scanning import soft_decode
from app.core.scanning.decoded import signature_validator
from app.core.scanning.decoders import DecoderChain
from app.core.scanning.demo import qr_image
from app.core.scanning.soft_decode import SymbolGrid, grid_of, soft_read
from app.core.scanning.zxing_passes import QR_FORMATS, read_zxing


def thumbed(payload: str, *, cover: float) -> np.ndarray:
    """A printed code with a grey, thumb-like blob over part of its data, slightly blurred."""
    qr = qr_image(payload, module_px=5)
    h, w = qr.shape
    page = np.full((h + 200, w + 200), 235, np.uint8)
    page[100 : 100 + h, 100 : 100 + w] = np.where(qr < 128, 40, 235)
    centre = (100 + int(w * 0.62), 100 + int(h * 0.55))
    cv2.ellipse(page, centre, (int(w * cover), int(h * cover * 1.4)), 30, 0, 360, 140, -1)
    return cv2.GaussianBlur(page, (0, 0), 1.0)


def unread_grids(image: np.ndarray) -> list[SymbolGrid]:
    found = read_zxing(image, zxingcpp.Binarizer.LocalAverage)
    return [g for g in (grid_of(b) for b in found if not b.valid) if g is not None]


@pytest.mark.parametrize(
    ("version", "level", "mask"), [(1, "L", 0), (6, "M", 3), (7, "Q", 5), (10, "H", 7)]
)
def test_data_modules_walk_the_symbol_as_qrcode_places_it(
    version: int, level: str, mask: int
) -> None:
    levels = {
        "L": qrcode.constants.ERROR_CORRECT_L,
        "M": qrcode.constants.ERROR_CORRECT_M,
        "Q": qrcode.constants.ERROR_CORRECT_Q,
        "H": qrcode.constants.ERROR_CORRECT_H,
    }
    code = qrcode.QRCode(version=version, error_correction=levels[level], mask_pattern=mask)
    code.add_data("PIKA-" * version)
    code.make(fit=False)
    rows, cols, mask_bits = soft_decode._data_modules(version, level, mask)
    dark = np.array(code.modules, dtype=bool)[rows, cols] ^ mask_bits
    codewords = np.packbits(dark[: len(code.data_cache) * 8].astype(np.uint8))
    assert codewords.tolist() == code.data_cache


def test_a_code_under_a_thumb_is_read_with_erasures(token: str) -> None:
    image = thumbed(token, cover=0.16)
    assert not any(b.valid for b in read_zxing(image, zxingcpp.Binarizer.LocalAverage))
    grids = unread_grids(image)
    assert grids and grids[0].version == 6 and grids[0].ec_level == "M"
    assert [text for text, _ in soft_read(image, grids[0], QR_FORMATS)] == [token]


def test_the_chain_reads_it_and_the_signature_accepts_it(token: str, signing_key) -> None:  # type: ignore[no-untyped-def]
    chain = DecoderChain(validator=signature_validator({1: signing_key.public_key()}))
    codes = chain.decode(thumbed(token, cover=0.16))
    assert [(c.text, c.decoder, c.validated) for c in codes] == [(token, "zxing-soft", True)]
    assert codes[0].raw == token.encode("ascii") and codes[0].position is not None


def test_too_much_covered_gives_nothing_rather_than_a_guess(token: str) -> None:
    image = thumbed(token, cover=0.24)
    grids = unread_grids(image)
    assert grids
    assert all(soft_read(image, grid, QR_FORMATS) == [] for grid in grids)


def test_noise_where_a_symbol_was_reported_reads_nothing(token: str) -> None:
    image = thumbed(token, cover=0.16)
    grid = unread_grids(image)[0]
    noise = np.random.default_rng(3).integers(0, 256, size=image.shape, dtype=np.uint8)
    assert soft_read(noise, grid, QR_FORMATS) == []


def test_a_detection_without_a_usable_format_or_outline_has_no_grid(token: str) -> None:
    class Corner:
        def __init__(self, x: float, y: float) -> None:
            self.x, self.y = x, y

    class Position:
        top_left, top_right = Corner(0, 0), Corner(50, 0)
        bottom_right, bottom_left = Corner(100, 0), Corner(150, 0)  # all on one line

    class Fake:
        format = zxingcpp.BarcodeFormat.QRCode
        position = Position()

        def __init__(self, extra: dict[str, object]) -> None:
            self.extra = extra

    assert grid_of(Fake({"Version": "6", "ECLevel": "M", "DataMask": 3})) is None  # type: ignore[arg-type]
    Fake.position = None  # type: ignore[assignment]
    assert grid_of(Fake({"Version": "", "ECLevel": "M", "DataMask": 3})) is None  # type: ignore[arg-type]
