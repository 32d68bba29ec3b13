"""Who the backend believes and who may read its metrics (issue 12, "reconsider").

* ``X-Forwarded-For`` is believed only from the proxies named in ``forwarded_allow_ips`` (or
  ``pika-backend serve --forwarded-allow-ips``); by default from nobody. uvicorn's own default
  believed 127.0.0.1, so anything on the proxy's host could claim a new address per attempt
  and never meet the enrolment limit.
* ``/metrics`` wants ``metrics_token`` when one is set, or lives on its own port
  (``metrics_port``) and not on the API's at all.

Each against a real ``pika-backend serve`` (uvicorn) where the behaviour is uvicorn's.
"""

from __future__ import annotations

import httpx
from fastapi.testclient import TestClient

from pika_bench.backend_server import free_port, uvicorn_server
from pika_protocol import sync_wire
from sync_backend.app import create_app
from tests.backend.support import Kit, make_settings, push

WRONG_CODE = {"code": "ABCDE-FGHJK0", "device_name": "Caja"}
METRICS_TOKEN = "metrics-token-0123456789abcdef"


def enrolment_statuses(url: str, addresses: list[str]) -> list[int]:
    """One wrong-code enrolment attempt per claimed address, all from 127.0.0.1."""
    return [
        httpx.post(
            url + sync_wire.ENROL_PATH,
            json=WRONG_CODE,
            headers={"X-Forwarded-For": address},
            timeout=30,
        ).status_code
        for address in addresses
    ]


def test_forwarded_for_is_believed_from_nobody_by_default(database_url: str) -> None:
    """Three attempts from the proxy's host, each claiming another address: all three count
    against 127.0.0.1, so the third meets the limit of two."""
    settings = make_settings(database_url, enrolment_limit="2/hour")
    with uvicorn_server(settings) as url:
        statuses = enrolment_statuses(url, ["198.51.100.1", "198.51.100.2", "198.51.100.3"])
    assert statuses[:2] != [429, 429] and statuses[2] == 429


def test_forwarded_for_is_believed_from_the_named_proxy(database_url: str) -> None:
    """Named with the setting: the client's address (from the proxy) is what counts."""
    settings = make_settings(
        database_url, enrolment_limit="2/hour", forwarded_allow_ips="127.0.0.1"
    )
    with uvicorn_server(settings) as url:
        different = enrolment_statuses(url, ["198.51.100.1", "198.51.100.2", "198.51.100.3"])
        same = enrolment_statuses(url, ["203.0.113.9"] * 3)
    assert 429 not in different
    assert same[2] == 429 and 429 not in same[:2]


def test_serve_takes_forwarded_allow_ips_on_its_command_line(database_url: str) -> None:
    settings = make_settings(database_url, enrolment_limit="2/hour")
    with uvicorn_server(settings, extra_args=["--forwarded-allow-ips", "127.0.0.1"]) as url:
        statuses = enrolment_statuses(url, ["198.51.100.1", "198.51.100.2", "198.51.100.3"])
    assert 429 not in statuses


def test_metrics_want_the_metrics_token_when_one_is_set(database_url: str, kit: Kit) -> None:
    settings = make_settings(database_url, metrics_token=METRICS_TOKEN)
    with TestClient(create_app(settings)) as client:
        business = kit.business()
        kiosk = kit.kiosk(business)
        push(client, kiosk, kiosk.item(kit.vouchers(business, 1)[0].token))
        bare = client.get("/metrics")
        assert bare.status_code == 401 and "pika_" not in bare.text
        wrong = client.get("/metrics", headers={"Authorization": "Bearer not-the-token"})
        assert wrong.status_code == 401
        assert wrong.json()["error"]["code"] == "invalid_metrics_token"
        # Nor does the admin token open it: the scrape config's token opens only the metrics.
        admin = client.get("/metrics", headers={"Authorization": f"Bearer {settings.admin_token}"})
        assert admin.status_code == 401
        scraped = client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
        assert scraped.status_code == 200
        assert 'route="/v1/sync/push",status="200"' in scraped.text


def test_metrics_on_their_own_port_are_not_on_the_api_port(database_url: str) -> None:
    port = free_port()
    settings = make_settings(database_url, metrics_port=port)
    with uvicorn_server(settings) as url:
        assert httpx.get(url + "/health/live", timeout=30).status_code == 200
        assert httpx.get(url + "/metrics", timeout=30).status_code == 404
        scraped = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=30)
    assert scraped.status_code == 200
    assert (
        'pika_http_requests_total{method="GET",route="/health/live",status="200"}' in scraped.text
    )
