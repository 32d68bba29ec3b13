"""Liveness, readiness, the detailed dependency check and Prometheus metrics."""

from __future__ import annotations

from fastapi.testclient import TestClient

from sync_backend.app import create_app
from tests.backend.support import ADMIN, Kit, make_settings, push


def test_live_and_ready(client) -> None:
    assert client.get("/health/live").json() == {"status": "ok"}
    ready = client.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": True, "migrations": True}


def test_detail_reports_every_dependency_with_latency(client) -> None:
    body = client.get("/health/detail", headers=ADMIN).json()
    checks = {c["name"]: c for c in body["checks"]}
    assert set(checks) == {"database", "migrations", "redis", "pool", "replica"}
    assert checks["migrations"]["detail"]["current"] == checks["migrations"]["detail"]["head"]
    assert all(c["latency_ms"] >= 0 for c in checks.values())
    assert checks["redis"]["detail"]["configured"] is False  # this app counts in-process
    assert checks["replica"]["ok"] and checks["replica"]["detail"]["configured"] is False
    pool = checks["pool"]["detail"]
    assert pool["size"] > 0 and pool["in_use"] == pool["checked_out"] / pool["size"]
    process = body["process"]
    assert process["pid"] > 0 and process["uptime_s"] > 0
    assert process["memory_rss_bytes"] > 10 * 1024 * 1024  # a Python with FastAPI loaded
    assert process["requests_in_flight"] == 1  # this one


def test_detail_is_for_head_office_only(client) -> None:
    assert client.get("/health/detail").status_code == 401
    wrong = {"Authorization": "Bearer not-the-admin-token"}
    assert client.get("/health/detail", headers=wrong).status_code == 401


def test_unreachable_dependencies_make_detail_and_ready_fail(database_url: str) -> None:
    broken_db = database_url.rsplit("/", 1)[0] + "/pika_no_such_database"
    app = create_app(make_settings(broken_db, redis_url="redis://127.0.0.1:1/0"))
    with TestClient(app) as client:
        ready = client.get("/health/ready")
        assert ready.status_code == 503 and ready.json()["checks"]["database"] is False
        detail = client.get("/health/detail", headers=ADMIN)
        assert detail.status_code == 503
        checks = {c["name"]: c for c in detail.json()["checks"]}
        assert not checks["database"]["ok"] and "error" in checks["database"]["detail"]
        assert not checks["redis"]["ok"]
        assert client.get("/health/live").status_code == 200  # the process itself is fine


def test_metrics_count_requests_redemptions_and_rejections(client, kit: Kit) -> None:
    business = kit.business()
    voucher = kit.vouchers(business, 1)[0]
    kiosk = kit.kiosk(business)
    push(client, kiosk, kiosk.item(voucher.token), kiosk.item(voucher.token))
    text = client.get("/metrics").text
    assert 'pika_http_requests_total{method="POST",route="/v1/sync/push",status="200"}' in text
    assert "pika_http_request_duration_seconds_bucket" in text
    assert "pika_redemptions_accepted_total" in text
    assert 'pika_rejections_total{reason="already_redeemed"}' in text
    assert "pika_db_pool_checked_out" in text
