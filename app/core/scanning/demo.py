"""Synthetic camera footage: printed vouchers held up to a webcam, for tests, demo and benchmarks.

No real webcam is attached in CI or on a developer's laptop, so the scan pipeline is exercised
with footage made here: each payload becomes a QR on a paper card, tilted in perspective,
pasted on a textured counter background, slightly blurred and noisy, shown for a while with
empty frames between vouchers. The same frames can be written as a video file (read back
through :func:`app.core.scanning.capture.open_video`) or as an image folder.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import qrcode
import qrcode.constants

from app.core.scanning.errors import ScanError

#: Codecs this OpenCV build both writes and reads back (checked: MJPG and XVID in .avi, mp4v in
#: .mp4; H.264 needs an encoder the wheels do not ship). MJPG is the default for .avi: every
#: frame stands alone, the fairest input for decode benchmarks.
_FOURCC_BY_SUFFIX = {".avi": "MJPG", ".mp4": "mp4v"}
#: Codecs that compare frames with the one before (MPEG-4 Part 2), for small files.
_COMPACT_FOURCC_BY_SUFFIX = {".avi": "XVID", ".mp4": "mp4v"}
#: Noisy looks at the empty counter made once and shown in turn: fresh noise for every frame
#: cost more than all the rest of a frame, and no decoder (or viewer) can tell.
EMPTY_LOOKS = 4
#: Frames a hand holds a voucher still before it wobbles: a video codec then sends the frames
#: between as "no change" (a new wobble every frame tripled the size of the demo video).
HAND_STEADY_FRAMES = 3

#: Called with (frames written, frames in all) as a video is written.
Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class DemoVideo:
    """How the demo's stand-in camera footage is made (``pika-kiosk --demo --make-video``):
    a VGA webcam at 10 frames a second, each voucher held up for 1 s with half a second of
    empty counter between, in a codec that compares frames: 8 MB and about 10 s for the 40
    demo vouchers, where 720p MJPG at 15 frames a second took 110 MB and 89 s."""

    size: tuple[int, int] = (640, 480)
    fps: float = 10.0
    hold_frames: int = 10
    gap_frames: int = 5
    compact: bool = True


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
    empty = [camera_look(background, rng) for _ in range(min(gap_frames, EMPTY_LOOKS))]
    shown = 0

    def gap() -> Iterator[tuple[np.ndarray, str | None]]:
        nonlocal shown
        for _ in range(gap_frames):
            yield empty[(shown // HAND_STEADY_FRAMES) % len(empty)], None
            shown += 1

    yield from gap()
    for payload in payloads:
        card = voucher_card(payload)
        placement = int(rng.integers(0, 2**31))
        # The same placement with a small wobble every few frames: a hand, not a tripod. Each
        # of the three wobbles is one and the same image whenever it comes back: made once.
        looks: dict[int, np.ndarray] = {}
        wobble = placement
        for held in range(hold_frames):
            if held % HAND_STEADY_FRAMES == 0:
                wobble = placement + int(rng.integers(0, 3))
            if wobble not in looks:
                looks[wobble] = place_card(background, card, np.random.default_rng(wobble))
            yield looks[wobble], payload
        yield from gap()


def demo_frame_count(payload_count: int, *, hold_frames: int, gap_frames: int) -> int:
    """How many frames :func:`demo_frames` makes for ``payload_count`` vouchers."""
    return gap_frames + payload_count * (hold_frames + gap_frames)


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
    compact: bool = False,
    progress: Progress | None = None,
) -> list[DemoSegment]:
    """Write the footage as ``.avi`` or ``.mp4``; returns which frames show what.

    ``.avi`` is MJPG (every frame stands alone), or XVID with ``compact``; ``.mp4`` is mp4v.
    ``progress`` hears (frames written, frames in all) after every frame.
    """
    file = Path(path)
    codecs = _COMPACT_FOURCC_BY_SUFFIX if compact else _FOURCC_BY_SUFFIX
    fourcc = codecs.get(file.suffix.lower())
    if fourcc is None:
        raise ScanError(f"demo video must end in {sorted(codecs)}, got {file.name}")
    writer = cv2.VideoWriter(str(file), cv2.VideoWriter.fourcc(*fourcc), fps, size)
    if not writer.isOpened():
        raise ScanError(f"this OpenCV build cannot write {fourcc} to {file}")
    total = demo_frame_count(len(payloads), hold_frames=hold_frames, gap_frames=gap_frames)
    labels: list[str | None] = []
    try:
        for image, label in demo_frames(
            payloads, size=size, hold_frames=hold_frames, gap_frames=gap_frames, seed=seed
        ):
            writer.write(image)
            labels.append(label)
            if progress is not None:
                progress(len(labels), total)
    finally:
        writer.release()
    return _timeline(labels)


def write_counter_demo(
    path: str | os.PathLike[str],
    payloads: Sequence[str],
    *,
    video: DemoVideo = DemoVideo(),
    progress: Progress | None = None,
) -> list[DemoSegment]:
    """The demo's stand-in camera footage (see :class:`DemoVideo`)."""
    return write_demo_video(
        path,
        payloads,
        fps=video.fps,
        size=video.size,
        hold_frames=video.hold_frames,
        gap_frames=video.gap_frames,
        compact=video.compact,
        progress=progress,
    )


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
