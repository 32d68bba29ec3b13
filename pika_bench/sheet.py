"""``pika-bench sheet``: seconds to print a book of vouchers as one PDF (head office's request).

A 2,500-copy book took about 28 s inside one admin request when each QR was drawn by the
pure-Python ``qrcode`` package onto RGB pages saved as JPEG. The renderer
(:mod:`pika_print.voucher_sheet`) now writes the PDF with fpdf2: vector text and one small
1-bit zxing-cpp symbol image per voucher.
The whole book is timed with the real renderer (wall and process CPU: the CPU figure is the
steadier one on a busy machine); the symbol cost is timed both ways in the same
run (``qrcode`` at the same mode, level and module size is the baseline), since the machines
are shared and only same-run ratios compare.
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime
from typing import Any


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--copies", type=int, default=2500, help="vouchers in the book")
    parser.add_argument("--symbols", type=int, default=200, help="QRs timed each way")


def run(args: argparse.Namespace) -> dict[str, Any]:
    import qrcode
    import qrcode.constants
    import qrcode.util
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from pika_print.qr_symbol import qr_image
    from pika_print.voucher_sheet import PER_PAGE, PrintableVoucher, render_pdf
    from pika_protocol.tokens import VoucherClaims, sign

    key = Ed25519PrivateKey.generate()
    until = datetime(2037, 1, 1, tzinfo=UTC)
    vouchers = [
        PrintableVoucher(
            token=sign(
                VoucherClaims(
                    key_id=1,
                    business_id=1,
                    offer_id=1,
                    serial=1_000_000 + i,
                    valid_from=0,
                    valid_until=int(until.timestamp()),
                ),
                key,
            ),
            title="Lomito completo",
            discount="₲ 25.000 de descuento",
            valid_until=until,
            serial=1_000_000 + i,
        )
        for i in range(args.copies)
    ]

    started, started_cpu = time.perf_counter(), time.process_time()
    pdf = render_pdf(vouchers)
    book_s, book_cpu_s = time.perf_counter() - started, time.process_time() - started_cpu

    tokens = [v.token for v in vouchers[: args.symbols]]

    def old_symbol(token: str) -> object:
        code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=6)
        code.add_data(qrcode.util.QRData(token, mode=qrcode.util.MODE_ALPHA_NUM))
        code.make(fit=True)
        return code.make_image().get_image()

    def per_symbol_ms(make: Any) -> float:
        started = time.perf_counter()
        for token in tokens:
            make(token)
        return (time.perf_counter() - started) / len(tokens) * 1000

    zxing_ms = per_symbol_ms(lambda token: qr_image(token, box_size=6))
    baseline_ms = per_symbol_ms(old_symbol)
    return {
        "copies": args.copies,
        "pages": -(-args.copies // PER_PAGE),
        "book_seconds": round(book_s, 2),
        "book_cpu_seconds": round(book_cpu_s, 2),
        "pdf_mb": round(len(pdf) / 1e6, 2),
        "symbol_ms": round(zxing_ms, 3),
        "baseline_qrcode_symbol_ms": round(baseline_ms, 3),
        "symbol_speedup": round(baseline_ms / zxing_ms, 1),
        "baseline_qrcode_symbols_for_book_seconds": round(baseline_ms * args.copies / 1000, 1),
    }
