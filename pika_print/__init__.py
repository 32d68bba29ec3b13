"""Vouchers and enrolment codes on paper, for the kiosk's demo sheet and head office's books.

QR symbols (``qr_symbol``, zxing-cpp's encoder) and the printed A4 sheet (``voucher_sheet``,
fpdf2 for PDF, Pillow for PNG pages). Apart from ``app`` so the server prints books without the
kiosk's code: it imports ``pika_protocol`` (the short code of a token) and nothing of ``app``,
``sync_backend``, Qt or OpenCV (import-linter contract in pyproject.toml).
"""
