from __future__ import annotations

from app.core import demo
from pika_protocol.tokens import load_public_key, verify


def test_demo_tokens_are_the_same_every_run_so_printed_sheets_keep_working() -> None:
    assert [v.token for v in demo.make_catalogue().all_vouchers] == [
        v.token for v in demo.make_catalogue().all_vouchers
    ]


def test_every_demo_voucher_verifies_with_the_demo_public_key() -> None:
    catalogue = demo.make_catalogue()
    keys = {k: load_public_key(raw) for k, raw in catalogue.public_keys.items()}
    serials = [verify(v.token, keys).claims.serial for v in catalogue.all_vouchers]
    assert len(set(serials)) == len(serials) == 3 * demo.VOUCHERS_PER_OFFER + 4
