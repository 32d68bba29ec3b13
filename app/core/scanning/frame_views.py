"""Where the chain looks again: crops and rectified views of a frame that map what they read
back to frame pixels, and the boxes around symbols seen but not read."""

from __future__ import annotations

from dataclasses import dataclass, replace

import cv2
import numpy as np

from app.core.scanning.decoded import DecodedCode, Quad
from app.core.scanning.regions import Box
from app.core.scanning.soft_decode import SymbolGrid

#: A symbol seen at an angle is warped flat with a quiet zone of this share of the side.
RECTIFY_MARGIN = 0.08


@dataclass(frozen=True, slots=True)
class FrameView:
    """A crop or a rectified view of the gray frame, and the homography back to the frame."""

    image: np.ndarray
    back: np.ndarray  # 3x3: region pixel -> frame pixel

    @classmethod
    def crop(cls, image: np.ndarray, x0: int, y0: int, scale: float) -> FrameView:
        back = np.array([[1 / scale, 0, x0], [0, 1 / scale, y0], [0, 0, 1]], dtype=np.float64)
        return cls(image, back)

    @classmethod
    def rectified(cls, gray: np.ndarray, quad: Quad, side: int) -> FrameView:
        """The symbol seen at ``quad`` warped flat into a ``side`` pixel square with a quiet
        zone: undoes the perspective of a voucher held at an angle."""
        corners = np.array(quad, dtype=np.float32)
        if cv2.contourArea(corners) < 64 or not cv2.isContourConvex(corners):
            raise ValueError(f"corners {quad} do not outline a symbol")
        margin = side * RECTIFY_MARGIN
        square = np.array(
            [
                [margin, margin],
                [side - margin, margin],
                [side - margin, side - margin],
                [margin, side - margin],
            ],
            dtype=np.float32,
        )
        forward = cv2.getPerspectiveTransform(corners, square)
        image = cv2.warpPerspective(
            gray, forward, (side, side), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE
        )
        return cls(image, np.linalg.inv(forward))

    def grid_to_frame(self, grid: SymbolGrid) -> SymbolGrid:
        points = np.array([grid.corners], dtype=np.float64)
        mapped = cv2.perspectiveTransform(points, self.back)[0]
        return replace(grid, corners=tuple((float(x), float(y)) for x, y in mapped))

    def to_frame(self, code: DecodedCode) -> DecodedCode:
        if code.position is None:
            return code
        points = np.array([code.position], dtype=np.float64)
        mapped = cv2.perspectiveTransform(points, self.back)[0]
        if not np.isfinite(mapped).all():
            return replace(code, position=None)
        a, b, c, d = ((round(float(x)), round(float(y))) for x, y in mapped)
        return replace(code, position=(a, b, c, d))


def boxes_around(
    gray: np.ndarray, unread: list[Quad | None], margin_share: float = 0.0
) -> list[Box]:
    """Boxes around unread symbols plus a margin (the whole frame where a position is
    unknown), without boxes that lie inside another."""
    height, width = gray.shape[:2]
    boxes: list[Box] = []
    for quad in unread:
        if quad is None:
            box = (0, 0, width, height)
        else:
            xs = [p[0] for p in quad]
            ys = [p[1] for p in quad]
            margin = int(margin_share * max(max(xs) - min(xs), max(ys) - min(ys), 16))
            box = (
                max(0, min(xs) - margin),
                max(0, min(ys) - margin),
                min(width, max(xs) + margin),
                min(height, max(ys) + margin),
            )
        if box[2] - box[0] < 16 or box[3] - box[1] < 16:
            continue
        if any(_inside(box, other) for other in boxes):
            continue
        boxes = [b for b in boxes if not _inside(b, box)]
        boxes.append(box)
    return boxes


def distinct_quads(quads: list[Quad | None]) -> list[Quad]:
    """Known positions, without the repeats several passes report for one symbol."""
    out: list[Quad] = []
    for quad in quads:
        if quad is None:
            continue
        cx = sum(p[0] for p in quad) / 4
        cy = sum(p[1] for p in quad) / 4
        size = max(abs(quad[0][0] - quad[2][0]), abs(quad[0][1] - quad[2][1]), 8)
        if size < 16:
            continue  # too small to hold a readable symbol
        if any(
            abs(cx - sum(p[0] for p in q) / 4) < 0.2 * size
            and abs(cy - sum(p[1] for p in q) / 4) < 0.2 * size
            for q in out
        ):
            continue
        out.append(quad)
    return out


def _inside(inner: tuple[int, int, int, int], outer: tuple[int, int, int, int]) -> bool:
    left, top, right, bottom = inner
    return outer[0] <= left and outer[1] <= top and right <= outer[2] and bottom <= outer[3]
