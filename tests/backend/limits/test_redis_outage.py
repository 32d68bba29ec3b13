"""Redis down mid-traffic: each limit degrades as its setting says, the outage is logged and
counted, and the limits are shared again once Redis is back (issue 15).

The Redis here is the test's own (tests/support/clusters.py), stopped and started again on
the same port while a real ``pika-backend serve`` keeps serving; never the machine's.
"""

from __future__ import annotations

import threading
import time
import uuid

import httpx
import redis

from pika_protocol import analytics_wire, sync_wire
from sync_backend.devices import service as devices
from sync_backend.managers import service as managers
from sync_backend.settings import OutagePolicy, Settings, Tier
from tests.backend.serving import Served, serving
from tests.backend.support import ADMIN, Kiosk, Kit, make_settings, push_body
from tests.support import clusters

TIERS = {Tier.BASIC: "10/hour", Tier.PREMIUM: "1000/hour", Tier.ENTERPRISE: "10000/hour"}
RETRY_S = 0.3


def send(served: Served, kiosk: Kiosk, tokens: list[str]) -> httpx.Response:
    return httpx.post(
        served.url + sync_wire.PUSH_PATH,
        headers={**kiosk.headers, "Idempotency-Key": str(uuid.uuid4())},
        json=push_body(*[kiosk.item(t) for t in tokens]),
        timeout=30,
    )


def redis_check(served: Served) -> dict:  # type: ignore[type-arg]
    detail = httpx.get(served.url + "/health/detail", headers=ADMIN, timeout=10).json()
    return next(c for c in detail["checks"] if c["name"] == "redis")


def test_the_defaults_keep_shops_syncing_and_refuse_enrolment_while_redis_is_down() -> None:
    settings = make_settings("sqlite://")
    assert settings.rate_limit_outage_items is OutagePolicy.LOCAL
    assert settings.rate_limit_outage_sync is OutagePolicy.LOCAL
    assert settings.rate_limit_outage_enrolments is OutagePolicy.CLOSED


def test_redis_down_mid_traffic_degrades_per_limit_and_recovers(
    database_url: str, kit: Kit
) -> None:
    business = kit.business(tier=Tier.BASIC)
    tokens = [v.token for v in kit.vouchers(business, 20)]
    pusher, poller = kit.kiosk(business, "Caja 1"), kit.kiosk(business, "Caja 2")
    code, _ = devices.create_enrolment_code(kit.session, kit.settings, business, "test")
    invitation = managers.invite(kit.session, kit.settings, business, actor="test")
    kit.session.commit()

    with clusters.redis_server() as server:
        settings: Settings = make_settings(
            database_url,
            redis_url=server.url,
            tier_limits=TIERS,
            enrolment_limit="100/hour",
            rate_limit_retry_s=RETRY_S,
        )
        counters = redis.Redis.from_url(server.url)
        with serving(settings) as served:
            # A kiosk polls all along: its sync budget never answers anything but 200.
            polls: list[int] = []
            stop_polling = threading.Event()

            def poll() -> None:
                with httpx.Client(timeout=30) as client:
                    while not stop_polling.is_set():
                        answer = client.get(
                            served.url + sync_wire.PULL_PATH, headers=poller.headers
                        )
                        polls.append(answer.status_code)
                        time.sleep(0.05)

            polling = threading.Thread(target=poll)
            polling.start()
            try:
                assert send(served, pusher, tokens[:4]).status_code == 200  # 4 of 10, in Redis
                assert counters.keys(f"{settings.rate_limit_key_prefix}*")
                assert served.metric("pika_rate_limit_storage_up") == 1

                server.stop()
                # Items: counted in this process's memory with the same figure, not let through.
                during = send(served, pusher, tokens[4:7])
                assert during.status_code == 200
                assert {r["outcome"] for r in during.json()["results"]} == {"accepted"}
                over = send(served, pusher, tokens[7:15])  # 3 + 8 > 10 in the local window
                assert over.status_code == 429, over.text
                assert over.json()["error"]["bucket"] == "items"
                # Enrolment and manager sign-in fail closed, with Retry-After; nothing is used up.
                for path, body in (
                    (sync_wire.ENROL_PATH, {"code": code, "device_name": "Caja 3"}),
                    (analytics_wire.MANAGER_ENROL_PATH, {"code": invitation.code, "name": "PC"}),
                ):
                    refused = httpx.post(served.url + path, json=body, timeout=30)
                    assert refused.status_code == 503, refused.text
                    assert refused.json()["error"]["code"] == "rate_limit_unavailable"
                    assert int(refused.headers["Retry-After"]) >= 1
                assert not redis_check(served)["ok"]
                assert served.metric("pika_rate_limit_storage_up") == 0
                assert (
                    served.metric("pika_rate_limit_errors_total", bucket="items", policy="local")
                    >= 2
                )
                assert (
                    served.metric(
                        "pika_rate_limit_errors_total", bucket="enrolments", policy="closed"
                    )
                    == 2
                )
                assert (
                    served.metric("pika_rate_limit_errors_total", bucket="sync", policy="local")
                    >= 1
                )

                server.start()  # same port, empty
                time.sleep(RETRY_S + 0.2)
                assert send(served, pusher, tokens[7:10]).status_code == 200
                assert served.metric("pika_rate_limit_storage_up") == 1
                assert redis_check(served)["ok"]
                assert counters.keys(f"{settings.rate_limit_key_prefix}*")  # counting in Redis
                enrolled = httpx.post(
                    served.url + sync_wire.ENROL_PATH,
                    json={"code": code, "device_name": "Caja 3"},
                    timeout=30,
                )
                assert enrolled.status_code == 201, enrolled.text
            finally:
                stop_polling.set()
                polling.join()
            log = served.log()

    assert polls and set(polls) == {200}, sorted(set(polls))
    # Logged once when it began and once when it ended, not once per request.
    assert log.count("rate limit storage not answering") == 1, log[-3000:]
    assert log.count("rate limit storage answering again") == 1, log[-3000:]
