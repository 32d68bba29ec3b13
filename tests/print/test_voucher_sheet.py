from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pypdfium2
import pytest
import zxingcpp
from PIL import Image

from app.core.demo import make_catalogue
from pika_print.voucher_sheet import PER_PAGE, qr_image, render_pages, render_pdf, write_sheet
from pika_protocol.tokens import TOKEN_LENGTH


@pytest.fixture(scope="module")
def catalogue():
    return make_catalogue()


def test_png_pages_hold_scannable_vouchers(tmp_path, catalogue) -> None:
    vouchers = [v.printable() for v in catalogue.all_vouchers]
    written = write_sheet(vouchers, tmp_path / "sheet.png")
    assert len(written) == -(-len(vouchers) // PER_PAGE)
    opened = Image.open(written[0])
    assert opened.mode == "1"  # 1-bit: crisp modules, small files
    page = np.asarray(opened.convert("L"))
    found = {r.text for r in zxingcpp.read_barcodes(page, formats=zxingcpp.BarcodeFormat.QRCode)}
    expected = {v.token for v in vouchers[:PER_PAGE]}
    assert found == expected


def test_pdf_is_one_file_with_every_page(tmp_path, catalogue) -> None:
    vouchers = [v.printable() for v in catalogue.all_vouchers]
    [pdf] = write_sheet(vouchers, tmp_path / "sheet.pdf")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    assert data.count(b"/Type /Page\n") + data.count(b"/Type /Page ") >= 1


def test_qr_is_alphanumeric_and_small(catalogue) -> None:
    token = catalogue.vouchers[0].token
    image = qr_image(token, box_size=1)
    modules = image.size[0] - 8  # 4-module quiet zone each side
    version = (modules - 17) // 4
    assert version <= 7 and len(token) == TOKEN_LENGTH


def test_unknown_format_and_empty_sheet_are_refused(tmp_path, catalogue) -> None:
    with pytest.raises(ValueError):
        write_sheet([catalogue.vouchers[0].printable()], tmp_path / "sheet.docx")
    with pytest.raises(ValueError):
        write_sheet([], tmp_path / "sheet.pdf")


def test_a_book_page_prints_serials_and_every_code_reads(catalogue) -> None:
    vouchers = [
        replace(v.printable(), serial=1000 + i)
        for i, v in enumerate(catalogue.all_vouchers[:PER_PAGE])
    ]
    [page] = render_pages(vouchers)
    found = zxingcpp.read_barcodes(
        np.asarray(page.convert("L")), formats=zxingcpp.BarcodeFormat.QRCode
    )
    assert sorted(r.text for r in found) == sorted(v.token for v in vouchers)


def test_pdf_has_one_crisp_symbol_a_voucher_and_stays_small(catalogue) -> None:
    vouchers = [v.printable() for v in catalogue.all_vouchers]
    pdf = render_pdf(vouchers)
    assert len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf)) == -(-len(vouchers) // PER_PAGE)
    assert len(re.findall(rb"/Subtype\s*/Image", pdf)) == len(vouchers)
    assert b"/DCTDecode" not in pdf  # no JPEG smear on the modules
    assert len(pdf) < 40_000 * len(vouchers) // PER_PAGE + 200_000


def test_pdf_text_layer_holds_each_short_code_and_every_qr_reads_at_300_dpi(catalogue) -> None:
    """The printer's file itself, rendered as a print shop's RIP would, not our PNG pages."""
    vouchers = [v.printable() for v in catalogue.all_vouchers]
    document = pypdfium2.PdfDocument(render_pdf(vouchers))
    text, read = "", []
    for page in document:
        text += page.get_textpage().get_text_range()
        pixels = page.render(scale=300 / 72, grayscale=True).to_numpy()
        read += [
            r.text for r in zxingcpp.read_barcodes(pixels, formats=zxingcpp.BarcodeFormat.QRCode)
        ]
    assert sorted(read) == sorted(v.token for v in vouchers)
    for voucher in vouchers:
        assert voucher.short_code in text
    assert "₲ 25.000" in text  # the guaraní sign survives as text, not a box
