"""The zxing-cpp passes the decoder chain runs: which image clean-up, which binarizer, in
which order, and the one call into zxing-cpp they all share.

The pass lists are tuning data (chosen on the shared photo sets, see each list's comment);
:mod:`app.core.scanning.decoders` decides when each list runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np
import zxingcpp

from app.core.scanning.decoded import Quad

QR_FORMATS = zxingcpp.BarcodeFormats(
    [zxingcpp.BarcodeFormat.QRCodeModel1, zxingcpp.BarcodeFormat.QRCodeModel2]
)


@dataclass(frozen=True, slots=True)
class ZxingPass:
    """One zxing-cpp call on one prepared version of the image."""

    name: str
    prepare: Callable[[np.ndarray], np.ndarray]
    binarizer: zxingcpp.Binarizer = zxingcpp.Binarizer.LocalAverage
    downscale: bool = True  # let zxing-cpp also try smaller copies (large frames)
    invert: bool = True  # also look for light-on-dark codes (phone screens)


def same(gray: np.ndarray) -> np.ndarray:
    return gray


def _median(gray: np.ndarray) -> np.ndarray:
    # Removes print texture and sensor noise (photo-filled or dotted modules) before a global
    # threshold; a 3x3 median keeps module edges.
    return cv2.medianBlur(gray, 3)


def clahe(gray: np.ndarray) -> np.ndarray:
    # Local contrast for dim light and shadows across the voucher.
    return cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8)).apply(gray)


def _sharpen(gray: np.ndarray) -> np.ndarray:
    # Unsharp mask for slightly out-of-focus webcams.
    blurred = cv2.GaussianBlur(gray, (0, 0), 2.0)
    return cv2.addWeighted(gray, 1.8, blurred, -0.8, 0)


#: Run on every frame. LocalAverage copes with uneven light, its try_invert covers light-on-dark
#: codes (phone screens); the median + GlobalHistogram pass reads textured and photo-filled
#: codes the local threshold breaks into noise. Together about 2 ms on a 1280x720 frame.
FIRST_PASSES: tuple[ZxingPass, ...] = (
    ZxingPass("zxing", same),
    ZxingPass("zxing-median", _median, zxingcpp.Binarizer.GlobalHistogram),
)

#: Run on a crop around a symbol the first passes saw but could not read, cheapest first, at
#: the crop's own (possibly upscaled) resolution. Chosen on synthetic counter shots
#: (``python -m pika_bench.counter_set``) and the shared photo set: each of these reads codes
#: the others miss; Otsu, adaptive threshold and morphological closing were tried and never
#: read one the others did not (adaptive thresholding also cost ~1.7 ms a crop).
RESCUE_PASSES: tuple[ZxingPass, ...] = (
    ZxingPass("zxing-fixed", same, zxingcpp.Binarizer.FixedThreshold, downscale=False),
    ZxingPass("zxing-global", same, zxingcpp.Binarizer.GlobalHistogram, downscale=False),
    ZxingPass("zxing-median-local", _median, downscale=False),
    ZxingPass("zxing-sharpen", _sharpen, downscale=False),
    ZxingPass("zxing-clahe", clahe, downscale=False),
)


#: Run on each unread symbol warped flat (:meth:`.frame_views.FrameView.rectified`): strong
#: perspective and small, blurred codes that the crop passes miss.
RECTIFIED_PASSES: tuple[ZxingPass, ...] = (
    ZxingPass("zxing-rectified", same, downscale=False),
    ZxingPass("zxing-rectified-sharpen", _sharpen, downscale=False),
    ZxingPass("zxing-rectified-fixed", same, zxingcpp.Binarizer.FixedThreshold, downscale=False),
)


@dataclass(frozen=True, slots=True)
class RegionPass:
    """One zxing-cpp call on a place that may hold a symbol (an unread symbol, or a patch of
    fine texture where zxing-cpp saw nothing: :mod:`app.core.scanning.regions`).

    The crop is cleaned up at its own resolution (so a small patch costs little), then scaled
    so its longer side is ``side``: small codes get enough pixels per module, big
    ones lose noise. ``prepare`` gets the crop and that scale, to size its filters in the
    pixels of the scaled crop.
    """

    name: str
    prepare: Callable[[np.ndarray, float], np.ndarray]
    side: int = 480


def _as_is(gray: np.ndarray, scale: float) -> np.ndarray:
    return gray


def _clahe_sharpen(gray: np.ndarray, scale: float) -> np.ndarray:
    # Local contrast first (dim, glared or colour-cast paper), then a strong unsharp mask of
    # ~3 px at the scaled size (defocus and motion smear finder patterns into blobs).
    sigma = max(0.5, 3.0 / scale)
    contrasted = clahe(gray)
    blurred = cv2.GaussianBlur(contrasted, (0, 0), sigma)
    return cv2.addWeighted(contrasted, 2.5, blurred, -1.5, 0)


def _median_clahe_sharpen(gray: np.ndarray, scale: float) -> np.ndarray:
    # The same after a 3x3 median: JPEG blocks and sensor noise would be sharpened too.
    return _clahe_sharpen(cv2.medianBlur(gray, 3), scale)


#: Chosen on voucher_photos/set-b (``pika-bench scan-set``; each one reads codes the others
#: miss), cheapest first: the plain pass reads codes that were only too small or too big for the
#: finder; contrast and sharpening read blurred, dim and glared ones. The size a code needs
#: is not known, so the sharpened pass runs at two more scales.
REGION_PASSES: tuple[RegionPass, ...] = (
    RegionPass("zxing-region", _as_is),
    RegionPass("zxing-region-clahe-sharpen", _clahe_sharpen),
    RegionPass("zxing-region-median-clahe-sharpen", _median_clahe_sharpen),
    RegionPass("zxing-region-clahe-sharpen-640", _clahe_sharpen, side=640),
    RegionPass("zxing-region-clahe-sharpen-360", _clahe_sharpen, side=360),
)


def quad_of(position: zxingcpp.Position) -> Quad:
    corners = (position.top_left, position.top_right, position.bottom_right, position.bottom_left)
    a, b, c, d = ((int(p.x), int(p.y)) for p in corners)
    return (a, b, c, d)


def read_zxing(
    image: np.ndarray,
    binarizer: zxingcpp.Binarizer,
    *,
    downscale: bool = True,
    invert: bool = True,
) -> list[zxingcpp.Barcode]:
    return zxingcpp.read_barcodes(
        image,
        formats=QR_FORMATS,
        try_rotate=True,
        try_downscale=downscale,
        try_invert=invert,
        text_mode=zxingcpp.TextMode.Plain,
        binarizer=binarizer,
        return_errors=True,
    )
