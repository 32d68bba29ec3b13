"""Head office: offers with A/B weights, printing books (tokens + PDF), revocation, keys."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken

from pika_protocol.tokens import decode, short_code_for, token_bytes, verify
from sync_backend.models import SigningKey, Voucher
from sync_backend.vouchers.service import book_copies, split_by_weight
from sync_backend.vouchers.signing import PrivateKeyCache, public_keys
from tests.backend.support import ADMIN, Kit, push


def offer_body(business: int, **extra):  # type: ignore[no-untyped-def]
    now = datetime.now(UTC)
    return {
        "business_id": business,
        "title": "2x1 empanadas",
        "discount": "2x1",
        "valid_from": (now - timedelta(days=1)).isoformat(),
        "valid_until": (now + timedelta(days=90)).isoformat(),
        **extra,
    }


def test_offer_with_variants_and_a_printed_book(client, kit: Kit, session) -> None:
    business = kit.business()
    variants = [
        {"variant": 1, "label": "A", "weight": 70},
        {"variant": 2, "label": "B", "weight": 30},
    ]
    offer = client.post(
        "/v1/admin/offers",
        headers=ADMIN,
        json=offer_body(business, variants=variants, cap_total=500),
    )
    assert offer.status_code == 201, offer.text
    offer_id = offer.json()["id"]
    book = client.post(f"/v1/admin/offers/{offer_id}/books", headers=ADMIN, json={"copies": 20})
    assert book.status_code == 201
    body = book.json()
    assert body["copies_per_variant"] == {"1": 14, "2": 6}
    rows = session.scalars(sa.select(Voucher).order_by(Voucher.serial)).all()
    assert len(rows) == 20 and len({r.serial for r in rows}) == 20
    printed = book_copies(session, PrivateKeyCache(kit.settings), body["id"])
    keys = public_keys(session)
    for row, copy in zip(rows, printed, strict=True):
        claims = verify(copy.token, keys).claims
        assert (claims.business_id, claims.offer_id, claims.serial) == (
            business,
            offer_id,
            row.serial,
        )
        assert (claims.valid_from_dt, claims.valid_until_dt) == (row.valid_from, row.valid_until)
        assert claims.variant == row.variant and row.short_code == short_code_for(copy.token)
        assert row.token_sha256 == hashlib.sha256(token_bytes(copy.token) or b"").digest()
    assert sorted(r.variant for r in rows) == [1] * 14 + [2] * 6

    pdf = client.get(f"/v1/admin/books/{body['id']}/sheet.pdf", headers=ADMIN)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf.content)) == 2  # 12 vouchers a page


def test_split_by_weight_adds_up() -> None:
    assert split_by_weight(10, []) == {0: 10}
    three = [{"variant": v, "weight": 1} for v in (1, 2, 3)]
    assert split_by_weight(10, three) == {1: 4, 2: 3, 3: 3}
    assert sum(split_by_weight(7, three).values()) == 7


def test_bad_offers_are_refused(client, kit: Kit) -> None:
    business = kit.business()
    starts = datetime.fromisoformat(offer_body(business)["valid_from"])
    backwards = offer_body(business, valid_until=(starts - timedelta(days=1)).isoformat())
    assert client.post("/v1/admin/offers", headers=ADMIN, json=backwards).status_code == 422
    dup = offer_body(business, variants=[{"variant": 1, "label": "A", "weight": 1}] * 2)
    assert client.post("/v1/admin/offers", headers=ADMIN, json=dup).status_code == 422
    naive = offer_body(business, valid_from=starts.replace(tzinfo=None).isoformat())
    assert client.post("/v1/admin/offers", headers=ADMIN, json=naive).status_code == 422
    assert client.post("/v1/admin/offers", headers=ADMIN, json=offer_body(999)).status_code == 404
    assert (
        client.post("/v1/admin/offers/999/books", headers=ADMIN, json={"copies": 1}).status_code
        == 404
    )
    offer = client.post("/v1/admin/offers", headers=ADMIN, json=offer_body(business)).json()
    assert (
        client.post(
            f"/v1/admin/offers/{offer['id']}/books", headers=ADMIN, json={"copies": 0}
        ).status_code
        == 422
    )


def test_revoking_a_voucher(client, kit: Kit) -> None:
    business = kit.business()
    voucher = kit.vouchers(business, 1)[0]
    path = f"/v1/admin/vouchers/{voucher.serial}/revoke"
    assert client.post(path, headers=ADMIN, json={"reason": "book stolen"}).status_code == 204
    again = client.post(path, headers=ADMIN, json={})
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_revoked"
    assert (
        client.post("/v1/admin/vouchers/424242/revoke", headers=ADMIN, json={}).status_code == 404
    )


def test_signing_key_rotation_keeps_old_books_valid(client, kit: Kit, session) -> None:
    business = kit.business()
    old = kit.vouchers(business, 1)[0]
    rotated = client.post("/v1/admin/signing-keys/rotate", headers=ADMIN)
    assert rotated.status_code == 201
    new = kit.vouchers(business, 1)[0]
    assert decode(old.token)[0].key_id == 1 and decode(new.token)[0].key_id == 2
    keys = client.get("/v1/admin/signing-keys", headers=ADMIN).json()
    assert [(k["key_id"], k["retired"]) for k in keys] == [(1, True), (2, False)]
    kiosk = kit.kiosk(business)
    results = push(client, kiosk, kiosk.item(old.token), kiosk.item(new.token)).json()["results"]
    assert [r["outcome"] for r in results] == ["accepted", "accepted"]


def test_private_keys_are_encrypted_at_rest(kit: Kit, session) -> None:
    kit.vouchers(kit.business(), 1)
    row = session.scalars(sa.select(SigningKey)).one()
    raw = Fernet(kit.settings.signing_key_secret).decrypt(row.private_key_encrypted)
    assert len(raw) == 32 and raw not in row.private_key_encrypted
    with pytest.raises(InvalidToken):  # a database dump without the secret cannot sign
        Fernet(Fernet.generate_key()).decrypt(row.private_key_encrypted)


def test_business_tier_change(client, kit: Kit) -> None:
    business = kit.business()
    response = client.put(
        f"/v1/admin/businesses/{business}/tier", headers=ADMIN, json={"tier": "ENTERPRISE"}
    )
    assert response.status_code == 200 and response.json()["tier"] == "ENTERPRISE"
    assert (
        client.put(
            f"/v1/admin/businesses/{business}/tier", headers=ADMIN, json={"tier": "GOLD"}
        ).status_code
        == 422
    )
    events = client.get("/v1/admin/events", headers=ADMIN, params={"business_id": business}).json()
    assert "business_tier_changed" in [e["kind"] for e in events]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"discount": "20%"}, ("percent", 20)),
        ({"discount": "Gs. 15.000"}, ("amount", 15000)),
        ({"discount": "2x1"}, ("other", None)),
        ({"discount": "Llevá 3, pagá 2", "discount_kind": "other"}, ("other", None)),
        (
            {"discount": "Un tercio menos", "discount_kind": "percent", "discount_value": 33},
            ("percent", 33),
        ),
    ],
)
def test_offers_say_their_discount_in_numbers_and_kiosks_pull_them(  # type: ignore[no-untyped-def]
    client, kit: Kit, given, expected
) -> None:
    from pika_protocol import sync_wire

    business = kit.business()
    body = {**offer_body(business), **given}
    made = client.post("/v1/admin/offers", headers=ADMIN, json=body)
    assert made.status_code == 201, made.text
    assert (made.json()["discount_kind"], made.json()["discount_value"]) == expected
    kiosk = kit.kiosk(business)
    page = sync_wire.PullResponse.model_validate(
        client.get(sync_wire.PULL_PATH, headers=kiosk.headers).json()
    )
    [offer] = page.offers
    assert (offer.discount_kind, offer.discount_value) == expected
    assert offer.discount == given["discount"]


@pytest.mark.parametrize(
    "given",
    [
        {"discount_kind": "percent", "discount_value": 120},
        {"discount_kind": "amount"},
        {"discount_kind": "other", "discount_value": 5},
        {"discount_value": 5},
    ],
)
def test_discount_numbers_that_do_not_hold_are_refused(client, kit: Kit, given) -> None:  # type: ignore[no-untyped-def]
    body = {**offer_body(kit.business()), **given}
    assert client.post("/v1/admin/offers", headers=ADMIN, json=body).status_code == 422
