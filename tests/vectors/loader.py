"""Reads the shared scan-decision vectors for kiosk and backend tests."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

VECTORS = Path(__file__).parent / "validation.json"


@dataclass(frozen=True)
class ValidationCase:
    name: str
    token: str
    business_id: int
    revoked_serials: frozenset[int]
    redeemed_serials: frozenset[int]
    expected: str


@dataclass(frozen=True)
class ValidationVectors:
    now: datetime
    public_keys: dict[int, Ed25519PublicKey]
    signing_keys: dict[int, Ed25519PrivateKey]
    cases: list[ValidationCase]


def load_validation_vectors() -> ValidationVectors:
    doc = json.loads(VECTORS.read_text(encoding="utf-8"))
    return ValidationVectors(
        now=datetime.fromisoformat(doc["now"]),
        public_keys={
            int(k): Ed25519PublicKey.from_public_bytes(bytes.fromhex(v))
            for k, v in doc["public_keys"].items()
        },
        signing_keys={
            int(k): Ed25519PrivateKey.from_private_bytes(bytes.fromhex(v))
            for k, v in doc["signing_key_seed_hex"].items()
        },
        cases=[
            ValidationCase(
                name=c["name"],
                token=c["token"],
                business_id=c["business_id"],
                revoked_serials=frozenset(c["revoked_serials"]),
                redeemed_serials=frozenset(c["redeemed_serials"]),
                expected=c["expected"],
            )
            for c in doc["cases"]
        ],
    )
