"""Where a QR symbol may be when zxing-cpp's finder saw none: patches of dense, fine texture.

zxing-cpp finds a symbol by its three finder patterns; a small, blurred, dim or steeply tilted
voucher smears them, so the detector reports nothing although the code is plainly there. A
printed code is still a compact patch full of dark/light edges a few pixels apart, which a
morphological gradient on a small copy of the frame shows at a fraction of a millisecond.
Those patches are only *proposals*: the decoder chain crops them, cleans them up and lets
zxing-cpp decide, and the voucher signature decides after that.

The filters are about shape, not about any one data set: a patch must be large enough to hold
a 21-module symbol at about two pixels a module, roughly square (a code under strong
perspective is at most a few times longer than wide; a line of print is much longer), and
mostly filled (a ring of edges around a flat area is a frame or a shape outline).
"""

from __future__ import annotations

import cv2
import numpy as np

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in frame pixels

#: The frame is halved (cv2.pyrDown) until it is at most this wide before looking for texture.
WORK_WIDTH = 400
#: Smallest side of a proposal, in frame pixels (a version 1 symbol at ~2 px a module).
MIN_SIDE_PX = 80
#: A proposal's rotated bounding box may be at most this much longer than wide...
MAX_ASPECT = 2.5
#: ...and at least this share of it must be texture.
MIN_FILL = 0.45

#: Weakest edge (gray levels across 3 px) that counts as print, whatever Otsu says: without it a
#: smooth gradient or a flat wall would be split into "texture" by its own noise.
MIN_EDGE = 12

_KERNEL_3 = np.ones((3, 3), np.uint8)
_KERNEL_5 = np.ones((5, 5), np.uint8)


def texture_regions(gray: np.ndarray, *, limit: int = 3) -> list[Box]:
    """Up to ``limit`` boxes around compact patches of fine texture, largest first."""
    small = gray
    scale = 1
    while small.shape[1] > WORK_WIDTH and min(small.shape[:2]) >= 2 * MIN_SIDE_PX:
        small = cv2.pyrDown(small)
        scale *= 2
    edges = cv2.morphologyEx(small, cv2.MORPH_GRADIENT, _KERNEL_3)
    # Otsu splits edge strength into "texture" and "flat" for this frame's own contrast, so a
    # dim or washed-out frame still shows its code.
    level, mask = cv2.threshold(edges, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    if level < MIN_EDGE:
        _, mask = cv2.threshold(edges, MIN_EDGE, 255, cv2.THRESH_BINARY)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, _KERNEL_5)  # modules into one patch
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, _KERNEL_5)  # drop thin lines and specks
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    found: list[tuple[float, Box]] = []
    min_side = MIN_SIDE_PX / scale
    for contour in contours:
        _, (width, height), _ = cv2.minAreaRect(contour)
        short, long = min(width, height), max(width, height)
        if short < min_side or long > MAX_ASPECT * short:
            continue
        area = cv2.contourArea(contour)
        if area < MIN_FILL * width * height:
            continue
        x, y, w, h = cv2.boundingRect(contour)
        found.append((area, (x * scale, y * scale, (x + w) * scale, (y + h) * scale)))
    found.sort(key=lambda item: -item[0])
    return [box for _, box in found[:limit]]
