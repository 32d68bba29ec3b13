"""Synthetic camera footage: printed vouchers held up to a webcam, for tests, demo and benchmarks.

No real webcam is attached in CI or on a developer's laptop, so the scan pipeline is exercised
with footage made here: each payload becomes a QR on a paper card, tilted in perspective,
pasted on a textured counter background, slightly blurred and noisy, shown for a while with
empty frames between vouchers. The same frames can be written as a video file (read back
through :func:`app.core.scanning.capture.open_video`) or as an image folder.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import qrcode
import qrcode.constants

from app.core.scanning.errors import ScanError

#: Codecs this OpenCV build both writes and reads back (checked: MJPG in .avi, mp4v in .mp4;
#: H.264 needs an encoder the wheels do not ship).
_FOURCC_BY_SUFFIX = {".avi": "MJPG", ".mp4": "mp4v"}


@dataclass(frozen=True, slots=True)
class DemoSegment:
    """Frames ``first..last`` (inclusive) show ``payload``."""

    payload: str
    first: int
    last: int


def qr_image(payload: str, *, module_px: int = 5, border: int = 4) -> np.ndarray:
    """A clean gray QR at error correction M (what the printer makes for a voucher)."""
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=module_px, border=border
    )
    code.add_data(payload)
    code.make(fit=True)
    return np.array(code.make_image().convert("L"), dtype=np.uint8)


def textured_background(size: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """A counter-top-like BGR background: smooth colour blotches, grain and some print."""
    width, height = size
    blotches = rng.integers(40, 220, size=(9, 16, 3), dtype=np.uint8)
    image = cv2.resize(blotches, (width, height), interpolation=cv2.INTER_CUBIC)
    grain = rng.normal(0, 10, size=image.shape)
    image = np.clip(image.astype(np.float32) + grain, 0, 255).astype(np.uint8)
    for _ in range(12):
        origin = (int(rng.integers(0, max(1, width - 200))), int(rng.integers(20, max(21, height))))
        colour = tuple(int(c) for c in rng.integers(0, 255, size=3))
        cv2.putText(image, "PIKA 150.000", origin, cv2.FONT_HERSHEY_SIMPLEX, 1.2, colour, 2)
    return image


def voucher_card(payload: str, *, module_px: int = 5) -> np.ndarray:
    """A BGR paper card: the QR with a white margin and a printed caption under it."""
    qr = qr_image(payload, module_px=module_px)
    side = qr.shape[0]
    card = np.full((side + 60, side + 40), 245, dtype=np.uint8)
    card[20 : 20 + side, 20 : 20 + side] = qr
    cv2.putText(card, "Pika voucher", (24, side + 48), cv2.FONT_HERSHEY_SIMPLEX, 0.7, 40, 2)
    return cv2.cvtColor(card, cv2.COLOR_GRAY2BGR)


def place_card(
    background: np.ndarray,
    card: np.ndarray,
    rng: np.random.Generator,
    *,
    tilt: float = 0.08,
    blur_sigma: float = 0.8,
    noise_sd: float = 4.0,
    shade: float = 0.9,
) -> np.ndarray:
    """Warp ``card`` onto ``background`` in mild perspective, then blur, dim and add noise."""
    height, width = background.shape[:2]
    ch, cw = card.shape[:2]
    # a small frame gets a smaller card: the voucher is further from the camera
    scale = min(float(rng.uniform(0.85, 1.15)), 0.8 * min(width / cw, height / ch))
    w, h = cw * scale, ch * scale
    x = float(rng.uniform(0.1 * width, max(0.1 * width + 1, width - w - 0.1 * width)))
    y = float(rng.uniform(0.05 * height, max(0.05 * height + 1, height - h - 0.05 * height)))
    jitter = tilt * max(w, h)
    target = np.array(
        [[x, y], [x + w, y], [x + w, y + h], [x, y + h]], dtype=np.float32
    ) + rng.uniform(-jitter, jitter, size=(4, 2)).astype(np.float32)
    source = np.array([[0, 0], [cw, 0], [cw, ch], [0, ch]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(source, target)
    warped = cv2.warpPerspective(card, matrix, (width, height), flags=cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(
        np.full((ch, cw), 255, np.uint8), matrix, (width, height), flags=cv2.INTER_LINEAR
    )
    alpha = (mask.astype(np.float32) / 255.0)[:, :, None]
    lit = warped.astype(np.float32) * shade
    frame = background.astype(np.float32) * (1 - alpha) + lit * alpha
    return camera_look(frame, rng, blur_sigma=blur_sigma, noise_sd=noise_sd)


def camera_look(
    image: np.ndarray, rng: np.random.Generator, *, blur_sigma: float = 0.8, noise_sd: float = 4.0
) -> np.ndarray:
    """A cheap webcam: a little out of focus, with sensor noise."""
    out: np.ndarray = image.astype(np.float32)
    if blur_sigma > 0:
        out = cv2.GaussianBlur(out, (0, 0), blur_sigma)
    if noise_sd > 0:
        out = out + rng.normal(0, noise_sd, size=out.shape).astype(np.float32)
    return np.clip(out, 0, 255).astype(np.uint8)


def demo_frames(
    payloads: Sequence[str],
    *,
    size: tuple[int, int] = (1280, 720),
    hold_frames: int = 15,
    gap_frames: int = 8,
    seed: int = 0,
) -> Iterator[tuple[np.ndarray, str | None]]:
    """(frame, payload shown or None) for each frame: gap, voucher, gap, voucher, ..., gap.

    A voucher moves a little from frame to frame, as in a hand, so the frames are not copies.
    """
    if hold_frames < 1 or gap_frames < 0:
        raise ScanError("hold_frames must be at least 1 and gap_frames at least 0")
    rng = np.random.default_rng(seed)
    background = textured_background(size, rng)
    for _ in range(gap_frames):
        yield camera_look(background, rng), None
    for payload in payloads:
        card = voucher_card(payload)
        placement = int(rng.integers(0, 2**31))
        for _ in range(hold_frames):
            # the same placement seed with a small per-frame wobble: a hand, not a tripod
            wobble = np.random.default_rng(placement + int(rng.integers(0, 3)))
            yield place_card(background, card, wobble), payload
        for _ in range(gap_frames):
            yield camera_look(background, rng), None


def _timeline(labels: list[str | None]) -> list[DemoSegment]:
    segments: list[DemoSegment] = []
    for index, label in enumerate(labels):
        if label is None:
            continue
        if segments and segments[-1].payload == label and segments[-1].last == index - 1:
            segments[-1] = DemoSegment(label, segments[-1].first, index)
        else:
            segments.append(DemoSegment(label, index, index))
    return segments


def write_demo_video(
    path: str | os.PathLike[str],
    payloads: Sequence[str],
    *,
    fps: float = 15.0,
    size: tuple[int, int] = (1280, 720),
    hold_frames: int = 15,
    gap_frames: int = 8,
    seed: int = 0,
) -> list[DemoSegment]:
    """Write the footage as ``.avi`` (MJPG) or ``.mp4`` (mp4v); returns which frames show what."""
    file = Path(path)
    fourcc = _FOURCC_BY_SUFFIX.get(file.suffix.lower())
    if fourcc is None:
        raise ScanError(f"demo video must end in {sorted(_FOURCC_BY_SUFFIX)}, got {file.name}")
    writer = cv2.VideoWriter(str(file), cv2.VideoWriter.fourcc(*fourcc), fps, size)
    if not writer.isOpened():
        raise ScanError(f"this OpenCV build cannot write {fourcc} to {file}")
    labels: list[str | None] = []
    try:
        for image, label in demo_frames(
            payloads, size=size, hold_frames=hold_frames, gap_frames=gap_frames, seed=seed
        ):
            writer.write(image)
            labels.append(label)
    finally:
        writer.release()
    return _timeline(labels)


def write_demo_folder(
    path: str | os.PathLike[str],
    payloads: Sequence[str],
    *,
    size: tuple[int, int] = (1280, 720),
    hold_frames: int = 3,
    gap_frames: int = 2,
    seed: int = 0,
) -> list[DemoSegment]:
    """Write the footage as numbered PNG files in ``path`` (created if missing)."""
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    labels: list[str | None] = []
    for index, (image, label) in enumerate(
        demo_frames(payloads, size=size, hold_frames=hold_frames, gap_frames=gap_frames, seed=seed)
    ):
        if not cv2.imwrite(str(folder / f"frame-{index:05d}.png"), image):
            raise ScanError(f"cannot write frames to {folder}")
        labels.append(label)
    return _timeline(labels)
