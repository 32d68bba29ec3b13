"""Every shared scan-decision vector, decided by the backend through the push endpoint.

The kiosk runs the same table in tests/protocol/test_validation.py: one rule set, two callers.
Server state is built to match each case: the vectors' public key, businesses 7 and 8, the
case's revoked serials as revoked printed copies and its redeemed serials as accepted
redemptions made at another kiosk.
"""

from __future__ import annotations

import uuid

import pytest
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from pika_protocol.tokens import normalise_text, public_key_bytes, short_code_for
from sync_backend.models import Book, Business, Offer, Redemption, SigningKey, Voucher
from sync_backend.vouchers.copies import token_digest
from tests.backend.support import Kit, push
from tests.vectors.loader import ValidationCase, load_validation_vectors

VECTORS = load_validation_vectors()

EXPECTED_OUTCOME = {"valid": "accepted", "already_redeemed": "conflict"}


def build_state(kit: Kit, case: ValidationCase) -> None:
    s = kit.session
    for business_id in (7, 8):
        s.add(Business(id=business_id, name=f"B{business_id}", tier="PREMIUM"))
    for key_id, private in VECTORS.signing_keys.items():
        raw = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        s.add(
            SigningKey(
                key_id=key_id,
                public_key=public_key_bytes(VECTORS.public_keys[key_id]),
                private_key_encrypted=Fernet(kit.settings.signing_key_secret).encrypt(raw),
                seq=1,
            )
        )
    s.flush()
    s.add(
        Offer(
            id=42,
            business_id=7,
            title="t",
            discount="d",
            valid_from=VECTORS.now,
            valid_until=VECTORS.now,
            variants=[],
            seq=2,
        )
    )
    s.flush()
    s.add(Book(id=1, offer_id=42, copies=1, key_id=1))
    s.flush()
    token = normalise_text(case.token)
    for serial in case.revoked_serials:
        s.add(
            Voucher(
                serial=serial,
                book_id=1,
                offer_id=42,
                business_id=7,
                variant=0,
                valid_from=VECTORS.now,
                valid_until=VECTORS.now,
                token_version=1,
                token_sha256=token_digest(token) or b"",
                short_code=short_code_for(token),
                revoked_at=VECTORS.now,
                seq=3,
            )
        )
    s.commit()


@pytest.mark.parametrize("case", VECTORS.cases, ids=lambda c: c.name)
def test_backend_decides_every_vector_like_the_kiosk(
    client, kit: Kit, case: ValidationCase
) -> None:
    build_state(kit, case)
    kiosk = kit.kiosk(case.business_id)
    if case.redeemed_serials:
        earlier = kit.kiosk(case.business_id, "Caja 2")
        for serial in case.redeemed_serials:
            kit.session.add(
                Redemption(
                    id=uuid.uuid4(),
                    kind="redemption",
                    outcome="accepted",
                    business_id=7,
                    device_id=earlier.device_id,
                    serial=serial,
                    offer_id=42,
                    token=case.token,
                    source="camera",
                    kiosk_reason="valid",
                    server_reason="valid",
                    scanned_at=VECTORS.now,
                    received_at=VECTORS.now,
                    seq=10,
                )
            )
        kit.session.commit()

    item = kiosk.item(case.token, scanned_at=VECTORS.now)
    result = push(client, kiosk, item).json()["results"][0]

    assert result["outcome"] == EXPECTED_OUTCOME.get(case.expected, "rejected")
    assert result["reason"] == case.expected
