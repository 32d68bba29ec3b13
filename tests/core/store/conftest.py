"""Shared fixtures: a real encrypted store, real signed vouchers, real validations."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from time_machine import TimeMachineFixture

from app.core.store import DiscountKind, KioskStore, Offer, RecordedScan, SettingKey
from pika_protocol.tokens import VoucherClaims, public_key_bytes, sign
from pika_protocol.validation import Validation, validate

BUSINESS_ID = 42
OFFER_ID = 7
DEVICE_ID = "dev-caja-1"
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


@dataclass
class Counter:
    """A kiosk's counter in a test: signs vouchers like head office and scans them."""

    store: KioskStore
    signing_key: Ed25519PrivateKey = field(default_factory=Ed25519PrivateKey.generate)
    key_id: int = 1

    def voucher(
        self,
        serial: int,
        *,
        business_id: int = BUSINESS_ID,
        offer_id: int = OFFER_ID,
        variant: int = 0,
        valid_until: datetime = NOW + timedelta(days=30),
    ) -> str:
        claims = VoucherClaims(
            key_id=self.key_id,
            business_id=business_id,
            offer_id=offer_id,
            serial=serial,
            valid_from=int((NOW - timedelta(days=30)).timestamp()),
            valid_until=int(valid_until.timestamp()),
            variant=variant,
        )
        return sign(claims, self.signing_key)

    def validate(self, text: str, now: datetime = NOW) -> Validation:
        return validate(
            text,
            business_id=BUSINESS_ID,
            public_keys=self.store.reference.public_keys(),
            revoked_serials=self.store.reference.revoked_serials(),
            find_redemption=self.store.activity.find_redemption,
            now=now,
        )

    def scan(
        self,
        text: str,
        *,
        source: str = "camera",
        scan_id: uuid.UUID | None = None,
        validation: Validation | None = None,
        now: datetime = NOW,
    ) -> RecordedScan:
        return self.store.activity.record_scan(
            validation or self.validate(text, now),
            scan_id=scan_id or uuid.uuid4(),
            scanned_at=now,
            device_id=DEVICE_ID,
            source=source,
            raw_text=text,
        )


def sample_offer(**changes: object) -> Offer:
    values: dict[str, object] = {
        "offer_id": OFFER_ID,
        "business_id": BUSINESS_ID,
        "title": "Chipa gratis con tu cocido",
        "discount_text": "2x1 en chipa",
        "discount_kind": DiscountKind.AMOUNT,
        "discount_value": 15000,
        "valid_from": NOW - timedelta(days=30),
        "valid_until": NOW + timedelta(days=30),
        "variant_labels": {1: "A: foto", 2: "B: texto"},
    }
    values.update(changes)
    return Offer(**values)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def _clock_at_now(time_machine: TimeMachineFixture) -> None:
    """Every store test lives at NOW: a clock read the tests do not inject agrees with the
    dates they write (tests/support/date_guard.py)."""
    time_machine.move_to(NOW)


@pytest.fixture
def key() -> bytes:
    return secrets.token_bytes(32)


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "kiosk" / "store.db"


@pytest.fixture
def store(store_path: Path, key: bytes) -> Iterator[KioskStore]:
    opened = KioskStore.open(store_path, key)
    yield opened
    opened.close()


@pytest.fixture
def counter(store: KioskStore) -> Counter:
    c = Counter(store)
    store.reference.add_public_key(c.key_id, public_key_bytes(c.signing_key.public_key()))
    store.settings.set(SettingKey.DEVICE_ID, DEVICE_ID)
    store.settings.set(SettingKey.DEVICE_NAME, "Caja 1")
    store.settings.set(SettingKey.BUSINESS_ID, str(BUSINESS_ID))
    store.reference.upsert_offer(sample_offer())
    return c
