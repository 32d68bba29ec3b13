"""Printed tokens are not kept at rest: a database dump does not redeem a single copy.

The server keeps each copy's claims and the digest of its token, signs it again where it hands
it out (a kiosk's pull, the printed sheet), and keeps pushed text only as evidence of what it
could not rebuild (forged, malformed). Migration 0006 moved existing databases over.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic import command
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from sqlalchemy.orm import Session

from pika_protocol import sync_wire
from pika_protocol.tokens import (
    VoucherClaims,
    public_key_bytes,
    short_code_for,
    sign,
    token_bytes,
)
from sync_backend.deps import install, services_of
from sync_backend.migrate import alembic_config, upgrade
from sync_backend.models import Voucher
from sync_backend.redemptions.evidence import unseal
from sync_backend.settings import DEV_SIGNING_KEY_SECRET
from sync_backend.vouchers import copies
from sync_backend.vouchers.signing import PrivateKeyCache
from tests.backend.support import ADMIN, Kit, push


def dump(engine: sa.Engine) -> str:
    """Every row of every table of the database as text (bytea as hex), like a dump's data."""
    with engine.connect() as conn:
        tables = conn.execute(
            sa.text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        ).scalars()
        return "\n".join(
            str(row)
            for table in list(tables)
            for row in conn.execute(sa.text(f'SELECT t::text FROM "{table}" t')).scalars()
        )


def traces(token: str) -> list[str]:
    """How a token could show in a dump: its text, and as bytea hex (its text or its bytes)."""
    raw = token_bytes(token)
    assert raw is not None
    return [token, token.lower(), token.encode().hex(), raw.hex()]


def test_a_dump_after_a_day_of_sync_holds_no_printed_token(
    client, kit: Kit, engine: sa.Engine
) -> None:
    business = kit.business()
    offer = kit.offer(business)
    book = client.post(f"/v1/admin/offers/{offer}/books", headers=ADMIN, json={"copies": 6})
    assert book.status_code == 201, book.text
    sheet = client.get(f"/v1/admin/books/{book.json()['id']}/sheet.pdf", headers=ADMIN)
    assert sheet.status_code == 200
    caja1, caja2 = kit.kiosk(business), kit.kiosk(business, "Caja 2")
    pulled = client.get(sync_wire.PULL_PATH, headers=caja1.headers).json()["vouchers"]
    printed = [v["token"] for v in pulled]
    assert len(printed) == 6
    assert [v["short_code"] for v in pulled] == [short_code_for(t) for t in printed]

    stranger = Ed25519PrivateKey.generate()  # claims of a real copy, signed by someone else
    forged = sign(copies.claims_of(kit_voucher(kit, printed[5]), 1), stranger)
    last = printed[5][-1]
    near = printed[5][:-1] + ("A" if last != "A" else "B")  # one character off a real copy
    doubled = printed[5] + printed[5]  # a wedge scanner's double read
    nul = printed[5][:20] + "\x00" + printed[5][20:]
    redeemed = caja1.item(printed[0])
    results = push(
        client,
        caja1,
        redeemed,
        caja1.item(" " + printed[1].lower() + "\n", source="wedge"),  # as a scanner sends it
        caja1.item(printed[2], kind="scan", reason="expired"),
        caja1.item(forged, kind="scan", reason="forged_signature"),
        caja1.item("NOT A TOKEN", kind="scan", reason="malformed"),
        *(caja1.item(text, kind="scan", reason="malformed") for text in (near, doubled, nul)),
    ).json()["results"]
    assert [r["outcome"] for r in results] == ["accepted", "accepted"] + ["recorded"] * 6
    impostor = caja2.item(printed[4], device_id=caja1.device_id)  # names another kiosk
    conflict = push(client, caja2, caja2.item(printed[0]), caja2.item(forged), impostor).json()
    assert [(r["outcome"], r["reason"]) for r in conflict["results"]] == [
        ("conflict", "already_redeemed"),
        ("rejected", "forged_signature"),
        ("rejected", "wrong_device"),
    ]
    assert push(client, caja1, caja1.void(redeemed["id"])).json()["results"][0]["outcome"] == (
        "accepted"
    )
    revoke = f"/v1/admin/vouchers/{kit_serial(printed[3])}/revoke"
    assert client.post(revoke, headers=ADMIN, json={}).status_code == 204
    assert client.post("/v1/admin/fraud/run", headers=ADMIN).status_code in (200, 201)
    assert client.get(sync_wire.PULL_PATH, headers=caja2.headers).status_code == 200

    everything = dump(engine)
    leaked = [t for t in printed for trace in traces(t) if trace in everything]
    assert leaked == []
    hints = [printed[5][:60], printed[5][-60:], forged[-60:], "NOT A TOKEN"]
    assert [hint for hint in hints if hint in everything] == []  # not even in the evidence
    with engine.connect() as conn:
        kept = conn.execute(sa.text("SELECT token FROM redemptions")).scalars().all()
    assert kept.count(None) == 5  # the genuine copies: rebuilt from their serial when needed
    opened = {unseal(kit.settings.signing_key_secret, text) for text in kept if text is not None}
    assert opened == {forged, "NOT A TOKEN", near, doubled, nul.replace("\x00", "\ufffd")}


def kit_serial(token: str) -> int:
    raw = token_bytes(token)
    assert raw is not None
    return int.from_bytes(raw[11:19], "big")


def kit_voucher(kit: Kit, token: str) -> Voucher:
    voucher = kit.session.get(Voucher, kit_serial(token))
    assert voucher is not None
    return voucher


def test_pulled_tokens_are_signed_again_exactly_as_printed(client, kit: Kit) -> None:
    """Deterministic Ed25519: the token a kiosk pulls is byte for byte the printed one (the
    digest stored at printing time, computed from the token then signed)."""
    business = kit.business()
    printed = kit.vouchers(business, 3)
    kiosk = kit.kiosk(business)
    pulled = client.get(sync_wire.PULL_PATH, headers=kiosk.headers).json()["vouchers"]
    assert [v["token"] for v in pulled] == [c.token for c in printed]
    for copy in printed:
        voucher = kit_voucher(kit, copy.token)
        assert copies.token_digest(copy.token) == voucher.token_sha256


def test_a_changed_secret_never_hands_out_a_wrong_token(client, kit: Kit, settings) -> None:  # type: ignore[no-untyped-def]
    """Another PIKA_SIGNING_KEY_SECRET cannot open the key: the pull answers 503 with a code,
    it never sends a kiosk a token that differs from the printed copy."""
    business = kit.business()
    kit.vouchers(business, 2)
    kiosk = kit.kiosk(business)
    kept = services_of(client.app)
    wrong_secret = settings.model_copy(
        update={"signing_key_secret": Fernet.generate_key().decode()}
    )
    install(client.app, replace(kept, private_keys=PrivateKeyCache(wrong_secret)))
    try:
        answer = client.get(sync_wire.PULL_PATH, headers=kiosk.headers)
    finally:
        install(client.app, kept)
    assert answer.status_code == 503
    assert answer.json()["error"]["code"] == "signing_key_unreadable"


# ---------------------------------------------------------------- migration 0006


def _key_row(conn: sa.Connection, key_id: int, secret: str) -> Ed25519PrivateKey:
    key = Ed25519PrivateKey.generate()
    raw = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    conn.execute(
        sa.text(
            "INSERT INTO signing_keys (key_id, public_key, private_key_encrypted, created_at)"
            " VALUES (:id, :public, :private, now())"
        ),
        {
            "id": key_id,
            "public": public_key_bytes(key.public_key()),
            "private": Fernet(secret.encode()).encrypt(raw),
        },
    )
    return key


def _fill_as_0005(conn: sa.Connection, *, tamper: bool = False) -> dict[str, object]:
    """A database as revision 0005 left it: printed tokens and pushed ones stored as text."""
    key = _key_row(conn, 1, DEV_SIGNING_KEY_SECRET)
    now = datetime.now(UTC).replace(microsecond=0)
    conn.execute(
        sa.text(
            "INSERT INTO businesses (id, name, tier, created_at) VALUES (1, 'Café', 'BASIC', now())"
        )
    )
    # The offer's window has microseconds; the tokens signed it in whole seconds.
    starts, ends = now - timedelta(days=1, microseconds=-1234), now + timedelta(days=30)
    conn.execute(
        sa.text(
            "INSERT INTO offers (id, business_id, title, discount, valid_from, valid_until,"
            " variants, created_at) VALUES (1, 1, 't', '2x1', :starts, :ends, '[]', now())"
        ),
        {"starts": starts, "ends": ends},
    )
    conn.execute(
        sa.text(
            "INSERT INTO books (id, offer_id, copies, key_id, created_at)"
            " VALUES (1, 1, 3, 1, now())"
        )
    )
    tokens = {}
    for serial, variant in ((101, 0), (102, 1), (103, 2)):
        claims = VoucherClaims(
            key_id=1,
            business_id=1,
            offer_id=1,
            serial=serial,
            valid_from=int(starts.timestamp()),
            valid_until=int(ends.timestamp()),
            variant=variant,
        )
        token = sign(claims, key)
        if tamper and serial == 102:  # a row whose token names another copy
            token = sign(VoucherClaims(**{**_fields(claims), "serial": 999}), key)
        tokens[serial] = token
        conn.execute(
            sa.text(
                "INSERT INTO vouchers (serial, book_id, offer_id, business_id, variant, token,"
                " short_code) VALUES (:serial, 1, 1, 1, :variant, :token, :code)"
            ),
            {"serial": serial, "variant": variant, "token": token, "code": short_code_for(token)},
        )
    forged = sign(VoucherClaims(**{**_fields(claims), "serial": 101}), Ed25519PrivateKey.generate())
    pushed = [(101, "accepted", tokens[101]), (101, "rejected", forged), (None, "recorded", "?")]
    for serial, outcome, text in pushed:
        conn.execute(
            sa.text(
                "INSERT INTO redemptions (id, kind, outcome, business_id, device_id, serial,"
                " token, source, kiosk_reason, server_reason, scanned_at, received_at)"
                " VALUES (:id, 'redemption', :outcome, 1, 'd', :serial, :token, 'camera',"
                " 'valid', 'valid', now(), now())"
            ),
            {"id": uuid.uuid4(), "outcome": outcome, "serial": serial, "token": text},
        )
    return {"tokens": tokens, "forged": forged}


def _fields(claims: VoucherClaims) -> dict[str, int]:
    return {name: getattr(claims, name) for name in VoucherClaims.__slots__}


@pytest.fixture
def at_0005(postgres_server: str) -> Iterator[str]:
    from pika_bench.backend_server import throwaway_database

    with throwaway_database(postgres_server, prefix="pika_test_m6") as url:  # made at head
        command.downgrade(alembic_config(url), "0005")
        yield url


def _column_names(engine: sa.Engine, table: str) -> set[str]:
    return {c["name"] for c in sa.inspect(engine).get_columns(table)}


def test_0006_keeps_claims_drops_tokens_and_downgrade_rebuilds_them(at_0005: str) -> None:
    engine = sa.create_engine(at_0005)
    try:
        with engine.begin() as conn:
            made = _fill_as_0005(conn)
        tokens, forged = made["tokens"], made["forged"]
        assert isinstance(tokens, dict)
        upgrade(at_0005)
        assert "token" not in _column_names(engine, "vouchers")
        with Session(engine) as session:
            vouchers = list(session.scalars(sa.select(Voucher).order_by(Voucher.serial)))
            rebuilt = copies.tokens(session, PrivateKeyCache(_dev_settings(at_0005)), vouchers)
        assert rebuilt == tokens  # signed again, byte for byte the stored tokens
        with engine.connect() as conn:
            pushed = dict(conn.execute(sa.text("SELECT outcome, token FROM redemptions")).all())
        assert pushed["accepted"] is None
        sealed = {pushed["rejected"], pushed["recorded"]}
        assert {unseal(DEV_SIGNING_KEY_SECRET, text) for text in sealed} == {forged, "?"}
        assert not [t for t in tokens.values() if t in dump(engine)]
        assert forged not in dump(engine)  # 0007 sealed the evidence

        command.downgrade(alembic_config(at_0005), "0005")
        with engine.connect() as conn:
            back = dict(conn.execute(sa.text("SELECT serial, token FROM vouchers")).all())
            pushed = dict(conn.execute(sa.text("SELECT outcome, token FROM redemptions")).all())
        assert back == tokens
        assert pushed == {"accepted": tokens[101], "rejected": forged, "recorded": "?"}
    finally:
        engine.dispose()


def test_0006_refuses_to_drop_a_token_it_cannot_sign_again(at_0005: str) -> None:
    engine = sa.create_engine(at_0005)
    try:
        with engine.begin() as conn:
            _fill_as_0005(conn, tamper=True)
        with pytest.raises(RuntimeError, match=r"serial 102: .*Nothing was changed"):
            upgrade(at_0005)
        with pytest.raises(RuntimeError, match="cannot be decrypted with this"):
            upgrade(at_0005, signing_key_secret=Fernet.generate_key().decode())
        assert "token" in _column_names(engine, "vouchers")
        assert "token_sha256" not in _column_names(engine, "vouchers")
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM vouchers")).scalar_one() == 3
    finally:
        engine.dispose()


def _dev_settings(url: str):  # type: ignore[no-untyped-def]
    from tests.backend.support import make_settings

    return make_settings(url)
