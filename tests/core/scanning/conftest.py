"""Fixtures for the scan pipeline tests: real signed voucher tokens and frames made from them."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.core.scanning.demo import place_card, qr_image, textured_background, voucher_card
from pika_protocol.tokens import VoucherClaims, sign


@pytest.fixture(scope="session")
def signing_key() -> Ed25519PrivateKey:
    # A fixed key: Ed25519 signatures are deterministic, so every run sees the same QR.
    return Ed25519PrivateKey.from_private_bytes(bytes(range(32)))


@pytest.fixture(scope="session")
def token(signing_key: Ed25519PrivateKey) -> str:
    claims = VoucherClaims(
        key_id=1, business_id=7, offer_id=3, serial=42, valid_from=0, valid_until=2**32 - 1
    )
    return sign(claims, signing_key)


def padded_qr(payload: str, *, module_px: int = 4) -> np.ndarray:
    """A gray QR on a white page, bigger than the symbol (no decoder sees a 'pure' code)."""
    qr = qr_image(payload, module_px=module_px)
    page = np.full((qr.shape[0] + 80, qr.shape[1] + 80), 255, np.uint8)
    page[40 : 40 + qr.shape[0], 40 : 40 + qr.shape[1]] = qr
    return page


def voucher_frame(payload: str, *, seed: int = 1, size: tuple[int, int] = (960, 540)) -> np.ndarray:
    """A camera-like BGR frame holding one printed voucher."""
    rng = np.random.default_rng(seed)
    return place_card(textured_background(size, rng), voucher_card(payload), rng)


def empty_frame(*, seed: int = 2, size: tuple[int, int] = (960, 540)) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return cv2.GaussianBlur(textured_background(size, rng), (0, 0), 0.8)
