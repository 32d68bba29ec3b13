"""Fraud checks over real pushes: flags with evidence, a review list, harmless re-runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sync_backend.fraud.service import run_checks
from tests.backend.support import ADMIN, Kit, push


def flags(client, **params):  # type: ignore[no-untyped-def]
    response = client.get("/v1/admin/fraud/flags", headers=ADMIN, params=params)
    assert response.status_code == 200
    return response.json()


def test_scan_rate_travel_and_double_redemption_are_flagged(client, kit: Kit, session) -> None:
    business = kit.business()
    printed = kit.vouchers(business, 12)
    caja1, caja2 = kit.kiosk(business), kit.kiosk(business, "Caja 2")
    start = datetime.now(UTC) - timedelta(minutes=30)
    # 12 redemptions in 55 s at one counter; the last two 300 km apart one second later.
    items = [
        caja1.item(v.token, scanned_at=start + timedelta(seconds=5 * i))
        for i, v in enumerate(printed[:10])
    ]
    items.append(
        caja1.item(
            printed[10].token,
            scanned_at=start + timedelta(seconds=54),
            location=(-25.2637, -57.5759),
        )
    )
    items.append(
        caja1.item(
            printed[11].token,
            scanned_at=start + timedelta(seconds=55),
            location=(-25.5097, -54.6111),
        )
    )
    push(client, caja1, *items)
    # The same copy again, offline at the other counter: a conflict.
    push(client, caja2, caja2.item(printed[0].token, scanned_at=start + timedelta(minutes=5)))

    assert client.post("/v1/admin/fraud/run", headers=ADMIN).json()["new_flags"] >= 3
    by_rule = {f["rule"]: f for f in flags(client)}
    assert by_rule["scan_rate"]["evidence"]["count"] > 10
    assert by_rule["impossible_travel"]["evidence"]["speed_m_s"] > 50
    conflict = by_rule["double_redemption"]
    assert conflict["evidence"]["accepted_redemption_id"] == items[0]["id"]
    assert conflict["device_id"] == caja2.device_id
    # Running again raises nothing new.
    assert client.post("/v1/admin/fraud/run", headers=ADMIN).json()["new_flags"] == 0


def test_rejected_burst_and_two_businesses(client, kit: Kit, session) -> None:
    mine, theirs = kit.business("Mine"), kit.business("Theirs")
    their_voucher = kit.vouchers(theirs, 1)[0]
    mine_kiosk, their_kiosk = kit.kiosk(mine), kit.kiosk(theirs)
    now = datetime.now(UTC) - timedelta(minutes=5)
    refused = [
        mine_kiosk.item(
            f"GUESS{i}", kind="scan", reason="malformed", scanned_at=now + timedelta(seconds=i)
        )
        for i in range(5)
    ]
    push(client, mine_kiosk, *refused)
    push(client, their_kiosk, their_kiosk.item(their_voucher.token, scanned_at=now))
    push(
        client,
        mine_kiosk,
        mine_kiosk.item(
            their_voucher.token,
            kind="scan",
            reason="other_business",
            scanned_at=now + timedelta(seconds=30),
        ),
    )
    assert run_checks(session, kit.settings) >= 2
    session.commit()
    rules = {f["rule"] for f in flags(client)}
    assert {"rejected_burst", "two_businesses"} <= rules
    two = flags(client, rule="two_businesses")[0]
    assert two["serial"] == their_voucher.serial and two["evidence"]["businesses"] == sorted(
        [mine, theirs]
    )


def test_kiosk_clock_far_off_is_flagged(client, kit: Kit, session) -> None:
    business = kit.business()
    voucher = kit.vouchers(business, 1)[0]
    kiosk = kit.kiosk(business)
    ahead = datetime.now(UTC) + timedelta(hours=2)
    push(client, kiosk, kiosk.item(voucher.token, scanned_at=ahead), sent_at=ahead)
    run_checks(session, kit.settings)
    session.commit()
    skew = flags(client, rule="clock_skew")
    assert len(skew) == 1 and skew[0]["evidence"]["clock_skew_s"] > 7000


def test_review_list(client, kit: Kit, session) -> None:
    business = kit.business()
    voucher = kit.vouchers(business, 1)[0]
    caja1, caja2 = kit.kiosk(business), kit.kiosk(business, "Caja 2")
    push(client, caja1, caja1.item(voucher.token))
    push(client, caja2, caja2.item(voucher.token))
    run_checks(session, kit.settings)
    session.commit()
    (flag,) = flags(client)
    reviewed = client.post(
        f"/v1/admin/fraud/flags/{flag['id']}/review",
        headers=ADMIN,
        json={"status": "confirmed", "note": "cashier gave it twice; talked to the shop"},
    )
    assert reviewed.status_code == 200 and reviewed.json()["status"] == "confirmed"
    assert flags(client) == []  # the default list shows open flags
    assert len(flags(client, status="confirmed")) == 1
    bad = client.post(
        f"/v1/admin/fraud/flags/{flag['id']}/review", headers=ADMIN, json={"status": "maybe"}
    )
    assert bad.status_code == 422
    assert (
        client.post(
            "/v1/admin/fraud/flags/999/review", headers=ADMIN, json={"status": "dismissed"}
        ).status_code
        == 404
    )
