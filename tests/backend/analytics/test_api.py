"""The analytics API over HTTP: who may read what (every route × every kind of caller), and
clear refusals for bad questions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from pika_protocol import analytics_wire as wire
from pika_protocol import sync_wire
from sync_backend.analytics.lifecycle import BusinessCalendar
from sync_backend.analytics.runner import run_once
from sync_backend.db import make_sessionmaker
from sync_backend.managers import service as managers
from sync_backend.models import FraudFlag, Voucher
from sync_backend.settings import Settings
from tests.backend.support import ADMIN, Kit, push

CALENDAR = BusinessCalendar.named("America/Asuncion")


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def _manager_key(client: TestClient, business: int, name: str = "Oficina") -> str:
    invited = client.post(f"/v1/admin/businesses/{business}/manager-invitations", headers=ADMIN)
    assert invited.status_code == 201, invited.text
    answer = client.post(
        wire.MANAGER_ENROL_PATH, json={"code": invited.json()["code"], "name": name}
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["api_key"])


@pytest.fixture
def world(client: TestClient, kit: Kit, session: Session, settings: Settings) -> dict[str, Any]:
    """Two businesses, a manager of each, a revoked manager, a kiosk, a fraud flag."""
    own, other = kit.business("Panadería Ñandutí"), kit.business("Ferretería Sur")
    kiosk = kit.kiosk(own)
    revoked = _manager_key(client, own, "PC vieja")
    revoked_id = managers.authenticate(session, revoked, datetime.now(UTC)).manager_id
    assert client.post(f"/v1/admin/managers/{revoked_id}/revoke", headers=ADMIN).status_code == 204
    session.add(FraudFlag(rule="scan_rate", dedupe_key="t1", business_id=own, evidence={}))
    session.commit()
    flag = session.execute(sa.select(FraudFlag.id)).scalar_one()
    today = datetime.now(CALENDAR.timezone).date()
    return {
        "own": own,
        "kiosk": kiosk.device_id,
        "flag": flag,
        "days": {
            "first_day": (today - timedelta(days=30)).isoformat(),
            "last_day": today.isoformat(),
        },
        "keys": {
            "none": {},
            "other_manager": _bearer(_manager_key(client, other)),
            "device": kiosk.headers,
            "revoked_manager": _bearer(revoked),
            "own_manager": _bearer(_manager_key(client, own)),
            "admin": ADMIN,
        },
    }


BUSINESS_EXPECTED = {
    "none": 401,
    "other_manager": 403,
    "device": 401,
    "revoked_manager": 403,
    "own_manager": 200,
    "admin": 200,
}
OVERVIEW_EXPECTED = {**BUSINESS_EXPECTED, "own_manager": 403}
CALLERS = list(BUSINESS_EXPECTED)


def _business_routes(world: dict[str, Any]) -> list[tuple[str, str, dict[str, Any], Any]]:
    b, days = world["own"], world["days"]
    return [
        ("GET", f"/v1/analytics/businesses/{b}/dashboard", days, None),
        ("GET", f"/v1/analytics/businesses/{b}/kiosks", {}, None),
        (
            "GET",
            f"/v1/analytics/businesses/{b}/hour-weekday",
            {**days, "kiosk": world["kiosk"]},
            None,
        ),
        ("GET", f"/v1/analytics/businesses/{b}/redemptions", days, None),
        ("GET", f"/v1/analytics/businesses/{b}/fraud-flags", {"status": "open"}, None),
        (
            "POST",
            f"/v1/analytics/businesses/{b}/fraud-flags/{world['flag']}/review",
            {},
            {"status": "dismissed", "note": "a busy Saturday"},
        ),
    ]


@pytest.mark.parametrize("caller", CALLERS)
def test_every_business_route_admits_its_manager_and_head_office_only(
    client: TestClient, world: dict[str, Any], caller: str
) -> None:
    for method, path, params, body in _business_routes(world):
        answer = client.request(
            method, path, params=params, json=body, headers=world["keys"][caller]
        )
        assert answer.status_code == BUSINESS_EXPECTED[caller], (caller, path, answer.text)
        if answer.status_code >= 400:
            assert "error" in answer.json()


@pytest.mark.parametrize("caller", CALLERS)
def test_the_overview_is_head_offices_alone(
    client: TestClient, world: dict[str, Any], caller: str
) -> None:
    answer = client.get(
        "/v1/analytics/overview", params=world["days"], headers=world["keys"][caller]
    )
    assert answer.status_code == OVERVIEW_EXPECTED[caller], (caller, answer.text)


def test_refusals_say_why(client: TestClient, world: dict[str, Any]) -> None:
    keys = world["keys"]
    assert client.get("/v1/analytics/me", headers=keys["device"]).json()["error"]["code"] == (
        "device_key_refused"
    )
    path = f"/v1/analytics/businesses/{world['own']}/dashboard"
    other = client.get(path, params=world["days"], headers=keys["other_manager"])
    assert other.json()["error"]["code"] == "other_business"
    revoked = client.get(path, params=world["days"], headers=keys["revoked_manager"])
    assert revoked.json()["error"]["code"] == "manager_revoked"
    # a manager key opens no kiosk route and no head-office route
    pulled = client.get(sync_wire.PULL_PATH, headers=keys["own_manager"])
    assert (pulled.status_code, pulled.json()["error"]["code"]) == (401, "manager_key_refused")
    admin = client.get("/v1/admin/managers", headers=keys["own_manager"])
    assert admin.status_code == 401


def test_who_am_i(client: TestClient, world: dict[str, Any]) -> None:
    me = client.get("/v1/analytics/me", headers=world["keys"]["own_manager"]).json()
    assert me == {
        "role": "manager",
        "business_id": world["own"],
        "business_name": "Panadería Ñandutí",
        "rotate_key": False,
    }
    head = client.get("/v1/analytics/me", headers=ADMIN).json()
    assert head["role"] == "head_office" and head["business_id"] is None


def test_bad_questions_get_clear_refusals(client: TestClient, world: dict[str, Any]) -> None:
    path = f"/v1/analytics/businesses/{world['own']}/dashboard"
    key = world["keys"]["own_manager"]
    today = datetime.now(CALENDAR.timezone).date()
    cases = [
        (
            {"first_day": today.isoformat(), "last_day": (today - timedelta(days=1)).isoformat()},
            422,
            "reversed_range",
        ),
        (
            {
                "first_day": (today - timedelta(days=2000)).isoformat(),
                "last_day": today.isoformat(),
            },
            422,
            "range_too_long",
        ),
        ({**world["days"], "offer_id": 999_999}, 404, "unknown_offer"),
        ({"first_day": "yesterday", "last_day": today.isoformat()}, 422, "invalid_request"),
        ({**world["days"], "bucket": "year"}, 422, "invalid_request"),
    ]
    for params, status, code in cases:
        answer = client.get(path, params=params, headers=key)
        assert (answer.status_code, answer.json()["error"]["code"]) == (status, code), params


def test_a_business_with_no_data_answers_empty_figures(
    client: TestClient, world: dict[str, Any]
) -> None:
    answer = client.get(
        f"/v1/analytics/businesses/{world['own']}/dashboard",
        params=world["days"],
        headers=world["keys"]["own_manager"],
    )
    figures = wire.DashboardOut.model_validate(answer.json())
    assert not figures.funnel.has_data
    assert [s.value for s in figures.funnel.steps if not s.measured] == [None, None, None]
    assert figures.roi is not None and figures.roi.estimated_roi is None  # nothing paid


def test_a_pushed_redemption_reaches_the_dashboard(
    client: TestClient, kit: Kit, engine: sa.Engine
) -> None:
    business = kit.business("Heladería")
    copies = kit.vouchers(business, copies=3)
    kiosk = kit.kiosk(business, "Caja 1")
    assert push(client, kiosk, kiosk.item(copies[0].token)).status_code == 200
    run_once(make_sessionmaker(engine), CALENDAR)
    key = _manager_key(client, business)
    today = datetime.now(CALENDAR.timezone).date()
    answer = client.get(
        f"/v1/analytics/businesses/{business}/dashboard",
        params={"first_day": today.isoformat(), "last_day": today.isoformat()},
        headers=_bearer(key),
    )
    figures = wire.DashboardOut.model_validate(answer.json())
    steps = {s.name: s.value for s in figures.funnel.steps}
    assert steps["scanned"] == 1 and steps["redeemed"] == 1
    assert [(k.name, k.redeemed) for k in figures.kiosks] == [("Caja 1", 1)]
    listed = client.get(
        f"/v1/analytics/businesses/{business}/redemptions",
        params={"first_day": today.isoformat(), "last_day": today.isoformat()},
        headers=_bearer(key),
    ).json()
    assert [(r["device_name"], r["outcome"]) for r in listed] == [("Caja 1", "accepted")]


def test_a_manager_rotates_its_key(client: TestClient, kit: Kit) -> None:
    key = _manager_key(client, kit.business())
    rotated = client.post(wire.MANAGER_ROTATE_PATH, headers=_bearer(key))
    assert rotated.status_code == 200, rotated.text
    new = rotated.json()["api_key"]
    assert client.get("/v1/analytics/me", headers=_bearer(new)).status_code == 200
    assert client.get("/v1/analytics/me", headers=_bearer(key)).status_code == 200  # overlap
    # head office's token rotates nothing here
    assert client.post(wire.MANAGER_ROTATE_PATH, headers=ADMIN).status_code == 401


def test_head_office_records_by_api(client: TestClient, kit: Kit, session: Session) -> None:
    business = kit.business()
    copies = kit.vouchers(business, copies=10)
    book = session.execute(
        sa.select(Voucher.book_id).where(Voucher.serial == copies[0].serial)
    ).scalar_one()
    today = datetime.now(CALENDAR.timezone).date().isoformat()
    out = client.post(
        f"/v1/admin/books/{book}/distributions",
        json={"first_copy": 1, "last_copy": 4, "place": "Luque", "handed_out_on": today},
        headers=ADMIN,
    )
    assert out.status_code == 201, out.text
    assert sum(out.json()["copies_by_variant"].values()) == 4
    again = client.post(
        f"/v1/admin/books/{book}/distributions",
        json={"first_copy": 3, "last_copy": 5, "place": "Luque", "handed_out_on": today},
        headers=ADMIN,
    )
    assert (again.status_code, again.json()["error"]["code"]) == (409, "already_distributed")
    paid = client.post(
        f"/v1/admin/businesses/{business}/payments",
        json={"kind": "placement", "amount": 500_000, "starts": today},
        headers=ADMIN,
    )
    assert paid.status_code == 201, paid.text
    negative = client.post(
        f"/v1/admin/businesses/{business}/payments",
        json={"kind": "placement", "amount": -1, "starts": today},
        headers=ADMIN,
    )
    assert negative.status_code == 422
    ticket = client.put(
        f"/v1/admin/businesses/{business}/usual-ticket", json={"amount": 60_000}, headers=ADMIN
    )
    assert ticket.status_code == 204
