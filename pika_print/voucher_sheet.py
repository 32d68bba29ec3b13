"""Printable sheets of voucher QRs (one PDF, or PNG pages), as a print shop needs them.

The one renderer for vouchers on paper: the demo kiosk's sheet and head office's books alike.
Each cell carries the QR (alphanumeric mode, error correction M, a 4-module quiet zone), the
offer in words, the short code for manual entry, the validity and, on a book, the serial so a
printer's proof can be checked against the database. A4, 3 × 4 vouchers a page.

The PDF is built with fpdf2: text is vector (sharp at any printer resolution), each QR is a
small 1-bit image at whole pixels per module, and nothing is rasterised per page, so a
2,500-voucher book is a few seconds and under a megabyte (``pika-bench sheet``; it was 28 s
and 10 MB as JPEG page images). PNG pages (Pillow, 300 dpi, 1-bit) follow the same layout, for
machines without a PDF viewer and for tests that read the codes back.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont

from pika_print.pdf_fonts import FONT_FILES, MONO_FILES, embed_fonts, printable
from pika_print.qr_symbol import qr_image
from pika_protocol.tokens import short_code_for

__all__ = ["PER_PAGE", "PrintableVoucher", "qr_image", "render_pages", "render_pdf", "write_sheet"]

# Layout, in millimetres on an A4 page.
PAGE_MM = (210.0, 297.0)
MARGIN_MM = 10.0
COLUMNS, ROWS = 3, 4
PER_PAGE = COLUMNS * ROWS
CELL_MM = ((PAGE_MM[0] - 2 * MARGIN_MM) / COLUMNS, (PAGE_MM[1] - 2 * MARGIN_MM) / ROWS)
GAP_MM = 1.5  # white between neighbouring cells' frames
QR_TOP_MM = 2.5
QR_MM = 38.0  # the symbol with its quiet zone: 0.78 mm a module for a version 6 code
#: Pixels across a PDF symbol: 4 a module for the 49 modules of a version 6 code with its
#: quiet zone (a longer text gets a bigger version and fewer pixels a module, never below 1).
_PDF_SYMBOL_PX = 4 * 49
#: PNG pages: 300 dpi, as print shops ask for.
DPI = 300
PX_PER_MM = DPI / 25.4

@dataclass(frozen=True, slots=True)
class PrintableVoucher:
    token: str
    title: str
    discount: str
    valid_until: datetime
    #: Printed small on head office's books, for checking a proof; None on the demo sheet.
    serial: int | None = None

    @property
    def short_code(self) -> str:
        return short_code_for(self.token)


@dataclass(frozen=True, slots=True)
class _Line:
    text: str
    points: float
    mono: bool = False


def _lines(voucher: PrintableVoucher) -> list[_Line]:
    """The text under the QR, top to bottom."""
    lines = [
        _Line(voucher.title, 11),
        _Line(voucher.discount, 13),
        _Line(voucher.short_code, 15, mono=True),
        _Line(f"Válido hasta {voucher.valid_until:%d/%m/%Y}", 9),
    ]
    if voucher.serial is not None:
        lines.append(_Line(f"N.º {voucher.serial}", 7))
    return lines


def _cell_origin(index: int) -> tuple[float, float]:
    """Top-left corner (mm) of the ``index``-th cell of a page."""
    column, row = index % COLUMNS, index // COLUMNS
    return MARGIN_MM + column * CELL_MM[0], MARGIN_MM + row * CELL_MM[1]


def _symbol(token: str, side_px: int) -> Image.Image:
    """The token's QR (with quiet zone) as a 1-bit image of at most ``side_px`` pixels, whole
    pixels per module so every module prints the same size."""
    modules = qr_image(token, box_size=1).convert("1")
    scale = max(1, side_px // modules.size[0])
    side = modules.size[0] * scale
    return modules.resize((side, side), Image.Resampling.NEAREST)


_MM_PER_POINT = 25.4 / 72


def _line_height_mm(points: float) -> float:
    return points * _MM_PER_POINT * 1.3  # plus leading


# --- PDF --------------------------------------------------------------------------------------


def render_pdf(vouchers: Sequence[PrintableVoucher]) -> bytes:
    """All vouchers as one A4 PDF, in the order given."""
    if not vouchers:
        raise ValueError("no vouchers to print")
    pdf = FPDF(unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_creator("Pika Counter")
    sans, mono = embed_fonts(pdf)
    pdf.set_draw_color(170)
    for index, voucher in enumerate(vouchers):
        if index % PER_PAGE == 0:
            pdf.add_page()
        x, y = _cell_origin(index % PER_PAGE)
        width, height = CELL_MM[0] - GAP_MM, CELL_MM[1] - GAP_MM
        pdf.rect(x, y, width, height)
        # 4 pixels a module, so a viewer that smooths scaled images blurs an edge by a quarter
        # module at most (a printer's RIP scales without smoothing).
        symbol = _symbol(voucher.token, _PDF_SYMBOL_PX)
        pdf.image(symbol, x + (width - QR_MM) / 2, y + QR_TOP_MM, QR_MM, QR_MM)
        top = y + QR_TOP_MM + QR_MM + 1.0
        for line in _lines(voucher):
            family = mono if line.mono else sans
            pdf.set_font(family, "B" if line.mono and family == "Courier" else "", line.points)
            text = printable(line.text, family)
            # text() at a baseline, not cell(): a tenth of the cost, and the line is centred here.
            baseline = top + line.points * _MM_PER_POINT * 0.95
            pdf.text(x + (width - pdf.get_string_width(text)) / 2, baseline, text)
            top += _line_height_mm(line.points)
    return bytes(pdf.output())


# --- PNG --------------------------------------------------------------------------------------


def render_pages(vouchers: Sequence[PrintableVoucher]) -> list[Image.Image]:
    """One 1-bit 300-dpi image per A4 page."""
    page_px = (round(PAGE_MM[0] * PX_PER_MM), round(PAGE_MM[1] * PX_PER_MM))
    pages: list[Image.Image] = []
    for start in range(0, len(vouchers), PER_PAGE):
        page = Image.new("1", page_px, 1)
        for index, voucher in enumerate(vouchers[start : start + PER_PAGE]):
            _draw_cell(page, voucher, _cell_origin(index))
        pages.append(page)
    return pages


def _draw_cell(page: Image.Image, voucher: PrintableVoucher, origin: tuple[float, float]) -> None:
    def px(mm: float) -> int:
        return round(mm * PX_PER_MM)

    x, y = origin
    width = CELL_MM[0] - GAP_MM
    ImageDraw.Draw(page).rectangle(
        (px(x), px(y), px(x + width), px(y + CELL_MM[1] - GAP_MM)), outline=0, width=1
    )
    code = _symbol(voucher.token, px(QR_MM))
    page.paste(code, (px(x + width / 2) - code.size[0] // 2, px(y + QR_TOP_MM)))
    top = y + QR_TOP_MM + QR_MM + 1.0
    for line in _lines(voucher):
        stamp = _text_stamp(line.text, round(line.points / 72 * DPI), line.mono)
        page.paste(stamp, (px(x + width / 2) - stamp.size[0] // 2, px(top)))
        top += _line_height_mm(line.points)


@lru_cache(maxsize=256)
def _text_stamp(text: str, size_px: int, mono: bool) -> Image.Image:
    """One line of black text on white, drawn once: a book repeats its title on every voucher."""
    font = _font(size_px, mono)
    width = max(1, int(ImageDraw.Draw(Image.new("1", (1, 1))).textlength(text, font=font)))
    stamp = Image.new("1", (width, int(size_px * 1.3)), 1)
    ImageDraw.Draw(stamp).text((0, 0), text, font=font, fill=0)
    return stamp


@lru_cache(maxsize=16)
def _font(size: int, mono: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for name in MONO_FILES if mono else FONT_FILES:
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


# --- files ------------------------------------------------------------------------------------


def write_sheet(vouchers: Iterable[PrintableVoucher], path: Path) -> list[Path]:
    """Write a ``.pdf`` (all pages in one file) or ``.png`` (one file per page).

    Returns the files written. PNG pages after the first get ``-2``, ``-3``… suffixes.
    """
    chosen = list(vouchers)
    if not chosen:
        raise ValueError("no vouchers to print")
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        path.write_bytes(render_pdf(chosen))
        return [path]
    if suffix == ".png":
        written = []
        for number, page in enumerate(render_pages(chosen), start=1):
            target = path if number == 1 else path.with_stem(f"{path.stem}-{number}")
            page.save(target, "PNG", dpi=(DPI, DPI))
            written.append(target)
        return written
    raise ValueError(f"cannot print to {path.name}: use a .pdf or .png file name")
