"""Rate limits: the tier counts pushed items per business, pulls count against each device's
own budget; 429 with Retry-After, shared by several backend processes through Redis."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest
import time_machine
from fastapi.testclient import TestClient

from pika_bench.backend_server import uvicorn_server
from pika_protocol import sync_wire
from sync_backend.app import create_app
from sync_backend.settings import Settings, Tier
from tests.backend.support import ADMIN, Kit, make_settings, push_body

TIERS = {Tier.BASIC: "100/hour", Tier.PREMIUM: "1000/hour", Tier.ENTERPRISE: "10000/hour"}


@pytest.fixture
def tier_client(database_url: str) -> Iterator[TestClient]:
    """The real tier figures, counted in this process (no Redis)."""
    with TestClient(create_app(make_settings(database_url, tier_limits=TIERS))) as client:
        yield client


def test_basic_tier_allows_100_items_an_hour_then_429(tier_client: TestClient, kit: Kit) -> None:
    business = kit.business(tier=Tier.BASIC)
    tokens = [v.token for v in kit.vouchers(business, 101)]
    kiosk = kit.kiosk(business)

    def send(batch: list[str]):  # type: ignore[no-untyped-def]
        return tier_client.post(
            sync_wire.PUSH_PATH,
            headers={**kiosk.headers, "Idempotency-Key": str(uuid.uuid4())},
            json=push_body(*[kiosk.item(t) for t in batch]),
        )

    first = send(tokens[:60])
    assert first.status_code == 200
    # A retried batch (same key, same items) is answered again without costing anything.
    replay = tier_client.post(
        sync_wire.PUSH_PATH,
        headers={**kiosk.headers, "Idempotency-Key": first.request.headers["Idempotency-Key"]},
        content=first.request.content,
    )
    assert replay.status_code == 200 and replay.headers["Idempotent-Replayed"] == "true"
    assert send(tokens[60:100]).status_code == 200
    refused = send(tokens[100:])
    assert refused.status_code == 429
    retry_after = int(refused.headers["Retry-After"])
    assert 1 <= retry_after <= 3600
    error = refused.json()["error"]
    assert error["code"] == "rate_limited" and error["tier"] == "BASIC"
    assert error["limit"] == "100 per 1 hour" and error["bucket"] == "items"
    assert error["retry_after_s"] == retry_after
    # A refused batch is not half-applied, and its key stays free for the retry.
    retry = tier_client.post(
        sync_wire.PUSH_PATH,
        headers={**kiosk.headers, "Idempotency-Key": refused.request.headers["Idempotency-Key"]},
        content=refused.request.content,
    )
    assert retry.status_code == 429
    # Pulls are counted apart: the kiosk still learns what changed.
    assert tier_client.get(sync_wire.PULL_PATH, headers=kiosk.headers).status_code == 200


def test_premium_tier_is_not_limited_at_basic_volume(tier_client: TestClient, kit: Kit) -> None:
    business = kit.business(tier=Tier.PREMIUM)
    tokens = [v.token for v in kit.vouchers(business, 150)]
    kiosk = kit.kiosk(business)
    response = tier_client.post(
        sync_wire.PUSH_PATH,
        headers={**kiosk.headers, "Idempotency-Key": "k"},
        json=push_body(*[kiosk.item(t) for t in tokens]),
    )
    assert response.status_code == 200


def test_limits_hold_across_two_backend_processes(
    database_url: str, redis_url: str, kit: Kit
) -> None:
    settings: Settings = make_settings(
        database_url, redis_url=redis_url, tier_limits={**TIERS, Tier.BASIC: "10/hour"}
    )
    business = kit.business(tier=Tier.BASIC)
    tokens = [v.token for v in kit.vouchers(business, 12)]
    kiosk = kit.kiosk(business)
    with uvicorn_server(settings) as first, uvicorn_server(settings) as second:

        def send(url: str, batch: list[str]) -> httpx.Response:
            return httpx.post(
                url + sync_wire.PUSH_PATH,
                headers={**kiosk.headers, "Idempotency-Key": str(uuid.uuid4())},
                json=push_body(*[kiosk.item(t) for t in batch]),
                timeout=30,
            )

        assert send(first, tokens[:6]).status_code == 200
        assert send(second, tokens[6:10]).status_code == 200  # 10 of 10 used, over two processes
        refused = send(first, tokens[10:12])
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
        assert send(second, tokens[10:11]).status_code == 429
        detail = httpx.get(second + "/health/detail", headers=ADMIN).json()
        redis_check = next(c for c in detail["checks"] if c["name"] == "redis")
        assert redis_check["ok"] and redis_check["detail"]["configured"]


def test_enrolment_attempts_are_limited_per_client_address(database_url: str, kit: Kit) -> None:
    """Enrolment has no API key to count against: each attempt (a guess at a one-time code,
    right or wrong) counts against the caller's address; a 429 says when to try again."""
    settings = make_settings(database_url, enrolment_limit="3/hour")
    with TestClient(create_app(settings)) as client:
        wrong = {"code": "ABCDE-FGHJK0", "device_name": "Caja"}
        statuses = [client.post(sync_wire.ENROL_PATH, json=wrong).status_code for _ in range(3)]
        assert all(s != 429 for s in statuses)
        refused = client.post(sync_wire.ENROL_PATH, json=wrong)
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
        assert refused.json()["error"]["bucket"] == "enrolments"
        # Even a valid code waits: the limit is on attempts from the address.
        from sync_backend.devices import service as devices

        code, _ = devices.create_enrolment_code(kit.session, settings, kit.business(), "test")
        kit.session.commit()
        valid = client.post(sync_wire.ENROL_PATH, json={"code": code, "device_name": "Caja"})
        assert valid.status_code == 429


def test_an_idle_kiosk_polling_all_day_costs_its_tier_nothing(
    database_url: str, redis_url: str, kit: Kit
) -> None:
    """The issue's measurement, with the real limiter on Redis and a moved clock: a BASIC
    kiosk pulling every 30 s for two hours (240 pulls) used to be refused from about the 125th
    pull on. Now no pull is refused, the answer asks for that pace, and the business still has
    its whole hour of 100 items."""
    settings = make_settings(database_url, redis_url=redis_url, tier_limits=TIERS)
    with (
        time_machine.travel(datetime(2031, 3, 3, 8, tzinfo=UTC), tick=False) as clock,
        TestClient(create_app(settings)) as client,
    ):
        business = kit.business(tier=Tier.BASIC)
        tokens = [v.token for v in kit.vouchers(business, 100)]
        kiosk = kit.kiosk(business)
        statuses = []
        for _ in range(240):
            answer = client.get(sync_wire.PULL_PATH, headers=kiosk.headers)
            statuses.append(answer.status_code)
            clock.shift(30)
        assert statuses == [200] * 240
        page = sync_wire.PullResponse.model_validate_json(answer.content)
        assert page.poll_interval_s == settings.poll_interval_s == 30
        assert page.clock_skew_limit_s == settings.clock_skew_tolerance_s == 300
        pushed = client.post(
            sync_wire.PUSH_PATH,
            headers={**kiosk.headers, "Idempotency-Key": "all-of-the-hour"},
            json=push_body(*[kiosk.item(t) for t in tokens]),
        )
        assert pushed.status_code == 200


def test_a_runaway_device_is_held_to_its_own_budget(database_url: str, kit: Kit) -> None:
    """A client polling far faster than asked meets 429 on its own device budget; the other
    kiosks of its shop and the shop's redemptions are not touched."""
    settings = make_settings(
        database_url, tier_limits=TIERS, poll_interval_s=1800, device_sync_limit="4/hour"
    )
    with TestClient(create_app(settings)) as client:
        business = kit.business(tier=Tier.BASIC)
        token = kit.vouchers(business, 1)[0].token
        runaway, other = kit.kiosk(business), kit.kiosk(business, "Caja 2")
        for _ in range(4):
            assert client.get(sync_wire.PULL_PATH, headers=runaway.headers).status_code == 200
        refused = client.get(sync_wire.PULL_PATH, headers=runaway.headers)
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
        error = refused.json()["error"]
        assert error["bucket"] == "sync" and error["limit_units"] == 4 and error["remaining"] == 0
        rotate = client.post(sync_wire.ROTATE_KEY_PATH, headers=runaway.headers)
        assert rotate.status_code == 429  # key rotations are sync requests too
        assert client.get(sync_wire.PULL_PATH, headers=other.headers).status_code == 200
        pushed = client.post(
            sync_wire.PUSH_PATH,
            headers={**runaway.headers, "Idempotency-Key": "redemption"},
            json=push_body(runaway.item(token)),
        )
        assert pushed.status_code == 200


def test_a_batch_larger_than_the_tier_figure_is_413_with_the_figure(
    tier_client: TestClient, kit: Kit
) -> None:
    """It could never pass, so it is no 429 to retry for ever: the kiosk splits it."""
    business = kit.business(tier=Tier.BASIC)
    tokens = [v.token for v in kit.vouchers(business, 101)]
    kiosk = kit.kiosk(business)
    response = tier_client.post(
        sync_wire.PUSH_PATH,
        headers={**kiosk.headers, "Idempotency-Key": "too-big"},
        json=push_body(*[kiosk.item(t) for t in tokens]),
    )
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "batch_too_large" and error["max_batch_items"] == 100
    # Nothing was charged: the whole hour is still there.
    again = tier_client.post(
        sync_wire.PUSH_PATH,
        headers={**kiosk.headers, "Idempotency-Key": "fits"},
        json=push_body(*[kiosk.item(t) for t in tokens[:100]]),
    )
    assert again.status_code == 200


def test_a_push_sent_at_the_retry_after_fits(database_url: str, redis_url: str, kit: Kit) -> None:
    """Exactly the figure, and the Retry-After is the first whole second at which the oldest
    unit has left the window: not a second early (refused again), not later than needed."""
    settings = make_settings(
        database_url, redis_url=redis_url, tier_limits={**TIERS, Tier.BASIC: "10/hour"}
    )
    with (
        time_machine.travel(datetime(2031, 3, 3, 8, tzinfo=UTC), tick=False) as clock,
        TestClient(create_app(settings)) as client,
    ):
        business = kit.business(tier=Tier.BASIC)
        tokens = [v.token for v in kit.vouchers(business, 14)]
        kiosk = kit.kiosk(business)

        def send(batch: list[str]) -> httpx.Response:
            return client.post(
                sync_wire.PUSH_PATH,
                headers={**kiosk.headers, "Idempotency-Key": str(uuid.uuid4())},
                json=push_body(*[kiosk.item(t) for t in batch]),
            )

        assert send(tokens[:4]).status_code == 200
        clock.shift(600)
        assert send(tokens[4:10]).status_code == 200  # 10 of 10 in the last hour
        clock.shift(100)
        refused = send(tokens[10:11])
        assert refused.status_code == 429 and refused.json()["error"]["remaining"] == 0
        retry_after = int(refused.headers["Retry-After"])
        assert retry_after == 3600 - 700 + 1
        clock.shift(retry_after - 1)
        assert send(tokens[10:11]).status_code == 429  # a second early: still an hour full
        clock.shift(1)
        assert send(tokens[10:14]).status_code == 200  # the first four units have left
