"""Printable sheets of voucher QRs (PNG pages or one PDF), as a print shop needs them.

Each voucher cell carries the QR (alphanumeric mode, error correction M, a 4-module quiet
zone), the offer in words, the short code for manual entry and the validity. A4 at 150 dpi,
3 × 4 vouchers a page. Used by the demo kiosk and by head office's book printing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import qrcode
import qrcode.constants
import qrcode.util
from PIL import Image, ImageDraw, ImageFont

from app.core.tokens import short_code_for

DPI = 150
PAGE_SIZE = (1240, 1754)  # A4 at 150 dpi
COLUMNS, ROWS = 3, 4
MARGIN = 60
PER_PAGE = COLUMNS * ROWS

_FONT_FILES = ("DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "Arial.ttf")
_MONO_FILES = (
    "DejaVuSansMono-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf",
    "consolab.ttf",
)


@dataclass(frozen=True, slots=True)
class PrintableVoucher:
    token: str
    title: str
    discount: str
    valid_until: datetime

    @property
    def short_code(self) -> str:
        return short_code_for(self.token)


@lru_cache(maxsize=16)
def _font(size: int, mono: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for name in _MONO_FILES if mono else _FONT_FILES:
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


def qr_image(token: str, box_size: int = 6) -> Image.Image:
    """The QR symbol of one token, forced to alphanumeric mode and EC level M."""
    qr = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box_size, border=4
    )
    qr.add_data(qrcode.util.QRData(token, mode=qrcode.util.MODE_ALPHA_NUM))
    qr.make(fit=True)
    image = qr.make_image(fill_color="black", back_color="white").get_image()
    return image.convert("RGB")


def _draw_cell(
    page: Image.Image, voucher: PrintableVoucher, box: tuple[int, int, int, int]
) -> None:
    left, top, right, _bottom = box
    draw = ImageDraw.Draw(page)
    draw.rectangle(box, outline=(170, 170, 170), width=2)
    width = right - left
    code = qr_image(voucher.token)
    size = min(width - 40, 260)
    code = code.resize((size, size), Image.Resampling.NEAREST)
    page.paste(code, (left + (width - size) // 2, top + 14))
    y = top + 14 + size + 4
    for text, font in (
        (voucher.title, _font(22)),
        (voucher.discount, _font(26)),
        (voucher.short_code, _font(30, mono=True)),
        (f"Válido hasta {voucher.valid_until:%d/%m/%Y}", _font(18)),
    ):
        text_width = draw.textlength(text, font=font)
        draw.text((left + (width - text_width) / 2, y), text, font=font, fill="black")
        y += int(font.size * 1.35) if hasattr(font, "size") else 24


def render_pages(vouchers: Sequence[PrintableVoucher]) -> list[Image.Image]:
    """One RGB image per A4 page."""
    pages: list[Image.Image] = []
    cell_w = (PAGE_SIZE[0] - 2 * MARGIN) // COLUMNS
    cell_h = (PAGE_SIZE[1] - 2 * MARGIN) // ROWS
    for start in range(0, len(vouchers), PER_PAGE):
        page = Image.new("RGB", PAGE_SIZE, "white")
        for i, voucher in enumerate(vouchers[start : start + PER_PAGE]):
            col, row = i % COLUMNS, i // COLUMNS
            left = MARGIN + col * cell_w
            top = MARGIN + row * cell_h
            _draw_cell(page, voucher, (left, top, left + cell_w - 10, top + cell_h - 10))
        pages.append(page)
    return pages


def write_sheet(vouchers: Iterable[PrintableVoucher], path: Path) -> list[Path]:
    """Write a ``.pdf`` (all pages in one file) or ``.png`` (one file per page).

    Returns the files written. PNG pages after the first get ``-2``, ``-3``… suffixes.
    """
    pages = render_pages(list(vouchers))
    if not pages:
        raise ValueError("no vouchers to print")
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        pages[0].save(path, "PDF", resolution=DPI, save_all=True, append_images=pages[1:])
        return [path]
    if suffix == ".png":
        written = []
        for number, page in enumerate(pages, start=1):
            target = path if number == 1 else path.with_stem(f"{path.stem}-{number}")
            page.save(target, "PNG", dpi=(DPI, DPI))
            written.append(target)
        return written
    raise ValueError(f"cannot print to {path.name}: use a .pdf or .png file name")
