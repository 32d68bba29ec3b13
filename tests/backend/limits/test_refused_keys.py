"""A push the rate limit refuses leaves nothing behind: its Idempotency-Key is free for the
retry at the Retry-After (issue 12, defect 1), however the pushes were grouped."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import httpx
import sqlalchemy as sa

from pika_bench.backend_server import uvicorn_server
from pika_protocol import sync_wire
from sync_backend.models import IdempotencyKey
from sync_backend.settings import Tier
from tests.backend.support import Kit, make_settings, push_body

TIERS = {Tier.BASIC: "20 per 10 seconds", Tier.PREMIUM: "1000/hour", Tier.ENTERPRISE: "10000/hour"}


async def _push_all(
    url: str, headers: dict[str, str], requests: list[tuple[str, dict[str, Any]]]
) -> list[httpx.Response]:
    """Every request at once over 32 connections, as the issue's attacker sent them."""
    limits = httpx.Limits(max_connections=32, max_keepalive_connections=32)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as client:
        return await asyncio.gather(
            *(
                client.post(
                    sync_wire.PUSH_PATH, headers={**headers, "Idempotency-Key": key}, json=body
                )
                for key, body in requests
            )
        )


def test_keys_refused_under_concurrent_pushes_are_free_for_the_retry(
    database_url: str, redis_url: str, kit: Kit, engine: sa.Engine
) -> None:
    """The issue's measurement, scaled to a short window: one-item pushes of a BASIC business
    over 32 connections against a real uvicorn (group commit on, Redis limiter). Every 429
    leaves no claimed key, and the same request resent once the window has room is taken,
    never 409 ``idempotency_key_in_flight``."""
    settings = make_settings(database_url, redis_url=redis_url, tier_limits=TIERS)
    business = kit.business(tier=Tier.BASIC)
    tokens = [v.token for v in kit.vouchers(business, 60)]
    kiosk = kit.kiosk(business)
    requests = [(str(uuid.uuid4()), push_body(kiosk.item(t))) for t in tokens]
    with uvicorn_server(settings) as url:
        answers = asyncio.run(_push_all(url, kiosk.headers, requests))
        statuses = [a.status_code for a in answers]
        assert statuses.count(200) == 20 and statuses.count(429) == 40, statuses
        with engine.connect() as conn:
            unanswered = conn.execute(
                sa.select(sa.func.count())
                .select_from(IdempotencyKey)
                .where(IdempotencyKey.status_code.is_(None))
            ).scalar_one()
        assert unanswered == 0
        refused = [r for r, a in zip(requests, answers, strict=True) if a.status_code == 429]
        time.sleep(max(int(a.headers["Retry-After"]) for a in answers if a.status_code == 429))
        retried = asyncio.run(_push_all(url, kiosk.headers, refused[:20]))
    assert [a.status_code for a in retried] == [200] * 20, [a.text for a in retried][:3]
    outcomes = [a.json()["results"][0]["outcome"] for a in retried]
    assert outcomes == ["accepted"] * 20
