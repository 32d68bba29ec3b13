"""Analytics reads from a Postgres streaming replica while pushes go to the primary (issue 15).

A real primary and a real hot standby made with ``pg_basebackup -R`` (tests/support/
clusters.py), each on a port of its own. ``pika-backend serve`` runs with
``PIKA_READ_REPLICA_URL``; the proof that its dashboard reads the replica: with replay paused
on the replica, a new redemption reaches the primary's figures (read in-process from the
primary) but not the served dashboard, and the lag shows in /health/detail and the metrics;
once replay resumes the dashboard catches up.
"""

from __future__ import annotations

import time
from typing import Any

import httpx
import sqlalchemy as sa
from fastapi.testclient import TestClient

from pika_bench.backend_server import create_database
from sync_backend.app import create_app
from sync_backend.db import make_engine, make_sessionmaker
from tests.backend.serving import Served, dashboard_path, redeemed, serving
from tests.backend.support import ADMIN, Kiosk, Kit, make_settings, push
from tests.support import clusters


def replica_check(served: Served) -> dict[str, Any]:
    detail = httpx.get(served.url + "/health/detail", headers=ADMIN, timeout=10).json()
    check: dict[str, Any] = next(c for c in detail["checks"] if c["name"] == "replica")
    return check


def eventually(read: Any, want: Any, seconds: float = 20) -> Any:
    deadline = time.monotonic() + seconds
    while (got := read()) != want:
        assert time.monotonic() < deadline, f"still {got!r}, wanted {want!r}"
        time.sleep(0.2)
    return got


def on(url: str, sql: str) -> Any:
    engine = sa.create_engine(url, poolclass=sa.NullPool, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text(sql)).scalar()
    finally:
        engine.dispose()


def test_the_dashboard_reads_the_replica_while_pushes_go_to_the_primary() -> None:
    with clusters.postgres_cluster() as primary:
        primary_url = create_database(primary.url(), prefix="pika_replica")
        database = sa.make_url(primary_url).database
        with clusters.replica_of(primary) as replica:
            replica_url = replica.url(database)
            assert clusters.in_recovery(replica_url) and not clusters.in_recovery(primary_url)
            base = make_settings(primary_url, analytics_interval_s=0.3)
            engine = make_engine(base)
            with make_sessionmaker(engine)() as session:
                kit = Kit(session, base)
                business = kit.business()
                tokens = [v.token for v in kit.vouchers(business, 3)]
                kiosk: Kiosk = kit.kiosk(business)
            engine.dispose()
            settings = base.model_copy(
                update={"read_replica_url": replica_url, "replica_lag_interval_s": 0.3}
            )
            primary_reads = TestClient(
                create_app(base.model_copy(update={"analytics_interval_s": 0}))
            )  # no lifespan: reads the primary, projects nothing
            path = dashboard_path(business)

            with serving(settings) as served, httpx.Client(base_url=served.url) as client:

                def served_redeemed() -> int:
                    answer = client.get(path, headers=ADMIN, timeout=10)
                    if answer.status_code == 404:  # the business not replayed yet
                        return -1
                    assert answer.status_code == 200, answer.text
                    return redeemed(answer.json())

                def primary_redeemed() -> int:
                    return redeemed(primary_reads.get(path, headers=ADMIN).json())

                # Pushes go to the primary; the replica's dashboard shows them shortly after.
                assert push(client, kiosk, kiosk.item(tokens[0])).status_code == 200
                eventually(served_redeemed, 1)
                check = replica_check(served)
                assert check["ok"] and check["detail"]["in_recovery"] is True

                # Replay paused on the replica: the primary's figures move, the served
                # dashboard does not, and the lag shows.
                on(replica.url(), "SELECT pg_wal_replay_pause()")
                try:
                    for token in tokens[1:]:
                        assert push(client, kiosk, kiosk.item(token)).status_code == 200
                    eventually(primary_redeemed, 3)
                    time.sleep(1.0)  # the replica's lag clock runs
                    assert served_redeemed() == 1
                    lag = replica_check(served)["detail"]
                    assert lag["lag_bytes"] > 0 and lag["lag_s"] > 0.5, lag
                    served_metric = served.metric("pika_replica_lag_bytes")
                    assert served_metric > 0, served_metric
                finally:
                    on(replica.url(), "SELECT pg_wal_replay_resume()")
                eventually(served_redeemed, 3)
                eventually(lambda: replica_check(served)["detail"]["lag_s"] == 0, True)
                print(f"replica: paused lag {lag['lag_s']:.1f} s / {lag['lag_bytes']} bytes")
