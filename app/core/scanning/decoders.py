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

import threading
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

import cv2
import numpy as np
import zxingcpp
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from app.core.scanning.errors import FrameError
from app.core.scanning.regions import Box, StillPatches, texture_regions
from app.core.scanning.soft_decode import SymbolGrid, grid_of, soft_read
from pika_protocol.tokens import TokenError, verify

Point = tuple[int, int]
Quad = tuple[Point, Point, Point, Point]

#: Says whether a decoded text is real (e.g. "verifies as a signed voucher"). Returning False
#: marks a misread: the chain goes on with its slower decoders instead of returning it.
Validator = Callable[[str], bool]

QR_FORMATS = zxingcpp.BarcodeFormats(
    [zxingcpp.BarcodeFormat.QRCodeModel1, zxingcpp.BarcodeFormat.QRCodeModel2]
)

#: Rescue work runs on a crop around the unread symbol; below this side it is upscaled first,
#: because blurred webcam codes are often only two or three pixels per module.
_SMALL_SIDE = 320
#: Margin around an unread symbol's corners, as a share of its size (corners found on a damaged
#: symbol are approximate).
_CROP_MARGIN = 0.35
#: A symbol seen at an angle is also warped flat into a square of this side (pixels), with a
#: quiet zone of this share of the side around it.
_RECTIFY_SIDE = 360
_RECTIFY_MARGIN = 0.08
#: At most this many distinct unread symbols per frame get the rescue work (bounds the cost
#: of a frame full of look-alike patterns).
_MAX_RESCUE_SYMBOLS = 3


@dataclass(frozen=True, slots=True)
class DecodedCode:
    """One QR payload read from a frame.

    ``text`` is the payload exactly as encoded (zxing-cpp's plain text mode: ECI and the
    character-set guess applied, no escaping of control characters); ``raw`` the bytes it came
    from; ``decoder`` which pass read it (for the stats and for tuning); ``position`` the
    symbol's corners in frame pixels when the decoder reports them. ``validated`` is False only
    for a read the validator refused and no other decoder could replace: it is still returned
    (a forged voucher is fraud evidence, not noise) and the kiosk's own validation names it.
    """

    text: str
    raw: bytes
    decoder: str
    position: Quad | None = None
    validated: bool = True


class DecodeStats:
    """Thread-safe counters of what the chain did: the UI shows them, a test reads them.

    ``errors`` counts decoder exceptions by decoder name; ``events`` counts frames, reads,
    unread symbols, validator rejections and how often the slow stages ran.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._events: Counter[str] = Counter()
        self._errors: Counter[str] = Counter()
        self._last_error = ""

    def count(self, event: str, n: int = 1) -> None:
        with self._lock:
            self._events[event] += n

    def error(self, decoder: str, exc: BaseException) -> None:
        with self._lock:
            self._errors[decoder] += 1
            self._last_error = f"{decoder}: {type(exc).__name__}: {exc}"[:300]

    @property
    def errors(self) -> dict[str, int]:
        with self._lock:
            return dict(self._errors)

    @property
    def events(self) -> dict[str, int]:
        with self._lock:
            return dict(self._events)

    @property
    def error_total(self) -> int:
        with self._lock:
            return sum(self._errors.values())

    @property
    def last_error(self) -> str:
        with self._lock:
            return self._last_error


class SecondDecoder(Protocol):
    """A slower decoder from another library, run only on a crop that holds an unread symbol."""

    name: str

    def __call__(self, image: np.ndarray) -> list[DecodedCode]: ...


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


def signature_validator(public_keys: Mapping[int, Ed25519PublicKey]) -> Validator:
    """The kiosk's validator: a text is real when it verifies as a signed voucher.

    QR error correction makes misreads rare but not impossible; a misread never verifies, so
    the chain goes on to its next decoder instead of showing the cashier a "forged" voucher.
    """
    keys = dict(public_keys)

    def is_signed_voucher(text: str) -> bool:
        try:
            verify(text, keys)
        except TokenError:
            return False
        return True

    return is_signed_voucher


# --- zxing-cpp passes ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ZxingPass:
    """One zxing-cpp call on one prepared version of the image."""

    name: str
    prepare: Callable[[np.ndarray], np.ndarray]
    binarizer: zxingcpp.Binarizer = zxingcpp.Binarizer.LocalAverage
    downscale: bool = True  # let zxing-cpp also try smaller copies (large frames)
    invert: bool = True  # also look for light-on-dark codes (phone screens)


def _same(gray: np.ndarray) -> np.ndarray:
    return gray


def _median(gray: np.ndarray) -> np.ndarray:
    # Removes print texture and sensor noise (photo-filled or dotted modules) before a global
    # threshold; a 3x3 median keeps module edges.
    return cv2.medianBlur(gray, 3)


def _clahe(gray: np.ndarray) -> np.ndarray:
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
    ZxingPass("zxing", _same),
    ZxingPass("zxing-median", _median, zxingcpp.Binarizer.GlobalHistogram),
)

#: Run on a crop around a symbol the first passes saw but could not read, cheapest first, at
#: the crop's own (possibly upscaled) resolution. Chosen on synthetic counter shots
#: (``python -m pika_bench.counter_set``) and the shared photo set: each of these reads codes
#: the others miss; Otsu, adaptive threshold and morphological closing were tried and never
#: read one the others did not (adaptive thresholding also cost ~1.7 ms a crop).
RESCUE_PASSES: tuple[ZxingPass, ...] = (
    ZxingPass("zxing-fixed", _same, zxingcpp.Binarizer.FixedThreshold, downscale=False),
    ZxingPass("zxing-global", _same, zxingcpp.Binarizer.GlobalHistogram, downscale=False),
    ZxingPass("zxing-median-local", _median, downscale=False),
    ZxingPass("zxing-sharpen", _sharpen, downscale=False),
    ZxingPass("zxing-clahe", _clahe, downscale=False),
)


#: Run on each unread symbol warped flat (:meth:`_Region.rectified`): strong perspective and
#: small, blurred codes that the crop passes miss.
RECTIFIED_PASSES: tuple[ZxingPass, ...] = (
    ZxingPass("zxing-rectified", _same, downscale=False),
    ZxingPass("zxing-rectified-sharpen", _sharpen, downscale=False),
    ZxingPass("zxing-rectified-fixed", _same, zxingcpp.Binarizer.FixedThreshold, downscale=False),
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
    contrasted = _clahe(gray)
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
_REGION_MARGIN = 0.15
#: A patch is never enlarged more than this: a code in it had at least ~2 px a module to be
#: found at all, and 8 px a module is plenty for zxing-cpp.
_MAX_UPSCALE = 4.0


def _quad(position: zxingcpp.Position) -> Quad:
    corners = (position.top_left, position.top_right, position.bottom_right, position.bottom_left)
    a, b, c, d = ((int(p.x), int(p.y)) for p in corners)
    return (a, b, c, d)


def _read_zxing(
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


# --- other libraries ----------------------------------------------------------------------


class PyzbarDecoder:
    """ZBar (through pyzbar), restricted to QR: a different finder that reads some codes
    zxing-cpp's detector misses. Its text is the UTF-8 ZBar produces; a payload that is not
    valid UTF-8 is dropped rather than guessed."""

    name = "pyzbar"

    def __call__(self, image: np.ndarray) -> list[DecodedCode]:
        from pyzbar import pyzbar  # loads libzbar; kept out of import time

        out = []
        for symbol in pyzbar.decode(image, symbols=[pyzbar.ZBarSymbol.QRCODE]):
            try:
                text = symbol.data.decode("utf-8")
            except UnicodeDecodeError:
                continue
            points = [(int(p.x), int(p.y)) for p in symbol.polygon]
            quad = (points[0], points[1], points[2], points[3]) if len(points) == 4 else None
            out.append(DecodedCode(text, bytes(symbol.data), self.name, quad))
        return out


class OpenCVDecoder:
    """OpenCV's ArUco-based QR detector: the last resort, a third detector and decoder.

    OpenCV returns text without the raw bytes, so only ASCII payloads are trusted from it (a
    non-ASCII payload could come back in the wrong character set); vouchers are ASCII.
    """

    name = "opencv"

    def __init__(self) -> None:
        self._detector = cv2.QRCodeDetectorAruco()

    def __call__(self, image: np.ndarray) -> list[DecodedCode]:
        ok, texts, points, _ = self._detector.detectAndDecodeMulti(image)
        if not ok:
            return []
        out = []
        for i, text in enumerate(texts):
            if not text or not text.isascii():
                continue
            quad = None
            if points is not None and len(points) > i:
                corners = [(int(x), int(y)) for x, y in points[i]]
                quad = (corners[0], corners[1], corners[2], corners[3])
            out.append(DecodedCode(text, text.encode("ascii"), self.name, quad))
        return out


# --- the chain ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Region:
    """A crop or a rectified view of the gray frame, and the homography back to the frame."""

    image: np.ndarray
    back: np.ndarray  # 3x3: region pixel -> frame pixel

    @classmethod
    def crop(cls, image: np.ndarray, x0: int, y0: int, scale: float) -> _Region:
        back = np.array([[1 / scale, 0, x0], [0, 1 / scale, y0], [0, 0, 1]], dtype=np.float64)
        return cls(image, back)

    @classmethod
    def rectified(cls, gray: np.ndarray, quad: Quad, side: int) -> _Region:
        """The symbol seen at ``quad`` warped flat into a ``side`` pixel square with a quiet
        zone: undoes the perspective of a voucher held at an angle."""
        corners = np.array(quad, dtype=np.float32)
        if cv2.contourArea(corners) < 64 or not cv2.isContourConvex(corners):
            raise ValueError(f"corners {quad} do not outline a symbol")
        margin = side * _RECTIFY_MARGIN
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
        whole = _Region.crop(gray, 0, 0, 1.0)
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
        for quad in _distinct(attempt.unread)[:_MAX_RESCUE_SYMBOLS]:
            try:
                flat = _Region.rectified(gray, quad, _RECTIFY_SIDE)
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
        for box in _boxes(gray, attempt.unread)[:_MAX_RESCUE_SYMBOLS]:
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
            region = _Region.crop(image, x0, y0, scale)
            # At a chosen scale, for printed (dark-on-light) vouchers: no smaller copies and no
            # inverted pass, which would double the cost of every look at a false patch.
            zx_pass = ZxingPass(region_pass.name, _same, downscale=False, invert=False)
            found = self._run_zxing(zx_pass, region, attempt)
            if found:
                return found
        return []

    def _run_zxing(
        self, zx_pass: ZxingPass, region: _Region, attempt: _Attempt
    ) -> list[DecodedCode]:
        try:
            barcodes = _read_zxing(
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
                    barcode.text, bytes(barcode.bytes), zx_pass.name, _quad(barcode.position)
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
        self, decoder: SecondDecoder, region: _Region, attempt: _Attempt
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
    def _crops(gray: np.ndarray, unread: list[Quad | None]) -> list[tuple[_Region, _Region]]:
        """Crops around each unread symbol (the whole frame when a position is unknown): one
        upscaled when small so the rescue passes see enough pixels per module, and one as is."""
        crops = []
        for x0, y0, x1, y1 in _boxes(gray, unread, _CROP_MARGIN)[:_MAX_RESCUE_SYMBOLS]:
            native = _Region.crop(np.ascontiguousarray(gray[y0:y1, x0:x1]), x0, y0, 1.0)
            rescue = native
            if max(native.image.shape[:2]) < _SMALL_SIDE:
                bigger = cv2.resize(native.image, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)
                rescue = _Region.crop(bigger, x0, y0, 2.0)
            crops.append((rescue, native))
        return crops


def _boxes(gray: np.ndarray, unread: list[Quad | None], margin_share: float = 0.0) -> list[Box]:
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


def _distinct(quads: list[Quad | None]) -> list[Quad]:
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
