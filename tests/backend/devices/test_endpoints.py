"""Enrolment, API keys (hashed, rotating with overlap), revocation, and the auth matrix."""

from __future__ import annotations

import base64
import io
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from pika_protocol import sync_wire
from sync_backend.devices.service import new_enrolment_code
from sync_backend.models import DeviceKey, EnrolmentCode
from sync_backend.settings import sha256_hex
from tests.backend.support import ADMIN, Kiosk, Kit, push, push_body


def enrol(client, code: str, name: str = "Caja 1"):  # type: ignore[no-untyped-def]
    return client.post(sync_wire.ENROL_PATH, json={"code": code, "device_name": name})


def test_enrolment_exchanges_a_one_time_code_for_a_key(client, kit: Kit, session) -> None:
    business = kit.business("Café Central")
    kit.vouchers(business, 1)  # makes a signing key
    created = client.post(f"/v1/admin/businesses/{business}/enrolment-codes", headers=ADMIN).json()
    code = created["code"]
    png = base64.b64decode(created["qr_png_base64"])
    assert png.startswith(b"\x89PNG")
    import zxingcpp
    from PIL import Image

    (read,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert read.text == created["qr_text"] == code  # no public URL configured: the bare code
    answer = enrol(client, code.lower().replace("-", " "))  # typed loosely at the counter
    assert answer.status_code == 201, answer.text
    body = sync_wire.EnrolResponse.model_validate(answer.json())
    assert body.business.name == "Café Central" and len(body.public_keys) == 1
    # Only the hash is stored.
    hashes = session.execute(sa.select(DeviceKey.key_hash)).scalars().all()
    assert hashes == [sha256_hex(body.api_key)]
    # The code works once.
    again = enrol(client, code)
    assert again.status_code == 401 and again.json()["error"]["code"] == "enrolment_code_refused"


def test_expired_unknown_and_mistyped_codes_are_refused(client, kit: Kit, session) -> None:
    business = kit.business()
    code = client.post(f"/v1/admin/businesses/{business}/enrolment-codes", headers=ADMIN).json()[
        "code"
    ]
    session.execute(
        sa.update(EnrolmentCode).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    )
    session.commit()
    assert enrol(client, code).json()["error"]["code"] == "enrolment_code_refused"
    assert enrol(client, new_enrolment_code()).status_code == 401
    typo = code[:-1] + ("0" if code[-1] != "0" else "1")
    response = enrol(client, typo)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_enrolment_code"
    assert enrol(client, "x").status_code == 422


def test_enrolment_code_for_unknown_business_is_404(client) -> None:
    assert client.post("/v1/admin/businesses/999/enrolment-codes", headers=ADMIN).status_code == 404


def test_key_rotation_keeps_the_old_key_for_the_overlap_window(client, kit: Kit, session) -> None:
    kiosk = kit.kiosk(kit.business())
    rotated = client.post(sync_wire.ROTATE_KEY_PATH, headers=kiosk.headers)
    assert rotated.status_code == 200
    body = sync_wire.KeyRotation.model_validate(rotated.json())
    overlap = body.previous_key_expires_at - datetime.now(UTC)
    assert timedelta(days=6, hours=23) < overlap <= timedelta(days=7)
    new = {"Authorization": f"Bearer {body.api_key}"}
    assert client.get(sync_wire.PULL_PATH, headers=new).status_code == 200
    assert client.get(sync_wire.PULL_PATH, headers=kiosk.headers).status_code == 200
    # After the overlap the old key is refused with a code the kiosk can act on.
    session.execute(
        sa.update(DeviceKey)
        .where(DeviceKey.key_hash == sha256_hex(kiosk.api_key))
        .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    )
    session.commit()
    old = client.get(sync_wire.PULL_PATH, headers=kiosk.headers)
    assert old.status_code == 401 and old.json()["error"]["code"] == "api_key_expired"


def test_pull_says_when_the_key_is_due_for_rotation(client, kit: Kit, session) -> None:
    kiosk = kit.kiosk(kit.business())
    assert client.get(sync_wire.PULL_PATH, headers=kiosk.headers).json()["rotate_key"] is False
    session.execute(sa.update(DeviceKey).values(rotate_after=datetime.now(UTC) - timedelta(days=1)))
    session.commit()
    assert client.get(sync_wire.PULL_PATH, headers=kiosk.headers).json()["rotate_key"] is True


def test_revoked_device_is_told_to_wipe(client, kit: Kit) -> None:
    kiosk = kit.kiosk(kit.business())
    assert (
        client.post(f"/v1/admin/devices/{kiosk.device_id}/revoke", headers=ADMIN).status_code == 204
    )
    response = client.get(sync_wire.PULL_PATH, headers=kiosk.headers)
    assert response.status_code == 403
    assert response.json()["error"] == {
        "code": "device_revoked",
        "message": "this device was revoked by head office; wipe local data",
        "wipe": True,
    }


# ------------------------------------------------------------------ authorisation matrix

DEVICE_ROUTES = [
    ("GET", sync_wire.PULL_PATH),
    ("POST", sync_wire.PUSH_PATH),
    ("POST", sync_wire.ROTATE_KEY_PATH),
]
ADMIN_ROUTES = [
    ("GET", "/v1/admin/businesses"),
    ("POST", "/v1/admin/businesses"),
    ("PUT", "/v1/admin/businesses/1/tier"),
    ("POST", "/v1/admin/businesses/1/enrolment-codes"),
    ("GET", "/v1/admin/devices"),
    ("POST", "/v1/admin/devices/x/revoke"),
    ("GET", "/v1/admin/offers"),
    ("POST", "/v1/admin/offers"),
    ("POST", "/v1/admin/offers/1/books"),
    ("GET", "/v1/admin/books/1/sheet.pdf"),
    ("POST", "/v1/admin/vouchers/1/revoke"),
    ("GET", "/v1/admin/signing-keys"),
    ("POST", "/v1/admin/signing-keys/rotate"),
    ("GET", "/v1/admin/fraud/flags"),
    ("POST", "/v1/admin/fraud/flags/1/review"),
    ("POST", "/v1/admin/fraud/run"),
    ("GET", "/v1/admin/events"),
]


def call(client, method: str, path: str, headers: dict[str, str]):  # type: ignore[no-untyped-def]
    if method == "GET":
        return client.get(path, headers=headers)
    return client.request(method, path, headers={**headers, "Idempotency-Key": "k"}, json={})


@pytest.fixture
def kiosks(kit: Kit, client, session) -> dict[str, Kiosk]:
    business, other = kit.business("Mine"), kit.business("Theirs")
    valid, revoked, rotated = kit.kiosk(business), kit.kiosk(business), kit.kiosk(business)
    client.post(f"/v1/admin/devices/{revoked.device_id}/revoke", headers=ADMIN)
    client.post(sync_wire.ROTATE_KEY_PATH, headers=rotated.headers)
    session.execute(
        sa.update(DeviceKey)
        .where(DeviceKey.key_hash == sha256_hex(rotated.api_key))
        .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    )
    session.commit()
    return {"valid": valid, "revoked": revoked, "rotated_out": rotated, "other": kit.kiosk(other)}


@pytest.mark.parametrize(("method", "path"), DEVICE_ROUTES)
def test_device_routes_matrix(client, kiosks: dict[str, Kiosk], method: str, path: str) -> None:
    def status(headers: dict[str, str]) -> tuple[int, str]:
        response = call(client, method, path, headers)
        code = (
            response.json().get("error", {}).get("code", "") if response.status_code >= 400 else ""
        )
        return response.status_code, code

    assert status({}) == (401, "not_authenticated")
    assert status({"Authorization": "Bearer pika_not-a-key"}) == (401, "invalid_api_key")
    assert status(ADMIN) == (401, "invalid_api_key")  # the admin token is no device key
    assert status(kiosks["revoked"].headers) == (403, "device_revoked")
    assert status(kiosks["rotated_out"].headers) == (401, "api_key_expired")
    # A valid key gets past authentication (the empty push body is then refused as input).
    assert status(kiosks["valid"].headers)[0] in (200, 422)


def test_device_sees_and_writes_only_its_own_business(
    client, kit: Kit, kiosks: dict[str, Kiosk]
) -> None:
    mine, theirs = kiosks["valid"], kiosks["other"]
    their_voucher = kit.vouchers(theirs.business_id, 1)[0]
    pulled = client.get(sync_wire.PULL_PATH, headers=mine.headers).json()
    assert pulled["vouchers"] == [] and pulled["offers"] == []
    # Writing as the other business: items naming it are refused, its vouchers are not ours.
    as_them = mine.item(
        their_voucher.token, business_id=theirs.business_id, device_id=theirs.device_id
    )
    plain = mine.item(their_voucher.token)
    results = push(client, mine, as_them, plain).json()["results"]
    assert [(r["outcome"], r["reason"]) for r in results] == [
        ("rejected", "wrong_device"),
        ("rejected", "other_business"),
    ]


@pytest.mark.parametrize(("method", "path"), ADMIN_ROUTES)
def test_admin_routes_matrix(client, kiosks: dict[str, Kiosk], method: str, path: str) -> None:
    for headers in (
        {},
        {"Authorization": "Bearer wrong-admin-token"},
        kiosks["valid"].headers,
        kiosks["revoked"].headers,
        kiosks["rotated_out"].headers,
    ):
        response = call(client, method, path, headers)
        assert response.status_code == 401, (headers, response.text)
    response = call(client, method, path, ADMIN)
    assert response.status_code not in (401, 403), response.text


def test_push_with_valid_key_and_empty_body_is_input_error(
    client, kiosks: dict[str, Kiosk]
) -> None:
    response = client.post(
        sync_wire.PUSH_PATH,
        headers={**kiosks["valid"].headers, "Idempotency-Key": "k"},
        json=push_body(),
    )
    assert response.status_code == 422
