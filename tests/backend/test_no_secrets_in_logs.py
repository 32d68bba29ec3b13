"""No secret reaches a log line: a whole head-office day at DEBUG, every logger captured.

Enrolment, pulls and pushes with real voucher tokens (accepted, forged, a conflict, a retry,
a void), refusals (a wrong key, a bad body, an oversized one, a rate limit), a key rotation,
a manager's sign-in and reads, admin calls, fraud checks, health and metrics, and a backend
whose database is down. Every record of every logger (the backend's, uvicorn's, SQLAlchemy's,
httpx's, Redis's) is read raw, and none may hold an API key, the admin token, a manager key,
the metrics token, the signing-key secret or a private key, a one-time code, or a whole token.
"""

from __future__ import annotations

import base64
import logging
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from pika_protocol import analytics_wire, sync_wire
from sync_backend.app import create_app
from sync_backend.db import transaction
from sync_backend.deps import services_of
from sync_backend.models import SigningKey
from sync_backend.vouchers.signing import PrivateKeyCache
from tests.backend.support import ADMIN, ADMIN_TOKEN, make_settings
from tests.support.log_capture import every_log_line, leaks

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

METRICS_TOKEN = "metrics-" + secrets.token_hex(16)


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def item(kiosk: dict[str, Any], token: str, business: int, **extra: Any) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "kind": "redemption",
        "token": token,
        "business_id": business,
        "reason": "valid",
        "scanned_at": datetime.now(UTC).isoformat(),
        "device_id": kiosk["device_id"],
        "source": "camera",
        **extra,
    }


def push(client: TestClient, key: str, *items: dict[str, Any], idem: str | None = None) -> Any:
    return client.post(
        sync_wire.PUSH_PATH,
        headers={**bearer(key), "Idempotency-Key": idem or str(uuid.uuid4())},
        json={"items": list(items), "sent_at": datetime.now(UTC).isoformat()},
    )


class Day:
    """The flow, noting every secret it meets."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.secrets: dict[str, str] = {}
        self.tokens: list[str] = []

    def keep(self, label: str, value: str) -> str:
        self.secrets[label] = value
        return value

    def admin(self, method: str, path: str, **kw: Any) -> Any:
        answer = self.client.request(method, path, headers=ADMIN, **kw)
        assert answer.status_code < 300, (path, answer.status_code, answer.text)
        return answer.json() if answer.content else None

    def business(self, name: str, tier: str) -> int:
        return int(
            self.admin("POST", "/v1/admin/businesses", json={"name": name, "tier": tier})["id"]
        )

    def book(self, business: int, copies: int) -> None:
        now = datetime.now(UTC)
        offer = self.admin(
            "POST",
            "/v1/admin/offers",
            json={
                "business_id": business,
                "title": "2x1",
                "discount": "2x1",
                "valid_from": (now - timedelta(days=1)).isoformat(),
                "valid_until": (now + timedelta(days=30)).isoformat(),
            },
        )
        self.admin("POST", f"/v1/admin/offers/{offer['id']}/books", json={"copies": copies})

    def kiosk(self, business: int, name: str) -> dict[str, Any]:
        code = self.admin("POST", f"/v1/admin/businesses/{business}/enrolment-codes")["code"]
        self.keep(f"enrolment code {name}", code)
        answer = self.client.post(sync_wire.ENROL_PATH, json={"code": code, "device_name": name})
        assert answer.status_code == 201, answer.text
        enrolled: dict[str, Any] = answer.json()
        self.keep(f"API key {name}", enrolled["api_key"])
        # The code again: refused, and still not logged.
        again = self.client.post(sync_wire.ENROL_PATH, json={"code": code, "device_name": name})
        assert again.status_code == 401
        return enrolled

    def pull(self, key: str, outbox: str = "0 0") -> list[str]:
        answer = self.client.get(
            sync_wire.PULL_PATH, headers={**bearer(key), sync_wire.OUTBOX_HEADER: outbox}
        )
        assert answer.status_code == 200, answer.text
        tokens = [v["token"] for v in answer.json()["vouchers"]]
        for token in tokens:
            if token not in self.tokens:
                self.keep(f"voucher token #{len(self.tokens)}", token)
                self.tokens.append(token)
        return tokens


def run_the_day(client: TestClient) -> Day:
    day = Day(client)
    shop = day.business("Café", "PREMIUM")
    small = day.business("Kiosco", "BASIC")
    day.admin("POST", "/v1/admin/signing-keys/rotate")
    day.book(shop, 8)
    day.book(small, 8)
    caja1, caja2 = day.kiosk(shop, "Caja 1"), day.kiosk(shop, "Caja 2")
    kiosco = day.kiosk(small, "Kiosco")
    key1, key2 = caja1["api_key"], caja2["api_key"]
    tokens = day.pull(key1, outbox="3 7200")
    day.pull(key2)
    small_tokens = day.pull(kiosco["api_key"])

    # Redemptions, a forged copy, a retry, a conflict at the other kiosk, a void.
    forged = tokens[2][:-6] + ("A" if tokens[2][-6] != "A" else "B") + tokens[2][-5:]
    day.keep("forged token", forged)
    first = item(caja1, tokens[0], shop)
    batch = [
        first,
        item(caja1, tokens[1], shop),
        item(caja1, forged, shop, kind="scan", reason="forged_signature"),
    ]
    key = str(uuid.uuid4())
    assert push(client, key1, *batch, idem=key).status_code == 200
    assert push(client, key1, *batch, idem=key).headers.get("Idempotent-Replayed") == "true"
    assert (
        push(client, key2, item(caja2, tokens[0], shop)).json()["results"][0]["outcome"]
        == "conflict"
    )
    void = {
        "id": str(uuid.uuid4()),
        "kind": "void",
        "redemption_id": first["id"],
        "void_reason": "cashier undo",
        "voided_at": datetime.now(UTC).isoformat(),
        "business_id": shop,
        "device_id": caja1["device_id"],
    }
    assert push(client, key1, void).status_code == 200

    # Refusals: wrong key, a body the server cannot take, one too large, the shop's limit.
    assert (
        push(client, "pika_" + secrets.token_urlsafe(32), item(caja1, tokens[3], shop)).status_code
        == 401
    )
    bad = client.post(
        sync_wire.PUSH_PATH,
        headers={**bearer(key1), "Idempotency-Key": str(uuid.uuid4())},
        json={"items": [{**item(caja1, tokens[3], shop), "reason": "not-a-reason"}]},
    )
    assert bad.status_code == 422
    huge = client.post(
        sync_wire.PUSH_PATH,
        headers={**bearer(key1), "Idempotency-Key": str(uuid.uuid4())},
        content=b'{"items": ["' + tokens[4].encode() * 8000 + b'"]}',
    )
    assert huge.status_code == 413
    small_key = kiosco["api_key"]
    within = push(client, small_key, *(item(kiosco, t, small) for t in small_tokens[:3]))
    assert within.status_code == 200, within.text
    over = push(client, small_key, *(item(kiosco, t, small) for t in small_tokens[3:6]))
    assert over.status_code == 429, over.text
    assert (
        client.get("/v1/admin/businesses", headers=bearer("wrong-" + ADMIN_TOKEN)).status_code
        == 401
    )

    # A key rotation, then the new key at work.
    rotated = client.post(sync_wire.ROTATE_KEY_PATH, headers=bearer(key1))
    assert rotated.status_code == 200, rotated.text
    new_key = day.keep("API key Caja 1 rotated", rotated.json()["api_key"])
    day.pull(new_key)

    # A shop manager signs in, reads, rotates; head office reads everything.
    invitation = day.admin("POST", f"/v1/admin/businesses/{shop}/manager-invitations")["code"]
    day.keep("manager invitation", invitation)
    signed_in = client.post(
        analytics_wire.MANAGER_ENROL_PATH, json={"code": invitation, "name": "Oficina"}
    )
    assert signed_in.status_code == 201, signed_in.text
    manager_key = day.keep("manager key", signed_in.json()["api_key"])
    assert client.get(analytics_wire.WHOAMI_PATH, headers=bearer(manager_key)).status_code == 200
    dashboard = analytics_wire.DASHBOARD_PATH.format(business_id=shop)
    today = datetime.now(UTC).date()
    days = {"first_day": str(today - timedelta(days=30)), "last_day": str(today)}
    assert client.get(dashboard, headers=bearer(manager_key), params=days).status_code == 200
    assert client.get(sync_wire.PULL_PATH, headers=bearer(manager_key)).status_code == 401
    manager_rotated = client.post(analytics_wire.MANAGER_ROTATE_PATH, headers=bearer(manager_key))
    assert manager_rotated.status_code == 200, manager_rotated.text
    day.keep("manager key rotated", manager_rotated.json()["api_key"])
    day.admin("POST", "/v1/admin/fraud/run")
    day.admin("GET", "/v1/admin/fraud/flags")
    day.admin("GET", "/v1/admin/devices")
    day.admin("GET", "/v1/admin/events")
    assert client.get("/health/detail", headers=ADMIN).status_code == 200
    assert client.get("/metrics", headers=bearer(METRICS_TOKEN)).status_code == 200
    assert client.get("/metrics").status_code == 401
    return day


def signing_key_forms(client: TestClient) -> dict[str, str]:
    """The private signing keys as hex and base64, the forms a careless line would use."""
    services = services_of(client.app)  # type: ignore[arg-type]
    with transaction(services.sessionmaker) as session:
        ids = list(session.scalars(sa.select(SigningKey.key_id)))
        keys = PrivateKeyCache(services.settings).get(session, ids)
    assert keys
    forms = {}
    for key_id, key in keys.items():
        raw = key.private_bytes_raw()
        forms[f"signing key {key_id} (hex)"] = raw.hex()
        forms[f"signing key {key_id} (base64)"] = base64.b64encode(raw).decode().rstrip("=")
        forms[f"signing key {key_id} (urlsafe)"] = (
            base64.urlsafe_b64encode(raw).decode().rstrip("=")
        )
    return forms


def test_a_whole_day_at_debug_logs_no_secret(database_url: str, redis_url: str) -> None:
    settings = make_settings(
        database_url,
        redis_url=redis_url,
        metrics_token=METRICS_TOKEN,
        tier_limits={"BASIC": "4/hour", "PREMIUM": "100000/hour", "ENTERPRISE": "100000/hour"},
    )
    known = {
        "admin token": ADMIN_TOKEN,
        "metrics token": METRICS_TOKEN,
        "signing-key secret": settings.signing_key_secret,
    }
    with every_log_line() as captured:
        with TestClient(create_app(settings)) as client:
            day = run_the_day(client)
            known |= day.secrets
            known |= signing_key_forms(client)
        # The same kiosk against a backend whose database does not answer: 503s, warnings.
        down = make_settings("postgresql+psycopg://postgres@127.0.0.1:1/pika", redis_url=redis_url)
        with TestClient(create_app(down)) as client:
            key = known["API key Caja 1 rotated"]
            assert client.get(sync_wire.PULL_PATH, headers=bearer(key)).status_code == 503
            assert push(client, key, {"token": day.tokens[5]}).status_code == 503
            assert client.get("/health/detail", headers=ADMIN).status_code == 503
        # The capture works: a planted token is found (so the search below can fail).
        logging.getLogger("sync_backend.test").debug("planted %s", day.tokens[6])

    lines = captured.lines
    assert sum("sync_backend.requests" in line for line in lines) > 40  # the request lines
    assert any(line.startswith("sqlalchemy.engine") for line in lines)  # DEBUG reached libraries
    planted = leaks(lines, {"planted": day.tokens[6]})
    assert list(planted) == ["planted"]
    lines = [line for line in lines if "planted" not in line]
    assert len(known) > 25
    assert leaks(lines, known) == {}
