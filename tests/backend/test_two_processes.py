"""Two backend processes behind one proxy share Postgres and Redis (issue 15).

Two real ``pika-backend serve`` processes on two ports stand for two hosts behind the reverse
proxy: the tests send each request to one or the other, at the same instant where it matters.
Rate limits (Redis), idempotency and one-accepted-per-copy (Postgres), group commit (each
process groups its own pushes; the database decides across them) and the fraud windows (read
from the database, one process's loop at a time) must hold as with one process.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from pika_bench.backend_server import drop_database
from pika_protocol import sync_wire
from sync_backend.models import Redemption
from sync_backend.settings import Settings, Tier
from tests.backend.serving import Served, serving_together
from tests.backend.support import ADMIN, Kit, make_settings, push_body

TIERS = {Tier.BASIC: "10/hour", Tier.PREMIUM: "100000/hour", Tier.ENTERPRISE: "100000/hour"}


@pytest.fixture
def two(database_url: str, redis_url: str) -> Iterator[tuple[Served, Served]]:
    settings: Settings = make_settings(
        database_url, redis_url=redis_url, tier_limits=TIERS, fraud_interval_s=0.3
    )
    with serving_together(settings, 2) as (first, second):
        yield first, second


Request = tuple[str, dict[str, str], dict[str, Any]]  # url, headers, body


def at_once(requests: list[Request]) -> list[httpx.Response]:
    """Post every request at the same instant (a barrier releases the threads together)."""
    barrier = threading.Barrier(len(requests))
    answers: list[httpx.Response | None] = [None] * len(requests)

    def send(i: int) -> None:
        url, headers, body = requests[i]
        with httpx.Client(timeout=60) as client:
            barrier.wait()
            answers[i] = client.post(url + sync_wire.PUSH_PATH, headers=headers, json=body)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(a is not None for a in answers)
    return [a for a in answers if a is not None]


def test_one_idempotency_key_sent_to_both_at_once_is_applied_once(
    two: tuple[Served, Served], kit: Kit, session: Any
) -> None:
    first, second = two
    business = kit.business()
    kiosk = kit.kiosk(business)
    tokens = [v.token for v in kit.vouchers(business, 30)]
    for round_ in range(3):
        body = push_body(*[kiosk.item(t) for t in tokens[round_ * 10 : round_ * 10 + 10]])
        headers = {**kiosk.headers, "Idempotency-Key": f"two-{round_}"}
        answers = at_once([(first.url, headers, body), (second.url, headers, body)])
        codes = sorted(a.status_code for a in answers)
        # One applies it; the other replays its stored answer or is told it is in flight.
        assert codes in ([200, 200], [200, 409]), codes
        applied = next(a for a in answers if a.status_code == 200)
        for served in two:  # afterwards both answer the stored answer, byte for byte
            again = httpx.post(served.url + sync_wire.PUSH_PATH, headers=headers, json=body)
            assert again.status_code == 200 and again.content == applied.content
            assert again.headers["Idempotent-Replayed"] == "true"
        assert {r["outcome"] for r in applied.json()["results"]} == {"accepted"}
    stored = Counter(session.execute(sa.select(Redemption.outcome)).scalars())
    assert stored == {"accepted": 30}


def test_one_copy_pushed_through_both_at_once_is_accepted_once(
    two: tuple[Served, Served], kit: Kit, session: Any
) -> None:
    """Single-item pushes, the ones group commit gathers: each process writes its own groups,
    and the database's unique index decides between them."""
    business = kit.business()
    kiosks = [kit.kiosk(business, f"Caja {i}") for i in range(4)]
    for voucher in kit.vouchers(business, 3):
        requests = []
        for i in range(24):
            kiosk = kiosks[i % len(kiosks)]
            headers = {**kiosk.headers, "Idempotency-Key": str(uuid.uuid4())}
            requests.append((two[i % 2].url, headers, push_body(kiosk.item(voucher.token))))
        answers = at_once(requests)
        assert [a.status_code for a in answers] == [200] * len(requests)
        outcomes = Counter(a.json()["results"][0]["outcome"] for a in answers)
        assert outcomes == {"accepted": 1, "conflict": len(requests) - 1}
        stored = Counter(
            session.execute(
                sa.select(Redemption.outcome).where(Redemption.serial == voucher.serial)
            ).scalars()
        )
        assert stored == outcomes
        session.rollback()
    groups = [served.metric("pika_push_group_requests_count") for served in two]
    pushes = [served.metric("pika_push_group_requests_sum") for served in two]
    print(f"group commit, per process: {pushes} pushes in {groups} groups")
    assert all(count > 0 for count in groups)  # both processes wrote groups


def test_a_business_tier_counts_over_both_processes_at_once(
    two: tuple[Served, Served], kit: Kit, session: Any
) -> None:
    business = kit.business(tier=Tier.BASIC)  # 10 items an hour
    kiosk = kit.kiosk(business)
    tokens = [v.token for v in kit.vouchers(business, 16)]
    requests = [
        (
            two[i % 2].url,
            {**kiosk.headers, "Idempotency-Key": str(uuid.uuid4())},
            push_body(kiosk.item(token)),
        )
        for i, token in enumerate(tokens)
    ]
    answers = at_once(requests)
    assert Counter(a.status_code for a in answers) == {200: 10, 429: 6}
    assert session.execute(sa.select(sa.func.count()).select_from(Redemption)).scalar_one() == 10


def test_a_fraud_window_spans_pushes_to_both_processes(
    two: tuple[Served, Served], kit: Kit
) -> None:
    """12 redemptions in 55 s at one counter (over the 10 a minute the rule allows), half sent
    through each process: both fraud loops run, one flag is raised over both halves."""
    business = kit.business()
    kiosk = kit.kiosk(business)
    start = datetime.now(UTC) - timedelta(minutes=30)
    items = [
        kiosk.item(v.token, scanned_at=start + timedelta(seconds=5 * i))
        for i, v in enumerate(kit.vouchers(business, 12))
    ]
    for half, served in zip((items[:6], items[6:]), two, strict=True):
        headers = {**kiosk.headers, "Idempotency-Key": str(uuid.uuid4())}
        pushed = httpx.post(
            served.url + sync_wire.PUSH_PATH, headers=headers, json=push_body(*half)
        )
        assert pushed.status_code == 200

    def scan_rate_flags() -> list[dict[str, Any]]:
        answer = httpx.get(
            two[1].url + "/v1/admin/fraud/flags", params={"rule": "scan_rate"}, headers=ADMIN
        )
        assert answer.status_code == 200, answer.text
        return [f for f in answer.json() if f["device_id"] == kiosk.device_id]

    deadline = time.monotonic() + 20
    while not scan_rate_flags():
        assert time.monotonic() < deadline, "no scan_rate flag"
        time.sleep(0.2)
    time.sleep(1.0)  # both loops ran again over the same window: still one flag
    flags = scan_rate_flags()
    # Each push alone holds 6: only both together pass 10 in a minute.
    assert len(flags) == 1 and flags[0]["evidence"]["count"] > 10, flags


def test_two_processes_started_together_on_an_empty_database_both_serve(
    postgres_server: str,
) -> None:
    """Each ``serve`` migrates at start; hosts started together take turns (an advisory lock)
    instead of both creating the same tables."""
    admin = sa.create_engine(postgres_server, isolation_level="AUTOCOMMIT")
    name = f"pika_twostart_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = sa.make_url(postgres_server).set(database=name).render_as_string(hide_password=False)
    try:
        with serving_together(make_settings(url), 2) as both:
            for served in both:
                ready = httpx.get(served.url + "/health/ready", timeout=10)
                assert ready.status_code == 200, ready.text
    finally:
        drop_database(url)
