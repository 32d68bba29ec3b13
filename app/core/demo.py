"""Demo data: a business, its offers and signed vouchers, made on the spot.

The demo signing key is derived from a published constant: it is NOT a secret and no real
kiosk trusts it (real kiosks only get head office's public keys through enrolment). Serials and
the key stay the same from run to run, so a sheet printed yesterday still scans today.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.core.device import DeviceIdentity, write_identity
from app.core.store import DiscountKind, KioskStore, Offer
from pika_print.voucher_sheet import PrintableVoucher
from pika_protocol.tokens import VoucherClaims, sign

DEMO_KEY_ID = 1
DEMO_BUSINESS_ID = 1
DEMO_BUSINESS_NAME = "Lomitería Don Pika"
OTHER_BUSINESS_ID = 2
DEMO_DEVICE_ID = "demo-caja-1"
DEMO_DEVICE_NAME = "Caja 1"
VOUCHERS_PER_OFFER = 12


def demo_signing_key() -> Ed25519PrivateKey:
    seed = hashlib.sha256(b"pika-counter demo signing key; public, never trusted").digest()
    return Ed25519PrivateKey.from_private_bytes(seed)


DEMO_OFFERS = (
    Offer(
        101,
        DEMO_BUSINESS_ID,
        "Lomito completo",
        "₲ 25.000 de descuento",
        DiscountKind.AMOUNT,
        25_000,
    ),
    Offer(102, DEMO_BUSINESS_ID, "Café con chipa", "2x1 (50 %)", DiscountKind.PERCENT, 50),
    Offer(
        103,
        DEMO_BUSINESS_ID,
        "Pizza grande",
        "₲ 15.000 de descuento",
        DiscountKind.AMOUNT,
        15_000,
        variant_labels={1: "A: ₲ 15.000", 2: "B: ₲ 15.000 + foto"},
    ),
)


@dataclass(frozen=True, slots=True)
class DemoVoucher:
    token: str
    offer: Offer
    serial: int
    valid_until: datetime

    def printable(self) -> PrintableVoucher:
        return PrintableVoucher(
            token=self.token,
            title=self.offer.title,
            discount=self.offer.discount_text,
            valid_until=self.valid_until,
        )


@dataclass(frozen=True, slots=True)
class DemoCatalogue:
    """Everything the demo kiosk needs, including one voucher for each way of failing."""

    offers: tuple[Offer, ...]
    vouchers: tuple[DemoVoucher, ...]
    expired: DemoVoucher
    not_yet_valid: DemoVoucher
    other_business: DemoVoucher
    revoked: DemoVoucher
    public_keys: dict[int, bytes] = field(default_factory=dict)

    @property
    def all_vouchers(self) -> tuple[DemoVoucher, ...]:
        extra = (self.expired, self.not_yet_valid, self.other_business, self.revoked)
        return (*self.vouchers, *extra)


def _utc(year: int, month: int = 1, day: int = 1) -> int:
    return int(datetime(year, month, day, tzinfo=UTC).timestamp())


#: Fixed validity windows: every demo token (and so its printed short code) is the same on
#: every run and every day, so a sheet printed once keeps working, by QR and by typed code.
DEMO_VALID = (_utc(2026), _utc(2036))
DEMO_EXPIRED = (_utc(2025), _utc(2025, 12, 31))
DEMO_NOT_YET_VALID = (_utc(2099), _utc(2100))


def make_catalogue() -> DemoCatalogue:
    """Sign the demo vouchers (deterministic: Ed25519 signatures and fixed windows)."""
    from pika_protocol.tokens import public_key_bytes

    key = demo_signing_key()

    def voucher(
        offer: Offer, serial: int, start: int, end: int, business: int, variant: int = 0
    ) -> DemoVoucher:
        claims = VoucherClaims(
            key_id=DEMO_KEY_ID,
            business_id=business,
            offer_id=offer.offer_id,
            serial=serial,
            valid_from=start,
            valid_until=end,
            variant=variant,
        )
        return DemoVoucher(sign(claims, key), offer, serial, datetime.fromtimestamp(end, UTC))

    start, end = DEMO_VALID
    vouchers = []
    for offer in DEMO_OFFERS:
        for i in range(VOUCHERS_PER_OFFER):
            serial = offer.offer_id * 1000 + i + 1
            variants = sorted(offer.variant_labels)
            variant = variants[i % len(variants)] if variants else 0
            vouchers.append(voucher(offer, serial, start, end, DEMO_BUSINESS_ID, variant))
    first = DEMO_OFFERS[0]
    return DemoCatalogue(
        offers=DEMO_OFFERS,
        vouchers=tuple(vouchers),
        expired=voucher(first, 900_001, *DEMO_EXPIRED, DEMO_BUSINESS_ID),
        not_yet_valid=voucher(first, 900_002, *DEMO_NOT_YET_VALID, DEMO_BUSINESS_ID),
        other_business=voucher(first, 900_003, start, end, OTHER_BUSINESS_ID),
        revoked=voucher(first, 900_004, start, end, DEMO_BUSINESS_ID),
        public_keys={DEMO_KEY_ID: public_key_bytes(key.public_key())},
    )


#: The demo lomitería's usual sale: a typed total over 100 of them is refused as a slip.
DEMO_USUAL_TICKET = 60_000

DEMO_DEVICE = DeviceIdentity(
    device_id=DEMO_DEVICE_ID,
    device_name=DEMO_DEVICE_NAME,
    business_id=DEMO_BUSINESS_ID,
    business_name=DEMO_BUSINESS_NAME,
)


def install(store: KioskStore, catalogue: DemoCatalogue) -> None:
    """Put the demo business, keys, offers and vouchers into a store, as enrolment would."""
    for key_id, raw in catalogue.public_keys.items():
        store.reference.add_public_key(key_id, raw)
    for offer in catalogue.offers:
        store.reference.upsert_offer(offer)
    store.reference.cache_vouchers(v.token for v in catalogue.all_vouchers)
    store.reference.revoke(catalogue.revoked.serial)
    store.reference.set_usual_ticket(DEMO_BUSINESS_ID, DEMO_USUAL_TICKET)
    write_identity(store, DEMO_DEVICE)
