"""Reference data from sync: signing keys, offers, the voucher cache, settings."""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.core.store import (
    DiscountKind,
    InvalidRecordError,
    InvalidVoucherError,
    KioskStore,
    Offer,
    PublicKeyConflictError,
    StoreClosedError,
)
from app.core.store import reference as reference_module
from pika_protocol.tokens import parse_short_code, public_key_bytes, short_code_for
from tests.core.store.conftest import BUSINESS_ID, NOW, Counter, sample_offer


def test_public_keys_round_trip_and_cache_is_refreshed(counter: Counter) -> None:
    store = counter.store
    assert set(store.reference.public_keys()) == {counter.key_id}
    other = Ed25519PrivateKey.generate().public_key()
    store.reference.add_public_key(2, public_key_bytes(other))
    store.reference.add_public_key(2, public_key_bytes(other))  # same key again: no-op
    keys = store.reference.public_keys()
    assert set(keys) == {1, 2}
    assert public_key_bytes(keys[2]) == public_key_bytes(other)


def test_public_key_bad_input_is_refused(counter: Counter) -> None:
    with pytest.raises(InvalidRecordError):
        counter.store.reference.add_public_key(3, b"too short")
    with pytest.raises(InvalidRecordError):
        counter.store.reference.add_public_key(70_000, b"\x00" * 32)
    with pytest.raises(PublicKeyConflictError):
        counter.store.reference.add_public_key(
            counter.key_id, public_key_bytes(Ed25519PrivateKey.generate().public_key())
        )
    assert set(counter.store.reference.public_keys()) == {counter.key_id}


def test_offers_upsert_and_read_back(store: KioskStore) -> None:
    offer = sample_offer()
    store.reference.upsert_offer(offer)
    assert store.reference.offer(offer.offer_id) == offer
    changed = sample_offer(
        title="Cocido + chipa", discount_kind=DiscountKind.PERCENT, discount_value=20
    )
    store.reference.upsert_offer(changed)
    store.reference.upsert_offer(sample_offer(offer_id=8, valid_from=None, valid_until=None))
    assert store.reference.offers() == [
        changed,
        sample_offer(offer_id=8, valid_from=None, valid_until=None),
    ]
    assert store.reference.offer(999) is None
    loaded = store.reference.offer(offer.offer_id)
    assert loaded is not None and loaded.variant_label(2) == "B: texto"


@pytest.mark.parametrize(
    "changes",
    [
        {"title": " "},
        {"discount_kind": "bitcoin"},
        {"discount_kind": DiscountKind.PERCENT, "discount_value": 150},
        {"discount_value": 0},
        {"valid_until": NOW - timedelta(days=365)},
        {"valid_from": NOW.replace(tzinfo=None)},
        {"variant_labels": {300: "x"}},
        {"offer_id": -1},
    ],
)
def test_bad_offers_are_refused(changes: dict[str, object]) -> None:
    with pytest.raises(InvalidRecordError):
        sample_offer(**changes)


def test_offer_must_be_an_offer(store: KioskStore) -> None:
    with pytest.raises(InvalidRecordError):
        store.reference.upsert_offer({"offer_id": 1})  # type: ignore[arg-type]
    assert store.reference.offers() == []


def test_cached_vouchers_map_typed_short_codes_back_to_tokens(counter: Counter) -> None:
    tokens = [counter.voucher(serial) for serial in range(100, 110)]
    assert counter.store.reference.cache_vouchers(tokens) == 10
    assert counter.store.reference.cache_vouchers(tokens) == 0  # nothing new
    for token in tokens:
        typed = short_code_for(token).lower().replace("-", " ")
        assert counter.store.reference.token_for_short_code(parse_short_code(typed)) == token
    assert counter.store.reference.token_for_short_code("0000-0000-0") is None


def test_one_unreadable_voucher_refuses_the_whole_batch(counter: Counter) -> None:
    good = counter.voucher(200)
    with pytest.raises(InvalidVoucherError, match="#1"):
        counter.store.reference.cache_vouchers([good, "garbage"])
    assert counter.store.reference.token_for_short_code(short_code_for(good)) is None


def test_colliding_short_codes_map_to_neither_voucher(
    counter: Counter, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second, third = (counter.voucher(serial) for serial in (300, 301, 302))
    counter.store.reference.cache_vouchers([first])
    assert counter.store.reference.token_for_short_code(short_code_for(first)) == first
    # Force a 40-bit collision: every token now hashes to the same short code.
    shared = short_code_for(first)
    monkeypatch.setattr(reference_module, "short_code_for", lambda token: shared)
    assert counter.store.reference.cache_vouchers([second]) == 1
    assert counter.store.reference.token_for_short_code(shared) is None
    assert counter.store.reference.short_code_is_ambiguous(shared)
    counter.store.reference.cache_vouchers([third])  # a third one stays off the code too
    assert counter.store.reference.token_for_short_code(shared) is None


def test_collision_inside_one_batch_maps_to_neither(
    counter: Counter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reference_module, "short_code_for", lambda token: "AAAA-AAAA-A")
    assert counter.store.reference.cache_vouchers([counter.voucher(400), counter.voucher(401)]) == 2
    assert counter.store.reference.token_for_short_code("AAAA-AAAA-A") is None


def test_closed_store_refuses_calls(store: KioskStore) -> None:
    store.close()
    store.close()
    assert store.closed
    with pytest.raises(StoreClosedError):
        store.reference.offers()


def test_offer_equality_ignores_label_container_type() -> None:
    a = Offer(
        offer_id=1,
        business_id=BUSINESS_ID,
        title="t",
        discount_text="d",
        discount_kind=DiscountKind.AMOUNT,
        discount_value=1,
        variant_labels={1: "A"},
    )
    assert a.variant_labels == {1: "A"}
    with pytest.raises(TypeError):
        a.variant_labels[2] = "B"  # type: ignore[index]
