"""Issue 12, defect 2: no single row, whatever its times, may stall the fraud checks.

A row dated year 9999 (or year 1) made ``max(scanned_at) + window`` overflow, so every run
failed on the same batch, the cursor never moved and later double redemptions were never
flagged. The wire now refuses such times (see tests/protocol/test_wire_types.py and
tests/backend/test_hostile_input.py); these rows are written straight into the database, as
an older backend or a hand edit could have left them.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from tests.backend.support import ADMIN, Kiosk, Kit, push

EDGES = [
    datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC),
    datetime(1, 1, 1, tzinfo=UTC),
]


def _insert_row(session: Session, kiosk: Kiosk, scanned_at: datetime, **extra: object) -> None:
    values = {
        "id": uuid.uuid4(),
        "kind": "scan",
        "outcome": "recorded",
        "business_id": kiosk.business_id,
        "device_id": kiosk.device_id,
        "token": "HOSTILE",
        "source": "manual",
        "kiosk_reason": "malformed",
        "server_reason": "malformed",
        "scanned_at": scanned_at,
        "received_at": datetime.now(UTC),
        "clock_skew_s": None,
    }
    values.update(extra)
    columns = ", ".join(values)
    params = ", ".join(f":{k}" for k in values)
    session.execute(sa.text(f"INSERT INTO redemptions ({columns}) VALUES ({params})"), values)
    session.commit()


@pytest.mark.parametrize("edge", EDGES, ids=["year9999", "year1"])
def test_a_row_at_the_edge_of_time_does_not_stall_the_fraud_cursor(
    client, kit: Kit, session: Session, edge: datetime
) -> None:
    business = kit.business()
    printed = kit.vouchers(business, 2)
    caja1, caja2 = kit.kiosk(business), kit.kiosk(business, "Caja 2")
    # Located too, so the travel rules read it as well.
    _insert_row(session, caja1, edge, latitude=-25.3, longitude=-57.6)
    _insert_row(session, caja1, edge, kind="redemption", outcome="accepted", serial=2**62)

    now = datetime.now(UTC)
    push(client, caja1, caja1.item(printed[0].token, scanned_at=now - timedelta(minutes=2)))
    push(client, caja2, caja2.item(printed[0].token, scanned_at=now - timedelta(minutes=1)))

    run = client.post("/v1/admin/fraud/run", headers=ADMIN)
    assert run.status_code == 200, run.text
    rules = [f["rule"] for f in client.get("/v1/admin/fraud/flags", headers=ADMIN).json()]
    assert "double_redemption" in rules

    # And a double redemption pushed after that run is flagged by the next one.
    push(client, caja2, caja2.item(printed[1].token, scanned_at=now - timedelta(seconds=30)))
    push(client, caja1, caja1.item(printed[1].token, scanned_at=now - timedelta(seconds=20)))
    assert client.post("/v1/admin/fraud/run", headers=ADMIN).json()["new_flags"] >= 1
    doubles = [
        f
        for f in client.get("/v1/admin/fraud/flags", headers=ADMIN).json()
        if f["rule"] == "double_redemption"
    ]
    assert len(doubles) == 2


def test_a_row_no_rule_can_read_is_set_aside_and_the_rest_is_checked(
    client, kit: Kit, session: Session
) -> None:
    """Beyond Python's datetime range (Postgres allows it): that one row is skipped, logged
    as an event, and everything behind it is still checked."""
    business = kit.business()
    printed = kit.vouchers(business, 1)
    caja1, caja2 = kit.kiosk(business), kit.kiosk(business, "Caja 2")
    session.execute(sa.text("SET LOCAL TIME ZONE 'UTC'"))
    _insert_row(session, caja1, datetime.now(UTC))
    session.execute(
        sa.text("UPDATE redemptions SET scanned_at = 'infinity' WHERE device_id = :d"),
        {"d": caja1.device_id},
    )
    session.commit()
    now = datetime.now(UTC)
    push(client, caja1, caja1.item(printed[0].token, scanned_at=now - timedelta(minutes=2)))
    push(client, caja2, caja2.item(printed[0].token, scanned_at=now - timedelta(minutes=1)))

    run = client.post("/v1/admin/fraud/run", headers=ADMIN)
    assert run.status_code == 200, run.text
    rules = [f["rule"] for f in client.get("/v1/admin/fraud/flags", headers=ADMIN).json()]
    assert "double_redemption" in rules
    skipped = client.get("/v1/admin/events", headers=ADMIN).json()
    assert any(e["kind"] == "fraud_row_skipped" for e in skipped)
