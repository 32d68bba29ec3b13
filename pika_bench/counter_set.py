"""Make a labelled set of synthetic counter shots: ``python -m pika_bench.counter_set OUT``.

The shared photo set is mostly clean phone shots; the counter is harder (cheap webcam,
printed voucher held at an angle, out of focus, dim or shadowed, a thumb over a corner,
JPEG-compressed video). This writes such shots of real signed voucher tokens, in the layout
``pika-bench scan`` reads (``NAME.jpg`` + ``NAME.txt``, some empty frames with an empty
label), so the decoder chain can be tuned for the counter and not only for the shared folder.
Each image gets one to three troubles at random; ``--seed`` makes the set reproducible.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.core.scanning.demo import camera_look, textured_background, voucher_card
from pika_protocol.tokens import VoucherClaims, sign

Trouble = Callable[[np.ndarray, np.random.Generator, np.ndarray], np.ndarray]


def _tilt(card: np.ndarray, rng: np.random.Generator, mask: np.ndarray) -> np.ndarray:
    return card  # tilt is applied by the placement; listed so it is drawn as often as others


def _defocus(frame: np.ndarray, rng: np.random.Generator, mask: np.ndarray) -> np.ndarray:
    return cv2.GaussianBlur(frame, (0, 0), float(rng.uniform(0.9, 1.7)))


def _motion(frame: np.ndarray, rng: np.random.Generator, mask: np.ndarray) -> np.ndarray:
    length = int(rng.integers(3, 8))
    line = np.zeros((length, length), np.float32)
    line[length // 2, :] = 1.0 / length
    angle = float(rng.uniform(0, 180))
    rot = cv2.getRotationMatrix2D((length / 2 - 0.5, length / 2 - 0.5), angle, 1.0)
    kernel: np.ndarray = cv2.warpAffine(line, rot, (length, length))
    kernel = kernel / max(float(kernel.sum()), 1e-6)
    return cv2.filter2D(frame, -1, kernel)


def _dim(frame: np.ndarray, rng: np.random.Generator, mask: np.ndarray) -> np.ndarray:
    gain = float(rng.uniform(0.25, 0.45))
    return np.clip(frame.astype(np.float32) * gain + rng.normal(0, 3, frame.shape), 0, 255).astype(
        np.uint8
    )


def _shadow(frame: np.ndarray, rng: np.random.Generator, mask: np.ndarray) -> np.ndarray:
    h, w = frame.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    angle = float(rng.uniform(0, 2 * np.pi))
    ramp = (np.cos(angle) * xx + np.sin(angle) * yy) / max(h, w)
    ramp = (ramp - ramp.min()) / max(float(np.ptp(ramp)), 1e-6)
    light = 0.3 + 0.9 * ramp
    return np.clip(frame.astype(np.float32) * light[:, :, None], 0, 255).astype(np.uint8)


def _glare(frame: np.ndarray, rng: np.random.Generator, mask: np.ndarray) -> np.ndarray:
    ys, xs = np.nonzero(mask)
    cy, cx = int(rng.choice(ys)), int(rng.choice(xs))
    h, w = frame.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    radius = float(rng.uniform(25, 60))
    spot = np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * radius**2)) * 170
    return np.clip(frame.astype(np.float32) + spot[:, :, None], 0, 255).astype(np.uint8)


def _thumb(frame: np.ndarray, rng: np.random.Generator, mask: np.ndarray) -> np.ndarray:
    ys, xs = np.nonzero(mask)
    top, bottom, left, right = ys.min(), ys.max(), xs.min(), xs.max()
    side = int(rng.integers(0, 4))
    size = max(bottom - top, right - left)
    centre_along = float(rng.uniform(0.2, 0.8))
    if side == 0:
        centre = (int(left + centre_along * (right - left)), int(bottom + 0.02 * size))
    elif side == 1:
        centre = (int(left + centre_along * (right - left)), int(top - 0.02 * size))
    elif side == 2:
        centre = (int(left - 0.02 * size), int(top + centre_along * (bottom - top)))
    else:
        centre = (int(right + 0.02 * size), int(top + centre_along * (bottom - top)))
    axes = (int(size * 0.09), int(size * 0.15))
    out = frame.copy()
    skin = tuple(int(c) for c in rng.integers((90, 120, 170), (140, 170, 230)))
    cv2.ellipse(out, centre, axes, float(rng.uniform(0, 180)), 0, 360, skin, -1)
    return out


def _small(frame: np.ndarray, rng: np.random.Generator, mask: np.ndarray) -> np.ndarray:
    # The voucher further away: fewer pixels per module, then back up as a 640x480 webcam.
    h, w = frame.shape[:2]
    factor = float(rng.uniform(0.45, 0.6))
    small = cv2.resize(frame, (int(w * factor), int(h * factor)), interpolation=cv2.INTER_AREA)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)


def _crumple(frame: np.ndarray, rng: np.random.Generator, mask: np.ndarray) -> np.ndarray:
    h, w = frame.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    amp = float(rng.uniform(1.0, 2.5))
    period = float(rng.uniform(90, 160))
    map_x = xx + amp * np.sin(yy / period * 2 * np.pi)
    map_y = yy + amp * np.cos(xx / period * 2 * np.pi)
    return cv2.remap(frame, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)


TROUBLES: dict[str, Trouble] = {
    "tilt": _tilt,
    "defocus": _defocus,
    "motion": _motion,
    "dim": _dim,
    "shadow": _shadow,
    "glare": _glare,
    "thumb": _thumb,
    "crumple": _crumple,
    "small": _small,
}


def counter_shot(
    token: str, rng: np.random.Generator, troubles: list[str]
) -> tuple[np.ndarray, list[str]]:
    """One 640x480 webcam shot of a printed voucher with the given troubles."""
    size = (640, 480)
    background = textured_background(size, rng)
    card = voucher_card(token, module_px=4)
    ch, cw = card.shape[:2]
    scale = min(float(rng.uniform(0.9, 1.3)), 0.85 * min(size[0] / cw, size[1] / ch))
    w, h = cw * scale, ch * scale
    x = float(rng.uniform(10, max(11, size[0] - w - 10)))
    y = float(rng.uniform(10, max(11, size[1] - h - 10)))
    tilt = 0.22 if "tilt" in troubles else 0.06
    jitter = tilt * max(w, h)
    target = np.array([[x, y], [x + w, y], [x + w, y + h], [x, y + h]], np.float32)
    target += rng.uniform(-jitter, jitter, size=(4, 2)).astype(np.float32)
    matrix = cv2.getPerspectiveTransform(
        np.array([[0, 0], [cw, 0], [cw, ch], [0, ch]], np.float32), target
    )
    warped = cv2.warpPerspective(card, matrix, size, flags=cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(np.full((ch, cw), 255, np.uint8), matrix, size)
    alpha = (mask.astype(np.float32) / 255.0)[:, :, None]
    frame = (background * (1 - alpha) + warped * alpha).astype(np.uint8)
    for name in troubles:
        frame = TROUBLES[name](frame, rng, mask)
    frame = camera_look(frame, rng, blur_sigma=0.6, noise_sd=float(rng.uniform(2, 6)))
    quality = int(rng.integers(55, 85))
    ok, jpeg = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, quality])
    shot = cv2.imdecode(jpeg, cv2.IMREAD_COLOR) if ok else None
    if shot is None:
        raise RuntimeError("JPEG round trip failed")
    return shot, troubles


def write_counter_set(out: Path, count: int, *, seed: int = 0, empty_share: float = 0.1) -> int:
    """Write ``count`` shots into ``out`` (created); returns how many hold a voucher."""
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    key = Ed25519PrivateKey.from_private_bytes(bytes(rng.integers(0, 256, 32, dtype=np.uint8)))
    names = list(TROUBLES)
    with_code = 0
    for i in range(count):
        if rng.random() < empty_share:
            frame = camera_look(textured_background((640, 480), rng), rng)
            payload, label = "", "empty"
        else:
            claims = VoucherClaims(
                key_id=1,
                business_id=int(rng.integers(1, 10**6)),
                offer_id=int(rng.integers(1, 10**6)),
                serial=int(rng.integers(1, 2**62)),
                valid_from=1_700_000_000,
                valid_until=1_900_000_000,
            )
            payload = sign(claims, key)
            picked = list(rng.choice(names, size=int(rng.integers(1, 4)), replace=False))
            frame, _ = counter_shot(payload, rng, picked)
            label = "-".join(picked)
            with_code += 1
        name = f"{i:04d}-{label}"
        if not cv2.imwrite(str(out / f"{name}.jpg"), frame):
            raise OSError(f"cannot write into {out}")
        (out / f"{name}.txt").write_bytes(payload.encode("ascii"))
    return with_code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pika_bench.counter_set", description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    written = write_counter_set(args.out, args.count, seed=args.seed)
    print(f"wrote {args.count} shots ({written} with a voucher) to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
