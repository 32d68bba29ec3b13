"""QR symbols to print: the voucher token's size and every symbol reading back exactly."""

from __future__ import annotations

import numpy as np
import pytest
import zxingcpp

from app.core.demo import make_catalogue
from pika_print.qr_symbol import QUIET_ZONE, qr_image, qr_modules, qr_version
from pika_protocol.sync_wire import enrolment_uri


def _read(image) -> list[str]:
    pixels = np.asarray(image)
    return [r.text for r in zxingcpp.read_barcodes(pixels, formats=zxingcpp.BarcodeFormat.QRCode)]


def test_a_voucher_token_fits_version_6_at_level_m() -> None:
    # 148 base32 characters fit version 6-M only in alphanumeric mode (byte mode needs 8).
    for voucher in make_catalogue().all_vouchers[:5]:
        assert qr_version(voucher.token) == 6
        image = qr_image(voucher.token, box_size=3)
        assert _read(image) == [voucher.token]
        read = zxingcpp.read_barcode(np.asarray(image))
        assert read is not None and read.ec_level == "M"


def test_image_has_the_quiet_zone_and_whole_modules() -> None:
    token = make_catalogue().all_vouchers[0].token
    modules = qr_modules(token)
    image = np.asarray(qr_image(token, box_size=5))
    assert image.shape[0] == (modules.shape[0] + 2 * QUIET_ZONE) * 5
    margin = QUIET_ZONE * 5
    assert (image[:margin] == 255).all() and (image[:, -margin:] == 255).all()
    assert set(np.unique(image)) <= {0, 255}


def test_enrolment_links_read_back() -> None:
    uri = enrolment_uri("ABCD-EFGH-JKMN", "https://pika.example/api")
    assert _read(qr_image(uri, box_size=4)) == [uri]


def test_empty_text_is_refused() -> None:
    with pytest.raises(ValueError):
        qr_modules("")
