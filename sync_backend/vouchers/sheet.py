"""The printable sheet of a book: A4 pages of voucher QR codes with their short codes.

Rendered with qrcode + Pillow into a multi-page PDF. Each cell shows the QR (error correction
M, as the token format is sized for), the short code for typing by hand, the offer and the
serial, so a printer's proof can be checked against the database.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import qrcode
from PIL import Image, ImageDraw, ImageFont
from qrcode.constants import ERROR_CORRECT_M

DPI = 150
PAGE_W, PAGE_H = int(8.27 * DPI), int(11.69 * DPI)  # A4
COLUMNS, ROWS = 3, 4
MARGIN = int(0.4 * DPI)


@dataclass(frozen=True, slots=True)
class SheetVoucher:
    token: str
    short_code: str
    serial: int
    caption: str


def qr_image(text: str, box_size: int = 4) -> Image.Image:
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=4)
    qr.add_data(text, optimize=0)
    qr.make(fit=True)
    return qr.make_image(fill_color="black", back_color="white").get_image().convert("L")


def render_pdf(vouchers: Sequence[SheetVoucher]) -> bytes:
    if not vouchers:
        raise ValueError("a sheet needs at least one voucher")
    per_page = COLUMNS * ROWS
    cell_w = (PAGE_W - 2 * MARGIN) // COLUMNS
    cell_h = (PAGE_H - 2 * MARGIN) // ROWS
    font = ImageFont.load_default(size=22)
    small = ImageFont.load_default(size=16)
    pages: list[Image.Image] = []
    for start in range(0, len(vouchers), per_page):
        page = Image.new("L", (PAGE_W, PAGE_H), 255)
        draw = ImageDraw.Draw(page)
        for i, voucher in enumerate(vouchers[start : start + per_page]):
            x = MARGIN + (i % COLUMNS) * cell_w
            y = MARGIN + (i // COLUMNS) * cell_h
            draw.rectangle((x + 4, y + 4, x + cell_w - 4, y + cell_h - 4), outline=180)
            code = qr_image(voucher.token)
            side = min(cell_w - 40, cell_h - 110)
            code = code.resize((side, side), Image.Resampling.NEAREST)
            page.paste(code, (x + (cell_w - side) // 2, y + 12))
            text_y = y + 16 + side
            draw.text((x + cell_w // 2, text_y), voucher.short_code, fill=0, font=font, anchor="ma")
            draw.text(
                (x + cell_w // 2, text_y + 32),
                f"{voucher.caption[:40]} · #{voucher.serial}",
                fill=0,
                font=small,
                anchor="ma",
            )
        pages.append(page)
    out = io.BytesIO()
    pages[0].save(out, "PDF", resolution=DPI, save_all=True, append_images=pages[1:])
    return out.getvalue()
