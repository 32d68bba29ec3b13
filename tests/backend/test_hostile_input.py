"""Issue 12, defects 3, 7 and 9: hostile input gets a typed answer, never a 5xx.

* Push: every item that passes the wire schema gets a final per-item outcome (a serial with
  its top bit set, NUL bytes in free text, a kiosk clock 70 years off).
* Every route: integers beyond what Postgres holds and NUL bytes in any path, query or body
  parameter answer 4xx in the error envelope; the walk covers every route the app has, so a
  new route is checked the day it is added.
* 404, 405 and malformed JSON answer in the documented envelope too.
"""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from pika_protocol import sync_wire
from pika_protocol.tokens import token_bytes
from tests.backend.support import ADMIN, Kiosk, Kit, push

BEYOND_BIGINT = 2**63  # 9223372036854775808: one past Postgres's bigint
TWENTY_DIGITS = "99999999999999999999"
NUL = "a\x00b"
LONE_SURROGATE = "a\ud800b"


def flip_serial_top_bit(token: str) -> str:
    """The token with bit 88 flipped: the serial's top bit (a serial beyond bigint)."""
    raw = token_bytes(token)
    assert raw is not None
    flipped = bytearray(raw)
    flipped[11] ^= 0x80
    return base64.b32encode(bytes(flipped)).decode("ascii").rstrip("=")


def _results(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    return list(response.json()["results"])


# ---------------------------------------------------------------- push: defect 3


def test_a_serial_beyond_bigint_gets_a_final_outcome(client, kit: Kit) -> None:
    business = kit.business()
    good, other = kit.vouchers(business, 2)
    kiosk = kit.kiosk(business)
    forged = flip_serial_top_bit(good.token)
    as_scan = kiosk.item(forged, kind="scan", reason="forged_signature")
    as_redemption = kiosk.item(forged)  # a hostile client calls it valid
    behind = kiosk.item(other.token)
    results = _results(push(client, kiosk, as_scan, as_redemption, behind))
    assert [(r["outcome"], r["reason"]) for r in results] == [
        ("recorded", "forged_signature"),
        ("rejected", "forged_signature"),
        ("accepted", "valid"),
    ]


@pytest.mark.parametrize("text", [NUL, "\x00" * 10], ids=["inside", "only"])
def test_a_nul_byte_in_a_scanned_token_is_recorded(client, kit: Kit, text: str) -> None:
    business = kit.business()
    (good,) = kit.vouchers(business, 1)
    kiosk = kit.kiosk(business)
    scan = kiosk.item(text, kind="scan", reason="malformed")
    redemption = kiosk.item(good.token[:20] + "\x00" + good.token[20:])
    results = _results(push(client, kiosk, scan, redemption, kiosk.item(good.token)))
    assert [(r["outcome"], r["reason"]) for r in results] == [
        ("recorded", "malformed"),
        ("rejected", "malformed"),
        ("accepted", "valid"),
    ]
    # A replay answers the same (the stored answer), and the row keeps a visible mark.
    events = client.get("/v1/admin/events", headers=ADMIN).json()
    assert any(e["kind"] == "redemptions_pushed" for e in events)


def test_a_nul_byte_in_a_void_reason_still_voids(client, kit: Kit) -> None:
    business = kit.business()
    (good,) = kit.vouchers(business, 1)
    kiosk = kit.kiosk(business)
    redemption = kiosk.item(good.token)
    void = kiosk.void(redemption["id"], reason="cliente\x00se arrepintió")
    results = _results(push(client, kiosk, redemption, void))
    assert [r["outcome"] for r in results] == ["accepted", "accepted"]


@pytest.mark.parametrize("years", [70, -70, 7000])
def test_a_kiosk_clock_decades_off_is_flagged_not_a_server_error(
    client, kit: Kit, years: int
) -> None:
    business = kit.business()
    (good,) = kit.vouchers(business, 1)
    kiosk = kit.kiosk(business)
    now = datetime.now(UTC)
    sent_at = now + timedelta(days=365 * years) if abs(years) < 100 else now.replace(year=9999)
    response = push(client, kiosk, kiosk.item(good.token), sent_at=sent_at)
    (result,) = _results(response)
    assert result["outcome"] == "accepted"
    assert result["flagged"] is True
    assert abs(response.json()["clock_skew_s"]) > 365 * 86400


@pytest.mark.parametrize(
    "scanned_at",
    ["9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+00:00", "2200-01-01T00:00:00+00:00"],
)
def test_an_implausible_scan_time_is_refused_naming_the_item(
    client, kit: Kit, scanned_at: str
) -> None:
    """Refused at the wire (422 naming ``items[1]``): the kiosk ends that item alone and sends
    the rest (``app.core.sync.push``: ``_after_refusal``), so nothing behind it waits."""
    business = kit.business()
    (good,) = kit.vouchers(business, 1)
    kiosk = kit.kiosk(business)
    bad = kiosk.item("HOSTILE", kind="scan", reason="malformed")
    bad["scanned_at"] = scanned_at
    response = push(client, kiosk, kiosk.item(good.token), bad)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_request"
    assert {(*p["loc"][:2], p["loc"][-1]) for p in error["problems"]} == {
        ("items", 1, "scanned_at")
    }


def test_an_implausible_void_time_is_refused(client, kit: Kit) -> None:
    business = kit.business()
    kiosk = kit.kiosk(business)
    void = kiosk.void(str(uuid.uuid4()))
    void["voided_at"] = "9999-12-31T23:59:59+00:00"
    response = push(client, kiosk, void)
    assert response.status_code == 422, response.text


# ---------------------------------------------------------------- every route: defect 7


def _example_bodies(kiosk: Kiosk) -> dict[tuple[str, str], dict[str, Any]]:
    """A valid body for every route that takes one; the walk spoils one field at a time."""
    now = datetime.now(UTC)
    return {
        ("POST", sync_wire.ENROL_PATH): {"code": "ABCD-EFGH", "device_name": "Caja 9"},
        ("POST", "/v1/admin/businesses"): {"name": "Kiosco", "tier": "BASIC"},
        ("PUT", "/v1/admin/businesses/{business_id}/tier"): {"tier": "PREMIUM"},
        ("POST", "/v1/admin/offers"): {
            "business_id": kiosk.business_id,
            "title": "2x1",
            "discount": "Gs. 15.000",
            "discount_kind": "amount",
            "discount_value": 15000,
            "valid_from": now.isoformat(),
            "valid_until": (now + timedelta(days=3)).isoformat(),
            "cap_total": 10,
            "cap_per_customer": 1,
            "variants": [{"variant": 1, "label": "A", "weight": 1}],
        },
        ("POST", "/v1/admin/offers/{offer_id}/books"): {"copies": 1},
        ("POST", "/v1/admin/vouchers/{serial}/revoke"): {"reason": "lost"},
        ("POST", "/v1/admin/fraud/flags/{flag_id}/review"): {"status": "dismissed", "note": "ok"},
        ("POST", "/v1/analytics/businesses/{business_id}/fraud-flags/{flag_id}/review"): {
            "status": "dismissed",
            "note": "ok",
        },
        ("POST", "/v1/manager/enrol"): {"code": "ABCDE-FGHJK0", "name": "Oficina"},
        ("POST", "/v1/admin/books/{book_id}/distributions"): {
            "first_copy": 1,
            "last_copy": 1,
            "place": "Luque",
            "handed_out_on": now.date().isoformat(),
        },
        ("POST", "/v1/admin/businesses/{business_id}/payments"): {
            "kind": "placement",
            "amount": 100_000,
            "starts": now.date().isoformat(),
            "note": "ok",
        },
        ("PUT", "/v1/admin/businesses/{business_id}/usual-ticket"): {"amount": 50_000},
        ("POST", sync_wire.PUSH_PATH): {
            "sent_at": now.isoformat(),
            "items": [
                kiosk.item(
                    "GUESS",
                    kind="scan",
                    reason="malformed",
                    serial=1,
                    offer_id=1,
                    variant=1,
                    location=(1.0, 1.0),
                ),
                kiosk.void(str(uuid.uuid4())),
            ],
        },
    }


def _spoiled(value: Any) -> list[Any]:
    """Hostile stand-ins for one JSON value: beyond bigint for numbers, NUL for text."""
    if isinstance(value, bool):
        return []
    if isinstance(value, int):
        return [BEYOND_BIGINT, -BEYOND_BIGINT - 1, 2**64]
    if isinstance(value, str):
        return [NUL, value + "\x00", LONE_SURROGATE]
    return []


def _variants(body: Any) -> list[tuple[str, Any]]:
    """``body`` with one leaf spoiled at a time, labelled by its path."""
    out: list[tuple[str, Any]] = []
    if isinstance(body, dict):
        for key, value in body.items():
            for bad in _spoiled(value):
                out.append((key, {**body, key: bad}))
            for label, inner in _variants(value):
                out.append((f"{key}.{label}", {**body, key: inner}))
    elif isinstance(body, list):
        for i, value in enumerate(body):
            for label, inner in _variants(value):
                out.append((f"{i}.{label}", [*body[:i], inner, *body[i + 1 :]]))
            for bad in _spoiled(value):
                out.append((str(i), [*body[:i], bad, *body[i + 1 :]]))
    return out


def _param_values(schema: dict[str, Any]) -> list[str]:
    if "integer" in json.dumps(schema):
        return [str(BEYOND_BIGINT), TWENTY_DIGITS, str(-BEYOND_BIGINT - 1)]
    return [NUL, "\x00"]


def _operations(app: Any) -> list[tuple[str, str, dict[str, Any]]]:
    """Every (method, path template, operation) the app publishes in its OpenAPI schema."""
    return [
        (method.upper(), path, operation)
        for path, item in app.openapi()["paths"].items()
        for method, operation in item.items()
    ]


def _send(
    client: TestClient, method: str, path: str, auth: dict[str, str], json_body: Any, **kw: Any
) -> Any:
    headers = {**auth, "Idempotency-Key": str(uuid.uuid4())}
    if json_body is None:
        return client.request(method, path, headers=headers, **kw)
    # json.dumps escapes a lone surrogate as \ud800, as a hostile client would send it.
    headers["Content-Type"] = "application/json"
    return client.request(method, path, headers=headers, content=json.dumps(json_body), **kw)


def _check(response: Any, what: str) -> None:
    assert response.status_code < 500, f"{what}: {response.status_code} {response.text[:300]}"
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"error"} and body["error"]["code"], f"{what}: {body}"


def test_every_parameter_of_every_route_refuses_beyond_bigint_and_nul(kit: Kit) -> None:
    """Walks the app's routes (its OpenAPI schema): every path, query and body parameter,
    one spoiled at a time, answers below 500 in the error envelope."""
    from sync_backend.app import create_app

    business = kit.business()
    kit.vouchers(business, 1)
    kiosk = kit.kiosk(business)
    bodies = _example_bodies(kiosk)
    app = create_app(kit.settings)
    checked = 0
    with TestClient(app, raise_server_exceptions=False) as client:
        operations = _operations(app)
        assert {(m, p) for m, p, _ in operations} >= set(bodies)
        for method, template, operation in operations:
            head_office = ("/v1/admin", "/health/detail", "/v1/analytics")  # the token reads all
            auth = ADMIN if template.startswith(head_office) else kiosk.headers
            body = bodies.get((method, template))
            assert body is not None or "requestBody" not in operation, (method, template)
            params = operation.get("parameters", [])
            in_path = [p for p in params if p["in"] == "path"]
            fine_path = template
            for param in in_path:
                fine_path = fine_path.replace(f"{{{param['name']}}}", "1")
            for param in in_path:
                for value in _param_values(param["schema"]):
                    path = template.replace(f"{{{param['name']}}}", quote(value, safe=""))
                    for other in in_path:
                        path = path.replace(f"{{{other['name']}}}", "1")
                    response = _send(client, method, path, auth, json_body=body)
                    _check(response, f"{method} {template} {param['name']}={value!r}")
                    checked += 1
            for param in [p for p in params if p["in"] == "query"]:
                for value in _param_values(param["schema"]):
                    response = _send(
                        client,
                        method,
                        fine_path,
                        auth,
                        json_body=body,
                        params={param["name"]: value},
                    )
                    _check(response, f"{method} {template} ?{param['name']}={value!r}")
                    assert response.status_code == 422, (template, param["name"], value)
                    checked += 1
            if body is None:
                continue
            for label, spoiled in _variants(body):
                response = _send(client, method, fine_path, auth, json_body=spoiled)
                _check(response, f"{method} {template} body {label}")
                checked += 1
    assert checked > 150


def test_a_cursor_of_twenty_digits_is_refused(client, kit: Kit) -> None:
    business = kit.business()
    kiosk = kit.kiosk(business)
    for cursor in [f"{TWENTY_DIGITS}.1", f"1.{TWENTY_DIGITS}", f"-{TWENTY_DIGITS}.1"]:
        response = client.get(sync_wire.PULL_PATH, headers=kiosk.headers, params={"cursor": cursor})
        assert response.status_code == 422, response.text
        assert response.json()["error"]["code"] == "invalid_cursor"
    for limit in ["0", str(BEYOND_BIGINT)]:
        response = client.get(sync_wire.PULL_PATH, headers=kiosk.headers, params={"limit": limit})
        assert response.status_code == 422, response.text


def test_a_nul_byte_in_a_device_name_is_refused(client, kit: Kit) -> None:
    business = kit.business()
    code = client.post(f"/v1/admin/businesses/{business}/enrolment-codes", headers=ADMIN)
    body = {"code": code.json()["code"], "device_name": NUL}
    response = client.post(sync_wire.ENROL_PATH, json=body)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "invalid_request"


# ---------------------------------------------------------------- envelope: defect 9


def test_not_found_method_not_allowed_and_bad_json_use_the_envelope(client) -> None:
    missing = client.get("/v1/nothing-here")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"

    wrong_method = client.delete(sync_wire.PULL_PATH)
    assert wrong_method.status_code == 405
    assert wrong_method.json()["error"]["code"] == "method_not_allowed"
    assert "GET" in wrong_method.headers["allow"]

    broken = client.post(
        "/v1/admin/businesses",
        headers={**ADMIN, "Content-Type": "application/json"},
        content=b'{"name": "Kiosco",',
    )
    assert broken.status_code == 422, broken.text
    assert broken.json()["error"]["code"] == "malformed_json"

    broken_enrol = client.post(
        sync_wire.ENROL_PATH, headers={"Content-Type": "application/json"}, content=b"{nope"
    )
    assert broken_enrol.status_code == 422
    assert broken_enrol.json()["error"]["code"] == "malformed_json"


# ---------------------------------------------------------------- strict admin bodies


@pytest.mark.parametrize(
    ("route", "field", "value"),
    [
        ("book", "copies", True),
        ("book", "copies", "3"),
        ("book", "copies", 3.0),
        ("offer", "business_id", True),
        ("offer", "cap_total", "5"),
        ("offer", "discount_value", 15000.0),
        ("offer", "valid_from", 123),
        ("offer", "valid_from", "123"),
    ],
)
def test_admin_bodies_read_no_number_into_another_type(
    client, kit: Kit, route: str, field: str, value: Any
) -> None:
    """``copies: true`` is not one copy, and ``valid_from: 123`` is not 1970."""
    business = kit.business()
    now = datetime.now(UTC)
    offer = {
        "business_id": business,
        "title": "2x1",
        "discount": "Gs. 15.000",
        "discount_kind": "amount",
        "discount_value": 15000,
        "valid_from": now.isoformat(),
        "valid_until": (now + timedelta(days=3)).isoformat(),
        "cap_total": 10,
    }
    if route == "book":
        path, body = f"/v1/admin/offers/{kit.offer(business)}/books", {"copies": value}
    else:
        path, body = "/v1/admin/offers", {**offer, field: value}
    response = client.post(path, headers=ADMIN, json=body)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "invalid_request"
