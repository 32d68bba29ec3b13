"""Helpers of the backup tests: a full database made through the API, empty databases, mounts."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from pika_bench.backend_server import throwaway_database
from pika_protocol import sync_wire
from sync_backend.analytics.lifecycle import BusinessCalendar
from sync_backend.analytics.runner import project_round
from sync_backend.settings import Settings
from tests.backend.support import ADMIN, Kiosk, Kit, push


def fill_through_the_api(client: TestClient, kit: Kit, session: Session) -> dict[str, Any]:
    """Businesses, offers, books under two signing keys, an enrolled kiosk, redemptions, a
    conflict, a rejected scan, a void, a revocation, a manager, fraud checks and analytics."""
    now = datetime.now(UTC)
    business = client.post(
        "/v1/admin/businesses", headers=ADMIN, json={"name": "Café Drill", "tier": "PREMIUM"}
    ).json()["id"]
    offer = client.post(
        "/v1/admin/offers",
        headers=ADMIN,
        json={
            "business_id": business,
            "title": "2x1 chipa",
            "discount": "₲ 15.000",
            "valid_from": (now - timedelta(days=1)).isoformat(),
            "valid_until": (now + timedelta(days=90)).isoformat(),
            "variants": [
                {"variant": 1, "label": "A", "weight": 50},
                {"variant": 2, "label": "B", "weight": 50},
            ],
        },
    ).json()["id"]
    book = client.post(f"/v1/admin/offers/{offer}/books", headers=ADMIN, json={"copies": 12})
    assert book.status_code == 201, book.text
    rotated = client.post("/v1/admin/signing-keys/rotate", headers=ADMIN)
    assert rotated.status_code == 201, rotated.text
    second = client.post(f"/v1/admin/offers/{offer}/books", headers=ADMIN, json={"copies": 6})
    assert second.status_code == 201, second.text
    today = now.date().isoformat()
    handed = client.post(
        f"/v1/admin/books/{book.json()['id']}/distributions",
        headers=ADMIN,
        json={"first_copy": 1, "last_copy": 12, "place": "Mercado 4", "handed_out_on": today},
    )
    assert handed.status_code in (200, 201), handed.text
    paid = client.post(
        f"/v1/admin/businesses/{business}/payments",
        headers=ADMIN,
        json={"kind": "placement", "amount": 1_500_000, "starts": today},
    )
    assert paid.status_code in (200, 201), paid.text
    code = client.post(f"/v1/admin/businesses/{business}/enrolment-codes", headers=ADMIN).json()[
        "code"
    ]
    enrolled = client.post(sync_wire.ENROL_PATH, json={"code": code, "device_name": "Caja 1"})
    assert enrolled.status_code == 201, enrolled.text
    kiosk = Kiosk(enrolled.json()["device_id"], enrolled.json()["api_key"], business)
    tokens = pulled_tokens(client, kiosk)
    assert len(tokens) == 18

    items = [kiosk.item(token) for token in tokens[:6]]
    items.append(kiosk.item(tokens[0]))  # the same copy again: a conflict, flagged
    items.append(kiosk.item("NOT-A-VOUCHER", kind="scan", reason="malformed"))
    answered = push(client, kiosk, *items)
    assert answered.status_code == 200, answered.text
    voided = push(client, kiosk, kiosk.void(items[1]["id"]))
    assert voided.json()["results"][0]["outcome"] == "accepted", voided.text
    last = max(v.serial for v in pulled(client, kiosk))
    revoke = client.post(
        f"/v1/admin/vouchers/{last}/revoke", headers=ADMIN, json={"reason": "lost book"}
    )
    assert revoke.status_code == 204, revoke.text
    assert client.post("/v1/admin/fraud/run", headers=ADMIN).status_code == 200
    manager = kit.manager_key(business)
    project_round(session, BusinessCalendar.named(kit.settings.analytics_timezone), now)
    session.commit()
    dashboard = client.get(
        f"/v1/analytics/businesses/{business}/dashboard",
        headers={"Authorization": f"Bearer {manager}"},
        params={
            "first_day": (now - timedelta(days=7)).date().isoformat(),
            "last_day": (now + timedelta(days=1)).date().isoformat(),
        },
    )
    assert dashboard.status_code == 200, dashboard.text
    return {
        "business": business,
        "offer": offer,
        "kiosk": kiosk,
        "tokens": tokens,
        "manager": manager,
    }


def pulled(client: TestClient, kiosk: Kiosk) -> list[sync_wire.Voucher]:
    """The vouchers the kiosk's pull hands out (tokens signed again from the keys at rest)."""
    answer = client.get(sync_wire.PULL_PATH, headers=kiosk.headers, params={"limit": 1000})
    assert answer.status_code == 200, answer.text
    return sync_wire.PullResponse.model_validate_json(answer.content).vouchers


def pulled_tokens(client: TestClient, kiosk: Kiosk) -> list[str]:
    return sorted(v.token for v in pulled(client, kiosk))


@contextmanager
def empty_database(admin_url: str) -> Iterator[str]:
    """A new database with nothing in it (not migrated), dropped afterwards."""
    with throwaway_database(admin_url, prefix="pika_restore", migrate=False) as url:
        yield url


@contextmanager
def small_disk(where: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` mounted at ``where``: a real full disk, not a simulated one."""
    where.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(where)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.fail(
            f"the disk-full test mounts a small tmpfs and needs root for it (uid {os.getuid()}): "
            f"{mounted.stderr.strip()}",
            pytrace=False,
        )
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def settings_for(settings: Settings, database_url: str, **changes: object) -> Settings:
    return settings.model_copy(update={"database_url": database_url, **changes})
