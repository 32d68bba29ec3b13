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


class StillPatches:
    """Patches the chain already looked at in vain, so a camera that keeps seeing the same
    print (a menu, a poster, the counter's own labels) does not pay for it on every frame.

    A patch counts as the same when its box nearly coincides with a remembered one and it
    looks the same: a small thumbnail within a few gray levels and the same sharpness (a
    voucher coming into focus on the same spot is a new patch). Each memory lasts
    ``keep_frames`` frames, so even a still patch is looked at again now and then.
    """

    def __init__(self, *, keep_frames: int = 30, limit: int = 8) -> None:
        self.keep_frames = keep_frames
        self.limit = limit
        self._frame = 0
        self._patches: list[tuple[int, Box, np.ndarray, float]] = []

    def next_frame(self) -> None:
        self._frame += 1
        self._patches = [p for p in self._patches if self._frame - p[0] < self.keep_frames]

    def unchanged(self, gray: np.ndarray, box: Box) -> bool:
        """Whether ``box`` shows a patch remembered as read in vain."""
        thumb, sharpness = _signature(gray, box)
        for _, other, other_thumb, other_sharpness in self._patches:
            if (
                _overlap(box, other) >= _SAME_BOX
                and float(np.abs(thumb - other_thumb).mean()) <= _SAME_LEVELS
                and abs(sharpness - other_sharpness) <= _SAME_SHARPNESS * max(other_sharpness, 1.0)
            ):
                return True
        return False

    def remember(self, gray: np.ndarray, box: Box) -> None:
        thumb, sharpness = _signature(gray, box)
        self._patches = [*self._patches[-(self.limit - 1) :], (self._frame, box, thumb, sharpness)]


#: A remembered patch matches when the boxes overlap this much (intersection over union)...
_SAME_BOX = 0.8
#: ...its 24x24 thumbnail differs by at most this many gray levels on average (camera noise
#: averages out at that size)...
_SAME_LEVELS = 4.0
#: ...and its sharpness (mean absolute Laplacian) by at most this share.
_SAME_SHARPNESS = 0.15


def _signature(gray: np.ndarray, box: Box) -> tuple[np.ndarray, float]:
    x0, y0, x1, y1 = box
    crop = gray[y0:y1, x0:x1]
    thumb = cv2.resize(crop, (24, 24), interpolation=cv2.INTER_AREA).astype(np.float32)
    sharpness = float(np.abs(cv2.Laplacian(crop, cv2.CV_16S)).mean())
    return thumb, sharpness


def _overlap(a: Box, b: Box) -> float:
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    if width <= 0 or height <= 0:
        return 0.0
    inter = width * height
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union
