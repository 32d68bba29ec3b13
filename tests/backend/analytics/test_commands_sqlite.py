"""``pika-backend analytics ...`` on the zero-setup SQLite demo: record, project, verify, repair."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from pika_protocol import sync_wire
from sync_backend.app import create_app
from sync_backend.cli import demo_settings, main, seed_demo
from sync_backend.migrate import upgrade


def _run(capsys: pytest.CaptureFixture[str], *args: str, code: int = 0) -> Any:
    assert main(list(args)) == code
    captured = capsys.readouterr()
    return json.loads(captured.out if code in (0, 1) else captured.err)


def test_analytics_commands_on_the_demo_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "demo.db"
    demo = ["--demo", "--demo-db", str(db)]
    settings = demo_settings(db)
    upgrade(settings.database_url)
    seeded = seed_demo(settings)  # a business, an offer, one print run of 24 copies
    business = str(seeded["business_id"])
    # the demo printed its run today (real clock), in the shops' calendar
    today = datetime.now(ZoneInfo("America/Asuncion")).date()

    out = _run(
        capsys,
        "analytics",
        "distribute",
        "--book",
        "1",
        "--copies",
        "1-10",
        "--place",
        "Asunción, Mercado 4",
        "--on",
        today.isoformat(),
        *demo,
    )
    assert out["copies"] == 10 and sum(out["copies_by_variant"].values()) == 10
    # the same copies again, copies beyond the run, a date before printing: clear refusals
    refused = _run(
        capsys,
        "analytics",
        "distribute",
        "--book",
        "1",
        "--copies",
        "5-12",
        "--place",
        "Luque",
        "--on",
        today.isoformat(),
        *demo,
        code=2,
    )
    assert refused["error"]["code"] == "already_distributed"
    refused = _run(
        capsys,
        "analytics",
        "distribute",
        "--book",
        "1",
        "--copies",
        "20-30",
        "--place",
        "Luque",
        "--on",
        today.isoformat(),
        *demo,
        code=2,
    )
    assert refused["error"]["code"] == "copies_out_of_range"
    refused = _run(
        capsys,
        "analytics",
        "distribute",
        "--book",
        "1",
        "--copies",
        "11-12",
        "--place",
        "Luque",
        "--on",
        (today - timedelta(days=9)).isoformat(),
        *demo,
        code=2,
    )
    assert refused["error"]["code"] == "bad_distribution_date"
    with pytest.raises(SystemExit):
        main(
            [
                "analytics",
                "distribute",
                "--book",
                "1",
                "--copies",
                "1-2",
                "--place",
                "x",
                "--on",
                "yesterday",
                *demo,
            ]
        )
    capsys.readouterr()

    _run(capsys, "analytics", "usual-ticket", "--business", business, "--amount", "45000", *demo)
    paid = _run(
        capsys,
        "analytics",
        "payment",
        "--business",
        business,
        "--subscription",
        "--amount",
        "250000",
        "--from",
        today.isoformat(),
        *demo,
    )
    assert paid["kind"] == "subscription"
    refused = _run(
        capsys,
        "analytics",
        "payment",
        "--business",
        business,
        "--placement",
        "--amount",
        "-5",
        "--from",
        today.isoformat(),
        *demo,
        code=2,
    )
    assert refused["error"]["code"] == "bad_amount"

    with TestClient(create_app(settings)) as client:
        enrolled = client.post(
            sync_wire.ENROL_PATH, json={"code": seeded["enrolment_code"], "device_name": "Caja"}
        ).json()
        headers = {"Authorization": f"Bearer {enrolled['api_key']}"}
        token = client.get(sync_wire.PULL_PATH, headers=headers).json()["vouchers"][0]["token"]
        item = {
            "id": str(uuid.uuid4()),
            "kind": "redemption",
            "token": token,
            "business_id": seeded["business_id"],
            "reason": "valid",
            "scanned_at": datetime.now(UTC).isoformat(),
            "device_id": enrolled["device_id"],
            "source": "manual",
        }
        answer = client.post(
            sync_wire.PUSH_PATH,
            json={"items": [item]},
            headers={**headers, "Idempotency-Key": "k1"},
        )
        assert answer.json()["results"][0]["outcome"] == "accepted"

    # the print run (2 variants), the distribution (2), the scan and the redemption
    assert _run(capsys, "analytics", "project", *demo) == {"events": 6}
    assert _run(capsys, "analytics", "project", *demo) == {"events": 0}
    assert _run(capsys, "analytics", "rebuild", "--verify", *demo)["differences"] == 0

    engine = sa.create_engine(settings.database_url)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "UPDATE analytics_daily SET distributed = distributed + 7 WHERE distributed > 0"
            )
        )
    drift = _run(capsys, "analytics", "rebuild", "--verify", *demo, code=1)
    assert drift["differences"] == 2 and drift["first"][0]["table"] == "analytics_daily"
    assert _run(capsys, "analytics", "rebuild", *demo)["differences_repaired"] == 2
    assert _run(capsys, "analytics", "rebuild", "--verify", *demo)["differences"] == 0
    with engine.connect() as conn:
        figures = conn.execute(
            sa.text("SELECT SUM(printed), SUM(distributed), SUM(redeemed) FROM analytics_daily")
        ).one()
    engine.dispose()
    assert tuple(figures) == (24, 10, 1)
