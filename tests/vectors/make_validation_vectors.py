"""Regenerate ``validation.json``: the shared table of scan decisions.

Run ``python tests/vectors/make_validation_vectors.py`` after a deliberate rule change. Kiosk and
backend tests both read the JSON, so a rule changed on one side only fails a test.
Ed25519 signatures are deterministic, so the file is stable byte for byte.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from pika_protocol.tokens import VoucherClaims, public_key_bytes, sign

HERE = Path(__file__).parent
KEY_1 = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
KEY_2 = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))  # rotated-out, not known
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
T = int(NOW.timestamp())
DAY = 86400


def claims(**over: int) -> VoucherClaims:
    fields = dict(
        key_id=1,
        business_id=7,
        offer_id=42,
        serial=1001,
        valid_from=T - DAY,
        valid_until=T + 30 * DAY,
        variant=0,
    )
    fields.update(over)
    return VoucherClaims(**fields)


def tamper(token: str, index: int) -> str:
    raw = bytearray(base64.b32decode(token + "=" * (-len(token) % 8)))
    raw[index] ^= 0x01
    return base64.b32encode(bytes(raw)).decode().rstrip("=")


def main() -> None:
    good = sign(claims(), KEY_1)
    cases = [
        ("valid", good, "valid", {}),
        ("valid with A/B variant", sign(claims(serial=1002, variant=2), KEY_1), "valid", {}),
        ("valid, lower case and spaces from a scanner", " " + good.lower() + "\r\n", "valid", {}),
        ("already redeemed", good, "already_redeemed", {"redeemed": [1001]}),
        ("expired", sign(claims(serial=1003, valid_until=T - 1), KEY_1), "expired", {}),
        ("not yet valid", sign(claims(serial=1004, valid_from=T + 60), KEY_1), "not_yet_valid", {}),
        ("other business", sign(claims(serial=1005, business_id=8), KEY_1), "other_business", {}),
        ("revoked", good, "revoked", {"revoked": [1001]}),
        (
            "revoked beats already redeemed",
            good,
            "revoked",
            {"revoked": [1001], "redeemed": [1001]},
        ),
        (
            "redeemed and since expired shows when/where",
            sign(claims(serial=1006, valid_until=T - 1), KEY_1),
            "already_redeemed",
            {"redeemed": [1006]},
        ),
        ("unknown key", sign(claims(serial=1007, key_id=2), KEY_2), "unknown_key", {}),
        (
            "signed by another key under a known id",
            sign(claims(serial=1008), KEY_2),
            "forged_signature",
            {},
        ),
        ("tampered claim byte (serial)", tamper(good, 20), "forged_signature", {}),
        ("tampered signature byte", tamper(good, 60), "forged_signature", {}),
        ("tampered version byte", tamper(good, 0), "malformed", {}),
        ("empty", "", "malformed", {}),
        ("truncated", good[:-1], "malformed", {}),
        ("one character too many", good + "A", "malformed", {}),
        ("not base32", good[:-2] + "01", "malformed", {}),
        ("non-ASCII", good[:-1] + "\u00d1", "malformed", {}),
        ("url instead of a voucher", "https://example.com/promo", "malformed", {}),
        ("oversized", "A" * 5000, "malformed", {}),
    ]
    doc = {
        "about": "Shared scan decisions: kiosk (pika_protocol/validation.py) and backend tests run "
        "every case. Regenerate with tests/vectors/make_validation_vectors.py.",
        "now": NOW.isoformat(),
        "public_keys": {"1": public_key_bytes(KEY_1.public_key()).hex()},
        "signing_key_seed_hex": {"1": bytes(range(32)).hex()},
        "cases": [
            {
                "name": name,
                "token": token,
                "business_id": 7,
                "revoked_serials": extra.get("revoked", []),
                "redeemed_serials": extra.get("redeemed", []),
                "expected": expected,
            }
            for name, token, expected, extra in cases
        ],
    }
    (HERE / "validation.json").write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
