"""Child process for the kill test: records scans in a loop until it is killed.

Run as ``python -m tests.core.store.record_loop STORE_PATH KEY_HEX``. Prints one line per
committed scan so the parent knows when to kill it mid-stream.
"""

from __future__ import annotations

import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.core.store import KioskStore
from pika_protocol.tokens import VoucherClaims, public_key_bytes, sign
from pika_protocol.validation import validate

BUSINESS_ID = 42


def main(path: str, key_hex: str) -> None:
    signing_key = Ed25519PrivateKey.generate()
    store = KioskStore.open(Path(path), bytes.fromhex(key_hex))
    store.reference.add_public_key(9, public_key_bytes(signing_key.public_key()))
    now = datetime.now(UTC)
    serial = 0
    while True:
        serial += 1
        # Every fifth scan repeats a serial, so rejected scans are in the mix too.
        voucher_serial = serial - 1 if serial % 5 == 0 else serial
        token = sign(
            VoucherClaims(
                key_id=9,
                business_id=BUSINESS_ID,
                offer_id=1,
                serial=voucher_serial,
                valid_from=0,
                valid_until=2**32 - 1,
            ),
            signing_key,
        )
        validation = validate(
            token,
            business_id=BUSINESS_ID,
            public_keys=store.reference.public_keys(),
            revoked_serials=store.reference.revoked_serials(),
            find_redemption=store.activity.find_redemption,
            now=now,
        )
        store.activity.record_scan(
            validation,
            scan_id=uuid.uuid4(),
            scanned_at=now,
            device_id="dev-kill",
            source="camera",
            raw_text=token,
        )
        print(serial, flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
