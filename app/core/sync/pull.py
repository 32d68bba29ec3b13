"""Applying one page of a pull to the kiosk store: keys, offers, vouchers, revocations,
redemptions made at the business's other kiosks, and the business's usual ticket.

Every step is idempotent (a known key, offer, voucher, revocation or redemption is a no-op), so
a page applied twice changes nothing. That is what makes a pull resumable: the cursor is saved
only after its page is applied, and a kiosk cut off in between simply gets the page again.

One bad record never blocks the rest of the feed: it is skipped and reported in
:attr:`PullApplied.problems` (the manager view and the log show them).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from app.core.sale_total import usable_usual_ticket
from app.core.store import (
    DiscountKind,
    InvalidRecordError,
    KioskStore,
    Offer,
    RemoteRedemption,
    ScanSource,
)
from pika_protocol import sync_wire
from pika_protocol.discounts import read_discount
from pika_protocol.tokens import TokenError, decode

#: Settings key of the last applied pull position (opaque text from the backend).
CURSOR_SETTING = "sync.pull_cursor"


@dataclass(slots=True)
class PullApplied:
    """What one page changed in the store, and what had to be skipped (with why)."""

    public_keys: int = 0
    offers: int = 0
    vouchers: int = 0
    revocations: int = 0
    redemptions: int = 0
    #: Redemptions learnt earlier that their kiosk has since taken back (copies freed here).
    voids: int = 0
    problems: list[str] = field(default_factory=list)

    def add(self, other: PullApplied) -> None:
        self.public_keys += other.public_keys
        self.offers += other.offers
        self.vouchers += other.vouchers
        self.revocations += other.revocations
        self.redemptions += other.redemptions
        self.voids += other.voids
        self.problems.extend(other.problems)


def offer_of(wire: sync_wire.Offer) -> Offer:
    """The store's offer for a pulled one: the kind and value head office states, or (from a
    backend that sends only the text) what the text names."""
    if wire.discount_kind is not None:
        kind, value = DiscountKind(wire.discount_kind), wire.discount_value
    else:
        kind, value = read_discount(wire.discount)
    return Offer(
        offer_id=wire.id,
        business_id=wire.business_id,
        title=wire.title,
        discount_text=wire.discount,
        discount_kind=kind,
        discount_value=value,
        valid_from=wire.valid_from,
        valid_until=wire.valid_until,
        variant_labels={v.variant: v.label for v in wire.variants},
    )


def add_public_keys(store: KioskStore, keys: list[sync_wire.PublicKey]) -> PullApplied:
    applied = PullApplied()
    for key in keys:
        try:
            store.reference.add_public_key(key.key_id, bytes.fromhex(key.public_key_hex))
            applied.public_keys += 1
        except InvalidRecordError as exc:
            applied.problems.append(f"signing key {key.key_id}: {exc}")
    return applied


def apply_page(store: KioskStore, page: sync_wire.PullResponse, *, business_id: int) -> PullApplied:
    """Apply one page in the order that keeps each step meaningful: keys before the vouchers
    they verify, vouchers before the redemptions that name them. Runs on the store thread."""
    applied = add_public_keys(store, page.public_keys)
    if "usual_ticket" in page.model_fields_set:
        # Said (a figure, or null for none): kept. Left out by an older backend: unchanged.
        ticket = usable_usual_ticket(page.usual_ticket)
        if ticket is None and page.usual_ticket is not None:
            applied.problems.append(f"usual ticket {page.usual_ticket!r} is no amount; ignored")
        store.reference.set_usual_ticket(business_id, ticket)

    for wire_offer in page.offers:
        try:
            store.reference.upsert_offer(offer_of(wire_offer))
            applied.offers += 1
        except InvalidRecordError as exc:
            applied.problems.append(f"offer {wire_offer.id}: {exc}")

    if page.vouchers:
        tokens = [v.token for v in page.vouchers]
        try:
            applied.vouchers += store.reference.cache_vouchers(tokens)
        except InvalidRecordError:
            # One unreadable token refuses the batch: cache the readable ones, name the rest.
            readable = []
            for voucher in page.vouchers:
                try:
                    decode(voucher.token)
                    readable.append(voucher.token)
                except TokenError as exc:
                    applied.problems.append(f"voucher {voucher.serial}: unreadable token ({exc})")
            applied.vouchers += store.reference.cache_vouchers(readable)

    revoked = {r.serial for r in page.revocations}
    revoked.update(v.serial for v in page.vouchers if v.revoked_at is not None)
    known = store.reference.revoked_serials()
    for serial in sorted(revoked - known):
        try:
            store.reference.revoke(serial)
            applied.revocations += 1
        except InvalidRecordError as exc:
            applied.problems.append(f"revocation of {serial}: {exc}")

    remote: list[RemoteRedemption] = []
    voided: list[tuple[uuid.UUID, datetime]] = []
    for wire_redemption in page.redemptions:
        if wire_redemption.voided_at is not None:
            # Taken back at the other kiosk: free the copy here if we knew of it.
            voided.append((wire_redemption.id, wire_redemption.voided_at.astimezone(UTC)))
            continue
        try:
            remote.append(_remote_redemption(store, wire_redemption, business_id))
        except (InvalidRecordError, TokenError) as exc:
            applied.problems.append(f"redemption {wire_redemption.id}: {exc}")
    if remote:
        applied.redemptions += store.activity.add_remote_redemptions(remote)
    if voided:
        applied.voids += store.activity.void_remote_redemptions(voided)
    return applied


def _remote_redemption(
    store: KioskStore, wire: sync_wire.RemoteRedemption, business_id: int
) -> RemoteRedemption:
    """The store's record of a redemption made elsewhere, as the server row says it.

    A redemption of a voucher this kiosk was never sent is skipped (reported): the feed
    delivers a business's vouchers before their redemptions, so it means a gap worth seeing.
    """
    if store.reference.voucher_token(wire.serial) is None:
        raise InvalidRecordError(f"voucher {wire.serial} is not known to this kiosk")
    return RemoteRedemption(
        redemption_id=wire.id,
        serial=wire.serial,
        offer_id=wire.offer_id,
        business_id=business_id,
        variant=wire.variant,
        redeemed_at=wire.redeemed_at,
        device_id=wire.device_id,
        device_name=wire.device_name,
        source=ScanSource(wire.source.value),
    )
