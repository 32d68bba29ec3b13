"""Reading a QR symbol zxing-cpp found but could not correct, by soft-decision erasure decoding.

When zxing-cpp reports a symbol with a checksum error it has already done the hard part: it
found the symbol's corners and read its format (version, error-correction level, mask). What
failed is the Reed-Solomon step, which zxing-cpp runs on hard black/white decisions: a thumb
over part of the code, glare or a blurred patch turns modules into coin tosses, and a coin toss
costs as much correction as a clear error.

Here the symbol is sampled again, keeping how *sure* each module is (how far its gray level
lies from the local threshold). The least sure codewords of each block are handed to the
Reed-Solomon decoder (``reedsolo``) as erasures, which cost half as much as errors, so a block
with ``n`` check codewords corrects ``e`` errors and ``f`` erasures while ``2e + f <= n``. A
reserve of check codewords is never spent, so a block that decodes is very unlikely to be a
wrong one; the kiosk's signature check stands behind that. The corrected codewords are laid out
again as a clean symbol with ``qrcode`` (the library that prints our vouchers) and zxing-cpp
reads that, so the payload is parsed by the same code as every other read.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np
import qrcode
import qrcode.constants
import qrcode.util
import reedsolo
import zxingcpp
from qrcode.base import RSBlock, rs_blocks

#: zxing-cpp's EC level names -> qrcode's format constants.
_EC_LEVELS = {
    "L": qrcode.constants.ERROR_CORRECT_L,
    "M": qrcode.constants.ERROR_CORRECT_M,
    "Q": qrcode.constants.ERROR_CORRECT_Q,
    "H": qrcode.constants.ERROR_CORRECT_H,
}
#: Check codewords per block never spent on corrections: keeps a wrong decode improbable.
RESERVE = 4
#: Local threshold window, in modules (follows glare and shadows across the symbol).
_WINDOW = 7
#: Gaussian smoothing (frame pixels) before sampling: evens out JPEG blocks and sensor noise.
_SMOOTHING = 0.7
#: zxing-cpp extrapolates the bottom-right corner (no finder pattern there), so a curled or
#: folded voucher puts it off by a fraction of a module: these shifts (in modules) are tried.
_CORNER_SHIFTS = ((0.0, 0.0), (-0.5, 0.0), (0.5, 0.0), (0.0, -0.5), (0.0, 0.5))
#: Erasure counts tried per block: none, then the spendable check codewords in this many steps
#: (2: none, half, all). Each try is a pure-Python decode of ~1 ms.
_ERASURE_STEPS = 2


@dataclass(frozen=True, slots=True)
class SymbolGrid:
    """Where an unread symbol lies and its format, as zxing-cpp reported them."""

    corners: tuple[tuple[float, float], ...]  # top-left, top-right, bottom-right, bottom-left
    version: int
    ec_level: str
    mask: int


def grid_of(barcode: zxingcpp.Barcode) -> SymbolGrid | None:
    """The grid of a QR Model 2 symbol zxing-cpp located and read the format of, else None."""
    qr_model_2 = (zxingcpp.BarcodeFormat.QRCode, zxingcpp.BarcodeFormat.QRCodeModel2)
    if getattr(barcode, "format", None) not in qr_model_2:
        return None  # Model 1 has another layout
    extra = getattr(barcode, "extra", None)
    if not isinstance(extra, dict):
        return None
    try:
        version = int(str(extra.get("Version") or 0))
        mask = int(str(extra.get("DataMask")))
    except (TypeError, ValueError):
        return None
    level = extra.get("ECLevel")
    if not 1 <= version <= 40 or not 0 <= mask <= 7 or level not in _EC_LEVELS:
        return None
    p = barcode.position
    corners = tuple(
        (float(c.x), float(c.y)) for c in (p.top_left, p.top_right, p.bottom_right, p.bottom_left)
    )
    outline = np.array(corners, np.float32)
    if cv2.contourArea(outline) < 64 or not cv2.isContourConvex(outline):
        return None  # corners of a false or broken detection
    return SymbolGrid(corners, version, level, mask)


def soft_read(
    gray: np.ndarray, grid: SymbolGrid, formats: zxingcpp.BarcodeFormats
) -> list[tuple[str, bytes]]:
    """The payloads (text, raw bytes) read from the symbol at ``grid``: usually one, or none."""
    side = 17 + 4 * grid.version
    corners = np.array(grid.corners, np.float32)
    module = float(np.linalg.norm(corners[1] - corners[0])) / side
    # Only the symbol and a margin of two modules are smoothed and sampled.
    x0, y0 = np.floor(corners.min(axis=0) - 2 * module).astype(int).clip(0)
    x1, y1 = np.ceil(corners.max(axis=0) + 2 * module).astype(int) + 1
    crop = gray[y0:y1, x0:x1]
    if crop.shape[0] < 8 or crop.shape[1] < 8:
        return []
    smooth = cv2.GaussianBlur(crop.astype(np.float32), (0, 0), _SMOOTHING)
    local = corners - np.array([x0, y0], np.float32)
    for dx, dy in _CORNER_SHIFTS:
        shifted = local.copy()
        shifted[2] += (dx * module, dy * module)
        codewords = _correct(_sample(smooth, shifted, side), grid)
        if codewords is None:
            continue
        found = zxingcpp.read_barcodes(
            _render(grid, codewords), formats=formats, text_mode=zxingcpp.TextMode.Plain
        )
        payloads = [(b.text, bytes(b.bytes)) for b in found if b.valid]
        if payloads:
            return payloads
    return []


def _sample(smooth: np.ndarray, corners: np.ndarray, side: int) -> np.ndarray:
    """The gray level at every module centre, ``side`` x ``side``."""
    module_square = np.array([[0, 0], [side, 0], [side, side], [0, side]], np.float32)
    to_image = cv2.getPerspectiveTransform(module_square, corners)
    cols, rows = np.meshgrid(np.arange(side) + 0.5, np.arange(side) + 0.5)
    centres = np.stack([cols, rows], -1).reshape(-1, 1, 2).astype(np.float32)
    points = cv2.perspectiveTransform(centres, to_image).reshape(side, side, 2)
    return cv2.remap(
        smooth, points[..., 0], points[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )


def _correct(levels: np.ndarray, grid: SymbolGrid) -> list[int] | None:
    """All codewords (interleaved, as in the symbol) after correction, or None."""
    threshold = cv2.blur(levels, (_WINDOW, _WINDOW), borderType=cv2.BORDER_REFLECT)
    low, high = np.percentile(levels, [5, 95])
    sureness = np.abs(levels - threshold) / max(float(high - low), 1.0)
    rows, cols, mask_bits = _data_modules(grid.version, grid.ec_level, grid.mask)
    bits = (levels[rows, cols] < threshold[rows, cols]) ^ mask_bits
    blocks = rs_blocks(grid.version, _EC_LEVELS[grid.ec_level])
    total = sum(block.total_count for block in blocks)
    codewords = np.packbits(bits[: total * 8].astype(np.uint8))
    codeword_sureness = sureness[rows, cols][: total * 8].reshape(-1, 8).min(axis=1)
    corrected = codewords.copy()
    for block, positions in zip(blocks, _block_positions(blocks), strict=True):
        fixed = _correct_block(
            bytearray(codewords[positions].tobytes()),
            codeword_sureness[positions],
            block.total_count - block.data_count,
        )
        if fixed is None:
            return None
        corrected[positions] = np.frombuffer(fixed, np.uint8)
    return [int(c) for c in corrected]


def _correct_block(received: bytearray, sureness: np.ndarray, check: int) -> bytes | None:
    """Reed-Solomon decoding with none, then more and more of the least sure codewords as
    erasures; a result that spends the reserve is refused."""
    codec = _codec(check)
    least_sure = np.argsort(sureness, kind="stable")
    step = max(2, (check - RESERVE) // _ERASURE_STEPS)
    for erasures in range(0, check - RESERVE + 1, step):
        erased = sorted(int(i) for i in least_sure[:erasures])
        try:
            _, full, errata = codec.decode(received, erase_pos=erased or None)
        except reedsolo.ReedSolomonError:
            continue
        errors = len(set(errata) - set(erased))
        if 2 * errors + erasures <= check - RESERVE:
            return bytes(full)
    return None


@lru_cache(maxsize=32)
def _codec(check: int) -> reedsolo.RSCodec:
    """QR's Reed-Solomon code: GF(256) over x^8+x^4+x^3+x^2+1, first root 2^0."""
    return reedsolo.RSCodec(check, nsize=255, fcr=0, prim=0x11D, generator=2, c_exp=8)


def _block_positions(blocks: list[RSBlock]) -> list[np.ndarray]:
    """For each Reed-Solomon block, where its codewords lie in the interleaved sequence."""
    positions: list[list[int]] = [[] for _ in blocks]
    index = 0
    data_counts = [b.data_count for b in blocks]
    check_counts = [b.total_count - b.data_count for b in blocks]
    for counts in (data_counts, check_counts):
        for i in range(max(counts)):
            for j, count in enumerate(counts):
                if i < count:
                    positions[j].append(index)
                    index += 1
    return [np.array(p) for p in positions]


@lru_cache(maxsize=64)
def _data_modules(
    version: int, ec_level: str, mask: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row and column of every data module in reading order, and the mask bit on each.

    The function patterns come from ``qrcode`` (the symbol it would print, before its data is
    placed); the order is the standard two-column zigzag from the bottom-right corner, the
    same walk as ``qrcode``'s own ``map_data``.
    """
    code = qrcode.QRCode(version=version, error_correction=_EC_LEVELS[ec_level], border=0)
    blank: list[list[bool | None]] = []
    code.map_data = lambda data, pattern: blank.extend(row[:] for row in code.modules)
    code.data_cache = []
    code.makeImpl(False, mask)
    side = len(blank)
    order: list[tuple[int, int]] = []
    step, row = -1, side - 1
    for right in range(side - 1, 0, -2):
        col = right - 1 if right <= 6 else right  # the vertical timing pattern is skipped
        while 0 <= row < side:
            order.extend((row, c) for c in (col, col - 1) if blank[row][c] is None)
            row += step
        row -= step
        step = -step
    is_masked = qrcode.util.mask_func(mask)
    rows = np.array([r for r, _ in order])
    cols = np.array([c for _, c in order])
    mask_bits = np.array([bool(is_masked(r, c)) for r, c in order])
    return rows, cols, mask_bits


def _render(grid: SymbolGrid, codewords: list[int]) -> np.ndarray:
    """The corrected symbol drawn clean, 4 px a module with a quiet zone, for zxing-cpp."""
    code = qrcode.QRCode(
        version=grid.version,
        error_correction=_EC_LEVELS[grid.ec_level],
        mask_pattern=grid.mask,
        border=4,
    )
    code.data_cache = codewords
    code.makeImpl(False, grid.mask)
    dark = np.array(code.modules, dtype=bool)
    image = np.where(dark, 0, 255).astype(np.uint8)
    image = np.pad(image, 4, constant_values=255)
    return cv2.resize(image, None, fx=4, fy=4, interpolation=cv2.INTER_NEAREST)
