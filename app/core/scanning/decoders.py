"""The decoder chain: one camera frame in, the QR payloads it holds out.

Most frames at the counter hold no code, so the chain is built to be cheap when there is
nothing to find: two fast zxing-cpp passes look at every frame. When they see no symbol at all,
a sub-millisecond look for a compact patch of fine print (:mod:`app.core.scanning.regions`)
decides whether anything more is tried: the largest such patch, if any, is cropped, scaled and
cleaned up for a few more zxing-cpp passes. Everything slower runs only where a symbol was seen
but not read, or read as something the caller's ``validator`` refused (a misread that fails the
voucher signature check): image clean-up variants on a crop, the symbol warped flat,
soft-decision erasure decoding of its Reed-Solomon blocks (:mod:`app.core.scanning.soft_decode`),
then other libraries. A hostile or broken code never stops the loop: every decoder call is
guarded, and its exceptions are counted in :class:`DecodeStats` for the UI to show.

Only QR Model 1 and 2 are searched: our vouchers are QR, and 1D or Micro QR detectors find
false codes in camera noise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import cv2
import numpy as np

from app.core.scanning import zxing_passes
from app.core.scanning.decoded import DecodedCode, DecodeStats, Quad, Validator
from app.core.scanning.errors import FrameError
from app.core.scanning.frame_views import FrameView, boxes_around, distinct_quads
from app.core.scanning.other_decoders import OpenCVDecoder, PyzbarDecoder, SecondDecoder
from app.core.scanning.regions import Box, StillPatches, texture_regions
from app.core.scanning.soft_decode import SymbolGrid, grid_of, soft_read
from app.core.scanning.zxing_passes import (
    FIRST_PASSES,
    QR_FORMATS,
    RECTIFIED_PASSES,
    REGION_PASSES,
    RESCUE_PASSES,
    RegionPass,
    ZxingPass,
    quad_of,
    same,
)

#: Rescue work runs on a crop around the unread symbol; below this side it is upscaled first,
#: because blurred webcam codes are often only two or three pixels per module.
_SMALL_SIDE = 320
#: Margin around an unread symbol's corners, as a share of its size (corners found on a damaged
#: symbol are approximate).
_CROP_MARGIN = 0.35
#: A symbol seen at an angle is also warped flat into a square of this side (pixels), with a
#: quiet zone around it (:data:`~app.core.scanning.frame_views.RECTIFY_MARGIN`).
_RECTIFY_SIDE = 360
#: At most this many distinct unread symbols per frame get the rescue work (bounds the cost
#: of a frame full of look-alike patterns).
_MAX_RESCUE_SYMBOLS = 3
#: Margin around a patch handed to the region passes, as a share of its size.
_REGION_MARGIN = 0.15
#: A patch is never enlarged more than this: a code in it had at least ~2 px a module to be
#: found at all, and 8 px a module is plenty for zxing-cpp.
_MAX_UPSCALE = 4.0


def to_gray(image: np.ndarray) -> np.ndarray:
    """The 8-bit single-channel view every decoder reads; refuses what is not an image."""
    if not isinstance(image, np.ndarray):
        raise FrameError(f"a frame must be a numpy array, got {type(image).__name__}")
    if image.dtype != np.uint8:
        raise FrameError(f"a frame must be 8-bit, got {image.dtype}")
    if image.ndim == 2:
        gray = image
    elif image.ndim == 3 and image.shape[2] == 3:
        gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    elif image.ndim == 3 and image.shape[2] == 4:
        gray = cv2.cvtColor(image, cv2.COLOR_BGRA2GRAY)
    elif image.ndim == 3 and image.shape[2] == 1:
        gray = image[:, :, 0]
    else:
        raise FrameError(f"a frame must be gray, BGR or BGRA, got shape {image.shape}")
    if gray.shape[0] < 8 or gray.shape[1] < 8:
        raise FrameError(f"a frame of {gray.shape[1]}x{gray.shape[0]} pixels is too small")
    return np.ascontiguousarray(gray)


@dataclass(slots=True)
class _Attempt:
    """What one ``decode`` call has met so far, kept out of the chain's own state."""

    unread: list[Quad | None] = field(default_factory=list)
    grids: list[SymbolGrid] = field(default_factory=list)  # unread symbols with known format
    refused: list[DecodedCode] = field(default_factory=list)


class DecoderChain:
    """Cheap passes on every frame, slow ones only where a symbol was seen and not read.

    ``decode(frame)`` returns the payloads of the first stage that read something the
    validator accepts (an empty list for a frame without a readable code). When every stage
    only read texts the validator refused, those come back marked ``validated=False``. It
    never raises for frame content; only a frame that is not an image raises
    :class:`FrameError`. Use one chain per thread (the OpenCV detector it holds is not
    thread-safe); :class:`DecodeStats` may be shared and read from any thread.
    """

    def __init__(
        self,
        *,
        validator: Validator | None = None,
        stats: DecodeStats | None = None,
        first_passes: Sequence[ZxingPass] = FIRST_PASSES,
        rescue_passes: Sequence[ZxingPass] = RESCUE_PASSES,
        rectified_passes: Sequence[ZxingPass] = RECTIFIED_PASSES,
        region_passes: Sequence[RegionPass] = REGION_PASSES,
        max_texture_regions: int = 1,
        second_decoders: Sequence[SecondDecoder] | None = None,
    ) -> None:
        self.validator = validator
        self.stats = stats if stats is not None else DecodeStats()
        self.first_passes = tuple(first_passes)
        self.rescue_passes = tuple(rescue_passes)
        self.rectified_passes = tuple(rectified_passes)
        self.region_passes = tuple(region_passes)
        self.max_texture_regions = max_texture_regions
        self._still = StillPatches()
        self.second_decoders: tuple[SecondDecoder, ...] = (
            tuple(second_decoders)
            if second_decoders is not None
            else (PyzbarDecoder(), OpenCVDecoder())
        )

    def decode(self, image: np.ndarray) -> list[DecodedCode]:
        gray = to_gray(image)
        self.stats.count("frames")
        attempt = _Attempt()
        found = self._decode(gray, attempt)
        if not found:
            found = [replace(code, validated=False) for code in attempt.refused]
        unique: dict[str, DecodedCode] = {}
        for code in found:
            unique.setdefault(code.text, code)
        if unique:
            self.stats.count("reads" if found[0].validated else "refused_reads", len(unique))
        return list(unique.values())

    def _decode(self, gray: np.ndarray, attempt: _Attempt) -> list[DecodedCode]:
        whole = FrameView.crop(gray, 0, 0, 1.0)
        for zx_pass in self.first_passes:
            found = self._run_zxing(zx_pass, whole, attempt)
            if found:
                return found
        if not attempt.unread:
            found = self._search_texture(gray, attempt)
            if found or not attempt.unread:
                return found
        self.stats.count("rescues")
        crops = self._crops(gray, attempt.unread)
        for region, _ in crops:
            for zx_pass in self.rescue_passes:
                found = self._run_zxing(zx_pass, region, attempt)
                if found:
                    return found
        for quad in distinct_quads(attempt.unread)[:_MAX_RESCUE_SYMBOLS]:
            try:
                flat = FrameView.rectified(gray, quad, _RECTIFY_SIDE)
            except (cv2.error, np.linalg.LinAlgError, ValueError) as exc:
                self.stats.error("rectify", exc)  # corners of a false or broken detection
                continue
            for zx_pass in self.rectified_passes:
                found = self._run_zxing(zx_pass, flat, attempt)
                if found:
                    return found
        found = self._soft_decode(gray, attempt)
        if found:
            return found
        for box in boxes_around(gray, attempt.unread)[:_MAX_RESCUE_SYMBOLS]:
            found = self._run_region_passes(gray, box, attempt)
            if found:
                return found
        self.stats.count("second_decoder_runs")
        for _, region in crops:  # other libraries get native pixels: upscaling costs them 4x
            for decoder in self.second_decoders:
                found = self._run_other(decoder, region, attempt)
                if found:
                    return found
        return []

    # -- stages --

    def _search_texture(self, gray: np.ndarray, attempt: _Attempt) -> list[DecodedCode]:
        """Where the first passes saw no symbol at all: region passes on patches of fine
        texture (:func:`~app.core.scanning.regions.texture_regions`). A symbol they see but
        cannot read lands in ``attempt.unread`` and gets the full rescue; a patch that gave
        nothing is not looked at again while it stays the same (:class:`StillPatches`)."""
        self._still.next_frame()
        for box in texture_regions(gray, limit=self.max_texture_regions):
            if self._still.unchanged(gray, box):
                self.stats.count("texture_unchanged")
                continue
            self.stats.count("texture_searches")
            seen = len(attempt.unread)
            found = self._run_region_passes(gray, box, attempt)
            if found:
                return found
            if len(attempt.unread) == seen:
                self._still.remember(gray, box)
        return []

    def _soft_decode(self, gray: np.ndarray, attempt: _Attempt) -> list[DecodedCode]:
        """Symbols whose format was read but whose data failed Reed-Solomon: read again with
        the least sure codewords as erasures (:mod:`app.core.scanning.soft_decode`)."""
        for grid in dict.fromkeys(attempt.grids):  # each report once; others differ a little
            try:
                payloads = soft_read(gray, grid, QR_FORMATS)
            except Exception as exc:  # same rule as every decoder: count it, go on
                self.stats.error("zxing-soft", exc)
                continue
            corners = tuple((round(x), round(y)) for x, y in grid.corners)
            quad: Quad = (corners[0], corners[1], corners[2], corners[3])
            found = [
                code
                for code in (DecodedCode(t, raw, "zxing-soft", quad) for t, raw in payloads)
                if self._accept(code, attempt)
            ]
            if found:
                return found
        return []

    def _run_region_passes(
        self, gray: np.ndarray, box: Box, attempt: _Attempt
    ) -> list[DecodedCode]:
        height, width = gray.shape[:2]
        x0, y0, x1, y1 = box
        margin = int(_REGION_MARGIN * max(x1 - x0, y1 - y0))
        x0, y0 = max(0, x0 - margin), max(0, y0 - margin)
        x1, y1 = min(width, x1 + margin), min(height, y1 + margin)
        crop = gray[y0:y1, x0:x1]
        done: set[tuple[object, float]] = set()
        for region_pass in self.region_passes:
            scale = min(region_pass.side / max(crop.shape[:2]), _MAX_UPSCALE)
            if (region_pass.prepare, round(scale, 2)) in done:
                continue  # a small patch capped to the same scale: the same look again
            done.add((region_pass.prepare, round(scale, 2)))
            interpolation = cv2.INTER_CUBIC if scale > 1 else cv2.INTER_AREA
            try:
                image = cv2.resize(
                    region_pass.prepare(crop, scale),
                    None,
                    fx=scale,
                    fy=scale,
                    interpolation=interpolation,
                )
            except cv2.error as exc:  # e.g. a crop too thin to scale
                self.stats.error(region_pass.name, exc)
                continue
            region = FrameView.crop(image, x0, y0, scale)
            # At a chosen scale, for printed (dark-on-light) vouchers: no smaller copies and no
            # inverted pass, which would double the cost of every look at a false patch.
            zx_pass = ZxingPass(region_pass.name, same, downscale=False, invert=False)
            found = self._run_zxing(zx_pass, region, attempt)
            if found:
                return found
        return []

    def _run_zxing(
        self, zx_pass: ZxingPass, region: FrameView, attempt: _Attempt
    ) -> list[DecodedCode]:
        try:
            barcodes = zxing_passes.read_zxing(
                zx_pass.prepare(region.image),
                zx_pass.binarizer,
                downscale=zx_pass.downscale,
                invert=zx_pass.invert,
            )
        except Exception as exc:  # a hostile symbol must never stop the scan loop
            self.stats.error(zx_pass.name, exc)
            attempt.unread.append(None)  # it met something it could not handle: try the others
            return []
        found = []
        for barcode in barcodes:
            code = region.to_frame(
                DecodedCode(
                    barcode.text, bytes(barcode.bytes), zx_pass.name, quad_of(barcode.position)
                )
            )
            if not barcode.valid:
                attempt.unread.append(code.position)
                grid = grid_of(barcode)
                if grid is not None and len(attempt.grids) < _MAX_RESCUE_SYMBOLS:
                    attempt.grids.append(region.grid_to_frame(grid))
            elif self._accept(code, attempt):
                found.append(code)
            else:
                attempt.unread.append(code.position)
        return found

    def _run_other(
        self, decoder: SecondDecoder, region: FrameView, attempt: _Attempt
    ) -> list[DecodedCode]:
        try:
            codes = decoder(region.image)
        except Exception as exc:  # same rule as zxing-cpp: count it, go on
            self.stats.error(decoder.name, exc)
            return []
        return [c for c in map(region.to_frame, codes) if self._accept(c, attempt)]

    def _accept(self, code: DecodedCode, attempt: _Attempt) -> bool:
        if self.validator is None:
            return True
        try:
            ok = bool(self.validator(code.text))
        except Exception as exc:  # a validator bug must not kill the camera either
            self.stats.error("validator", exc)
            ok = False
        if not ok:
            self.stats.count("rejected")
            attempt.refused.append(code)
        return ok

    @staticmethod
    def _crops(gray: np.ndarray, unread: list[Quad | None]) -> list[tuple[FrameView, FrameView]]:
        """Crops around each unread symbol (the whole frame when a position is unknown): one
        upscaled when small so the rescue passes see enough pixels per module, and one as is."""
        crops = []
        for x0, y0, x1, y1 in boxes_around(gray, unread, _CROP_MARGIN)[:_MAX_RESCUE_SYMBOLS]:
            native = FrameView.crop(np.ascontiguousarray(gray[y0:y1, x0:x1]), x0, y0, 1.0)
            rescue = native
            if max(native.image.shape[:2]) < _SMALL_SIDE:
                bigger = cv2.resize(native.image, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)
                rescue = FrameView.crop(bigger, x0, y0, 2.0)
            crops.append((rescue, native))
        return crops
