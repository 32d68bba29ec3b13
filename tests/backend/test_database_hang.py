"""A hung or stopped database: bounded answers, red readiness, live health (issue 12, 5 and 9).

Before: with Postgres frozen (SIGSTOP) every database request waited the whole freeze,
``/health/ready`` neither went red nor answered, and under in-flight pulls ``/health/live``
and ``/metrics`` timed out too; with Postgres stopped, requests answered a bare 500 in text.

These tests freeze and stop a throwaway Postgres cluster of their own
(tests/support/services.py), never the machine's: its whole process group (postmaster and
backends) gets SIGSTOP / SIGCONT.
"""

from __future__ import annotations

import inspect
import os
import signal
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from pika_bench.backend_server import (
    create_database,
    free_port,
    settings_env,
    start_server,
    stop_server,
)
from pika_protocol import sync_wire
from sync_backend.app import create_app
from sync_backend.db import make_engine, make_sessionmaker
from sync_backend.deps import services_of
from sync_backend.health import endpoints as health
from sync_backend.health import metrics_access
from sync_backend.settings import Settings
from tests.backend.support import ADMIN, Kiosk, Kit, make_settings
from tests.support import services

#: The documented bound (README "Bounds"): an answer needs at most the statement timeout plus
#: a second's grace (a connection waiting on the frozen server), or the pool and connect
#: timeouts (2 s + 2 s); once readiness is red, at once.
STATEMENT_S, POOL_S, CONNECT_S = 5.0, 2.0, 2
BOUND_S = STATEMENT_S + 1 + POOL_S
#: Slack for a shared, loaded test machine (two cores, several suites at once).
SLACK_S = 2.0
IN_FLIGHT = 120


@dataclass
class Cluster:
    """A throwaway Postgres: its URL for our database and the postmaster's process group."""

    database_url: str
    postmaster_pid: int

    def freeze(self) -> None:
        # The postmaster first, so it starts no new backend, then every backend.
        os.kill(self.postmaster_pid, signal.SIGSTOP)
        for pid in children(self.postmaster_pid):
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGSTOP)

    def thaw(self) -> None:
        for pid in [*children(self.postmaster_pid), self.postmaster_pid]:
            with suppress(ProcessLookupError):  # gone, or stopped already
                os.kill(pid, signal.SIGCONT)

    def stop(self) -> None:
        os.kill(self.postmaster_pid, signal.SIGINT)  # fast shutdown: sessions are ended


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (Postgres backends are each a session leader of
    their own, so a process-group signal would miss them)."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        with suppress(OSError):
            fields = dict(
                line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line
            )
            if fields.get("PPid", "").strip() == str(pid):
                found.append(int(status.parent.name))
    return found


@contextmanager
def throwaway_cluster() -> Iterator[Cluster]:
    with services.private_postgres() as admin_url:
        assert sa.make_url(admin_url).port != 5432  # never the machine's Postgres
        engine = sa.create_engine(admin_url)
        with engine.connect() as conn:
            data = conn.execute(sa.text("SHOW data_directory")).scalar_one()
        engine.dispose()
        pid = int(Path(data, "postmaster.pid").read_text().split()[0])
        assert "pika-test-postgres-" in Path(f"/proc/{pid}/cmdline").read_text()
        cluster = Cluster(create_database(admin_url, prefix="pika_hang"), pid)
        try:
            yield cluster
        finally:
            cluster.thaw()  # never leave a stopped cluster behind (it is then shut down)


def hang_settings(database_url: str) -> Settings:
    return make_settings(
        database_url,
        db_statement_timeout_s=STATEMENT_S,
        db_pool_timeout_s=POOL_S,
        db_connect_timeout_s=CONNECT_S,
    )


@contextmanager
def serving(settings: Settings) -> Iterator[str]:
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        log_path = Path(folder) / "server.log"
        process = start_server(settings_env(settings), port, workers=1, log_path=log_path)
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            stop_server(process)


def enrolled_kiosk(settings: Settings) -> Kiosk:
    engine = make_engine(settings)
    try:
        with make_sessionmaker(engine)() as session:
            kit = Kit(session, settings)
            return kit.kiosk(kit.business())
    finally:
        engine.dispose()


@dataclass
class Timed:
    status: int | None
    seconds: float
    response: httpx.Response | None = None


#: One client for every request of these tests: a client per request costs the test process
#: more CPU (TLS context and pool set-up) than the server spends answering.
HTTP = httpx.Client(limits=httpx.Limits(max_connections=IN_FLIGHT + 20))


def timed_get(url: str, headers: dict[str, str] | None = None, timeout: float = 60) -> Timed:
    start = time.monotonic()
    try:
        response = HTTP.get(url, headers=headers, timeout=timeout)
    except httpx.TimeoutException:
        return Timed(None, time.monotonic() - start)
    return Timed(response.status_code, time.monotonic() - start, response)


def assert_database_unavailable(answer: Timed) -> None:
    assert answer.status == 503, answer
    assert answer.response is not None
    assert int(answer.response.headers["Retry-After"]) >= 1
    assert answer.response.json()["error"]["code"] == "database_unavailable"


def concurrently(count: int, call) -> list[Timed]:  # type: ignore[no-untyped-def]
    results: list[Timed] = []
    lock = threading.Lock()

    def run() -> None:
        answer = call()
        with lock:
            results.append(answer)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_a_frozen_database_gets_bounded_answers_and_red_readiness() -> None:
    with throwaway_cluster() as cluster:
        settings = hang_settings(cluster.database_url)
        kiosk = enrolled_kiosk(settings)
        with serving(settings) as url:
            pull_url = url + sync_wire.PULL_PATH

            def pull() -> Timed:
                return timed_get(pull_url, kiosk.headers)

            # Fill the pool with idle connections: at the freeze, requests meet them first.
            assert {a.status for a in concurrently(20, pull)} == {200}
            assert timed_get(url + "/health/ready").status == 200

            cluster.freeze()
            frozen_at = time.monotonic()
            in_flight: list[Timed] = []
            pulls = threading.Thread(target=lambda: in_flight.extend(concurrently(IN_FLIGHT, pull)))
            pulls.start()

            # Readiness turns red within about 2 s, and answers all along.
            red_after = None
            while time.monotonic() - frozen_at < 10:
                ready = timed_get(url + "/health/ready", timeout=5)
                # Never waiting out the frozen database (the 6 s answer bound).
                assert ready.status is not None and ready.seconds < 1.5 + SLACK_S / 2, ready
                if ready.status == 503:
                    red_after = time.monotonic() - frozen_at
                    break
                time.sleep(0.1)
            assert red_after is not None and red_after <= 2.0 + SLACK_S / 2, red_after

            # Liveness and metrics answer while the pulls wait on the frozen database.
            for path in ("/health/live", "/metrics"):
                answer = timed_get(url + path, timeout=5)
                assert answer.status == 200 and answer.seconds < 1.0, (path, answer)
            assert pulls.is_alive() or in_flight  # the pulls really were in flight

            # New requests answer 503 at once now; the in-flight ones within the bound.
            assert_database_unavailable(
                timed_get(url + "/v1/admin/businesses", ADMIN, timeout=BOUND_S)
            )
            pulls.join(timeout=60)
            assert len(in_flight) == IN_FLIGHT
            slowest = max(a.seconds for a in in_flight)
            assert slowest <= BOUND_S + SLACK_S, f"slowest in-flight pull took {slowest:.1f} s"
            for answer in in_flight:
                assert_database_unavailable(answer)
            median = sorted(a.seconds for a in in_flight)[IN_FLIGHT // 2]
            print(
                f"frozen: ready red after {red_after:.1f} s; {IN_FLIGHT} in-flight pulls all 503, "
                f"slowest {slowest:.1f} s, median {median:.1f} s"
            )

            # Everything recovers once the database runs again.
            cluster.thaw()
            thawed_at = time.monotonic()
            while timed_get(url + "/health/ready", timeout=5).status != 200:
                assert time.monotonic() - thawed_at < 10, "readiness did not recover"
                time.sleep(0.2)
            answers = concurrently(20, pull)
            assert {a.status for a in answers} == {200}, [a.status for a in answers]


def test_a_stopped_database_is_503_with_retry_after_never_500() -> None:
    with throwaway_cluster() as cluster:
        settings = hang_settings(cluster.database_url)
        kiosk = enrolled_kiosk(settings)
        with serving(settings) as url:
            pull_url = url + sync_wire.PULL_PATH
            assert {
                a.status for a in concurrently(10, lambda: timed_get(pull_url, kiosk.headers))
            } == {200}
            cluster.stop()
            # At once (pooled connections now broken) and later (the probe has gone red).
            answers = concurrently(10, lambda: timed_get(pull_url, kiosk.headers, timeout=20))
            time.sleep(1.5)
            answers += concurrently(10, lambda: timed_get(pull_url, kiosk.headers, timeout=20))
            answers.append(timed_get(url + "/v1/admin/businesses", ADMIN, timeout=20))
            for answer in answers:
                assert_database_unavailable(answer)
                assert answer.seconds <= BOUND_S + SLACK_S
            assert timed_get(url + "/health/ready").status == 503
            assert timed_get(url + "/health/live").status == 200


def test_an_unreachable_database_is_503_json_not_500(database_url: str) -> None:
    """Without the probe's gate (no lifespan: it never ran), the database errors themselves
    become 503 ``database_unavailable`` in the error envelope."""
    nowhere = sa.make_url(database_url).set(host="127.0.0.1", port=free_port())
    app = create_app(hang_settings(nowhere.render_as_string(hide_password=False)))
    client = TestClient(app, raise_server_exceptions=False)  # no `with`: no lifespan, no probe
    response = client.get("/v1/admin/businesses", headers=ADMIN)
    assert response.status_code == 503, response.text
    assert response.headers["Retry-After"] == str(services_of(app).settings.db_retry_after_s)
    assert response.json()["error"]["code"] == "database_unavailable"
    assert client.get("/health/live").status_code == 200


@pytest.mark.parametrize(
    "endpoint",
    [health.live, health.ready, metrics_access.metrics, metrics_access.require_metrics_token],
)
def test_health_routes_need_no_worker_thread(endpoint: object) -> None:
    """Async routes run on the event loop: a thread pool filled by stuck requests cannot
    hold them up."""
    assert inspect.iscoroutinefunction(endpoint)
