"""Texture proposals: where a code may be when zxing-cpp's finder saw nothing."""

from __future__ import annotations

import cv2
import numpy as np

from app.core.scanning.decoders import DecoderChain
from app.core.scanning.demo import qr_image
from app.core.scanning.regions import StillPatches, texture_regions


def small_blurred_code(payload: str, *, blur: float = 1.0) -> tuple[np.ndarray, tuple[int, int]]:
    """A 1280x720 frame with a code at 2 px a module, blurred: too soft for the finder."""
    qr = qr_image(payload, module_px=2)
    frame = np.full((720, 1280), 170, np.uint8)
    y, x = 300, 600
    frame[y : y + qr.shape[0], x : x + qr.shape[1]] = np.where(qr < 128, 70, 210)
    frame = cv2.GaussianBlur(frame, (0, 0), blur)
    noise = np.random.default_rng(0).normal(0, 3, frame.shape)
    centre = (x + qr.shape[1] // 2, y + qr.shape[0] // 2)
    return np.clip(frame + noise, 0, 255).astype(np.uint8), centre


def test_a_small_soft_code_is_proposed(token: str) -> None:
    frame, (cx, cy) = small_blurred_code(token)
    boxes = texture_regions(frame)
    assert any(x0 <= cx <= x1 and y0 <= cy <= y1 for x0, y0, x1, y1 in boxes)


def test_flat_frames_and_lines_of_print_are_not_proposed() -> None:
    assert texture_regions(np.full((720, 1280), 128, np.uint8)) == []
    gradient = np.tile(np.linspace(0, 255, 1280, dtype=np.float32), (720, 1)).astype(np.uint8)
    assert texture_regions(gradient) == []
    page = np.full((720, 1280), 230, np.uint8)
    cv2.putText(page, "PIKA 150.000 PIKA 150.000", (40, 360), cv2.FONT_HERSHEY_SIMPLEX, 2, 20, 4)
    assert texture_regions(page) == []


def test_the_chain_reads_a_code_only_a_proposal_found(token: str) -> None:
    frame, _ = small_blurred_code(token)
    codes = DecoderChain().decode(frame)
    assert [c.text for c in codes] == [token]
    assert codes[0].decoder.startswith("zxing-region")
    assert codes[0].position is not None
    xs = [p[0] for p in codes[0].position]
    assert min(xs) >= 590 and max(xs) <= 720  # mapped back to frame pixels


def print_patch_frame(*, shift: int = 0) -> np.ndarray:
    """A frame with a square block of small print: a proposal, but no code in it."""
    frame = np.full((720, 1280), 200, np.uint8)
    for row in range(9):
        cv2.putText(frame, "PIKA 150 PIKA", (500 + shift, 250 + 22 * row), 0, 0.6, 30, 2)
    return frame


def test_a_still_patch_that_held_nothing_is_not_searched_every_frame() -> None:
    chain = DecoderChain()
    frame = print_patch_frame()
    assert texture_regions(frame), (
        "the print block must be a proposal for this test to mean anything"
    )
    for _ in range(5):
        assert chain.decode(frame) == []
    assert chain.stats.events["texture_searches"] == 1
    assert chain.stats.events["texture_unchanged"] == 4
    assert chain.decode(print_patch_frame(shift=40)) == []  # moved: a new patch
    assert chain.stats.events["texture_searches"] == 2


def test_a_still_patch_is_searched_again_after_a_while_and_when_it_sharpens(token: str) -> None:
    memory = StillPatches(keep_frames=3)
    frame, _ = small_blurred_code(token, blur=2.5)
    box = texture_regions(frame)[0]
    memory.next_frame()
    memory.remember(frame, box)
    assert memory.unchanged(frame, box)
    sharper, _ = small_blurred_code(token, blur=1.0)
    assert not memory.unchanged(sharper, box)  # coming into focus on the same spot
    for _ in range(3):
        memory.next_frame()
    assert not memory.unchanged(frame, box)  # forgotten: looked at again now and then
