"""Postgres stopped and started again under a kiosk's pushes (issue 15).

test_database_hang.py freezes a cluster and stops it for good; here the test's own cluster
(tests/support/clusters.py, never the machine's) is shut down (fast shutdown, as a restart
or a failover does) while a kiosk keeps pushing, and started again on the same port. What
must hold: readiness goes red, requests fail fast with 503 and Retry-After, no push batch is
half-written, each batch sent again with its Idempotency-Key after recovery gets one answer
(the stored one if it had committed), and the backend serves again by itself.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import sqlalchemy as sa

from pika_bench.backend_server import create_database
from pika_protocol import sync_wire
from sync_backend.db import make_engine, make_sessionmaker
from sync_backend.models import Redemption
from sync_backend.settings import Settings
from tests.backend.serving import serving
from tests.backend.support import Kiosk, Kit, make_settings, push_body
from tests.support import clusters

BATCH = 5
BATCHES = 150
#: README "Bounds": 2 s pool wait + 6 s answer; slack for a shared two-core machine.
BOUND_S = 8.0 + 2.0


@dataclass
class Sent:
    key: str
    body: dict[str, Any]
    status: int | None
    seconds: float
    response: httpx.Response | None


@contextmanager
def restartable_backend() -> Iterator[tuple[clusters.PostgresCluster, Settings]]:
    with clusters.postgres_cluster() as cluster:
        url = create_database(cluster.url(), prefix="pika_restart")
        yield cluster, make_settings(url, db_pool_timeout_s=2.0, db_statement_timeout_s=5.0)


def kiosk_with_vouchers(settings: Settings, copies: int) -> tuple[Kiosk, list[str]]:
    engine = make_engine(settings)
    try:
        with make_sessionmaker(engine)() as session:
            kit = Kit(session, settings)
            business = kit.business()
            tokens = [v.token for v in kit.vouchers(business, copies)]
            return kit.kiosk(business), tokens
    finally:
        engine.dispose()


def post(client: httpx.Client, url: str, kiosk: Kiosk, key: str, body: dict[str, Any]) -> Sent:
    start = time.monotonic()
    try:
        response = client.post(
            url + sync_wire.PUSH_PATH,
            headers={**kiosk.headers, "Idempotency-Key": key},
            json=body,
            timeout=30,
        )
    except httpx.TransportError:
        return Sent(key, body, None, time.monotonic() - start, None)
    return Sent(key, body, response.status_code, time.monotonic() - start, response)


def wait_for(check: Any, seconds: float, what: str) -> float:
    start = time.monotonic()
    while not check():
        assert time.monotonic() - start < seconds, f"{what} not within {seconds} s"
        time.sleep(0.1)
    return time.monotonic() - start


def test_postgres_restart_mid_traffic_fails_fast_writes_whole_batches_and_recovers() -> None:
    with restartable_backend() as (cluster, settings):
        kiosk, tokens = kiosk_with_vouchers(settings, BATCH * BATCHES)
        batches = [
            push_body(*[kiosk.item(t) for t in tokens[i : i + BATCH]])
            for i in range(0, len(tokens), BATCH)
        ]
        with serving(settings) as served, httpx.Client() as client:
            url = served.url
            sent: list[Sent] = []
            stop = threading.Event()

            def traffic() -> None:
                for body in batches:
                    if stop.is_set():
                        return
                    sent.append(post(client, url, kiosk, str(uuid.uuid4()), body))
                    time.sleep(0.1)

            def ready() -> int:
                return httpx.get(url + "/health/ready", timeout=5).status_code

            pushing = threading.Thread(target=traffic)
            pushing.start()
            try:
                wait_for(lambda: sum(s.status == 200 for s in sent) >= 5, 30, "first pushes")
                cluster.stop()
                red_after = wait_for(lambda: ready() == 503, 5, "readiness red")
                # Red: a request is refused at once, in the error envelope, with Retry-After.
                start = time.monotonic()
                pull = httpx.get(url + sync_wire.PULL_PATH, headers=kiosk.headers, timeout=30)
                pull_s = time.monotonic() - start
                assert pull.status_code == 503 and pull_s < 1.0, (pull.status_code, pull_s)
                assert pull.json()["error"]["code"] == "database_unavailable"
                assert int(pull.headers["Retry-After"]) >= 1
                time.sleep(2.0)  # the kiosk keeps pushing into the outage
                down_count = len(sent)
                cluster.start()
                green_after = wait_for(lambda: ready() == 200, 15, "readiness green")
                # By itself: no request after readiness is green meets a dead connection.
                pulls = [
                    httpx.get(url + sync_wire.PULL_PATH, headers=kiosk.headers, timeout=30)
                    for _ in range(10)
                ]
                assert [p.status_code for p in pulls] == [200] * 10, [p.text for p in pulls]
                wait_for(lambda: len(sent) >= down_count + 5, 30, "pushes after recovery")
            finally:
                stop.set()
                pushing.join()

            # Fast failure: every answer 200 or 503 (never 500), none waiting past the bound.
            statuses = [s.status for s in sent]
            assert set(statuses) <= {200, 503}, statuses
            assert 503 in statuses, "no push met the outage"
            assert max(s.seconds for s in sent) <= BOUND_S, max(s.seconds for s in sent)
            for failed in (s for s in sent if s.status == 503):
                assert failed.response is not None
                assert failed.response.json()["error"]["code"] == "database_unavailable"
                assert int(failed.response.headers["Retry-After"]) >= 1

            # Nothing half-written: each batch is stored whole or not at all.
            engine = make_engine(settings)
            try:
                with engine.connect() as conn:
                    stored = set(conn.execute(sa.select(Redemption.id)).scalars())
            finally:
                engine.dispose()
            stored_ids = {str(i) for i in stored}
            committed = {}
            for s in sent:
                ids = {item["id"] for item in s.body["items"]}
                kept = len(ids & stored_ids)
                assert kept in (0, BATCH), f"batch {s.key} half-written: {kept} of {BATCH}"
                committed[s.key] = kept == BATCH
                if s.status == 200:
                    assert committed[s.key]

            # Sent again with the same key after recovery: one answer per batch, the stored
            # one when it had committed (also when its first answer was a 503).
            for s in sent:
                again = post(client, url, kiosk, s.key, s.body)
                once_more = post(client, url, kiosk, s.key, s.body)
                assert again.status == once_more.status == 200, (again.status, once_more.status)
                assert again.response is not None and once_more.response is not None
                assert again.response.content == once_more.response.content
                assert once_more.response.headers["Idempotent-Replayed"] == "true"
                results = again.response.json()["results"]
                assert [r["outcome"] for r in results] == ["accepted"] * BATCH
                if committed[s.key]:
                    assert again.response.headers["Idempotent-Replayed"] == "true"
                if s.status == 200:
                    assert s.response is not None
                    assert again.response.content == s.response.content

            engine = make_engine(settings)
            try:
                with engine.connect() as conn:
                    outcomes = conn.execute(
                        sa.select(Redemption.outcome, sa.func.count()).group_by(Redemption.outcome)
                    ).all()
            finally:
                engine.dispose()
            assert dict(outcomes) == {"accepted": BATCH * len(sent)}
            print(
                f"restart: ready red after {red_after:.1f} s, green {green_after:.1f} s after "
                f"start; {statuses.count(503)} of {len(sent)} pushes 503 "
                f"(slowest answer {max(s.seconds for s in sent):.2f} s), "
                f"refused pull {pull_s:.3f} s"
            )


def test_an_idle_backend_serves_at_once_when_postgres_is_back() -> None:
    """No request met the outage, so no failure told SQLAlchemy its pooled connections died
    with the server: the probe's recovery replaces the pool, and the first requests after
    readiness turns green succeed (without it, the first one answered 503)."""
    with restartable_backend() as (cluster, settings):
        kiosk, _tokens = kiosk_with_vouchers(settings, 1)
        with serving(settings) as served:
            url = served.url

            def pulls(count: int) -> list[int]:
                answers: list[int] = []

                def pull() -> None:
                    answer = httpx.get(url + sync_wire.PULL_PATH, headers=kiosk.headers, timeout=30)
                    answers.append(answer.status_code)

                threads = [threading.Thread(target=pull) for _ in range(count)]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()
                return answers

            def ready() -> int:
                return httpx.get(url + "/health/ready", timeout=5).status_code

            assert pulls(8) == [200] * 8  # several pooled connections
            cluster.stop()
            wait_for(lambda: ready() == 503, 5, "readiness red")
            cluster.start()
            wait_for(lambda: ready() == 200, 15, "readiness green")
            assert pulls(8) == [200] * 8
