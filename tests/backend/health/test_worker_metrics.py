"""Gauges stay true: the pool's follow every checkout, and with several workers
(``PROMETHEUS_MULTIPROC_DIR``) a worker that ended takes its figures with it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from prometheus_client import REGISTRY

from sync_backend.db import make_engine
from sync_backend.observability.metrics import forget_dead_workers, watch_pool
from sync_backend.settings import Settings


def in_use() -> float | None:
    return REGISTRY.get_sample_value("pika_db_pool_checked_out")


@pytest.mark.postgres
def test_the_pool_gauges_follow_every_checkout_and_checkin(settings: Settings) -> None:
    engine = make_engine(settings.model_copy(update={"db_pool_size": 3}))
    watch_pool(engine)
    try:
        assert REGISTRY.get_sample_value("pika_db_pool_size") == 3
        first = engine.connect()
        assert in_use() == 1
        second = engine.connect()
        assert in_use() == 2
        first.close()
        assert in_use() == 1
        second.close()
        assert in_use() == 0
        engine.dispose()  # as the probe does once the database is back: a new pool
        third = engine.connect()
        assert in_use() == 1
        third.close()
        assert in_use() == 0
    finally:
        engine.dispose()


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_forgetting_dead_workers_drops_only_their_live_gauges(tmp_path: Path) -> None:
    gone, mine = dead_pid(), os.getpid()
    names = [
        f"gauge_livesum_{gone}.db",
        f"gauge_livesum_{mine}.db",
        f"gauge_livemax_{gone}.db",
        f"counter_{gone}.db",  # a counter keeps counting what it counted
        f"gauge_mostrecent_{gone}.db",
    ]
    for name in names:
        (tmp_path / name).write_bytes(b"")
    assert forget_dead_workers(str(tmp_path)) == [gone]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [f"gauge_livesum_{mine}.db", f"counter_{gone}.db", f"gauge_mostrecent_{gone}.db"]
    )


WORKER = textwrap.dedent(
    """
    import sys
    from sync_backend.observability.metrics import POOL_IN_USE, POOL_SIZE, REQUESTS
    POOL_IN_USE.set(int(sys.argv[1]))
    POOL_SIZE.set(10)
    REQUESTS.labels("GET", "/health/live", "200").inc()
    print("ready", flush=True)
    sys.stdin.readline()  # hold on until told
    """
)
SCRAPE = textwrap.dedent(
    """
    from prometheus_client import generate_latest
    from sync_backend.observability.metrics import scrape_registry
    print(generate_latest(scrape_registry()).decode())
    """
)


def test_several_workers_sum_live_pools_and_forget_a_worker_that_ended(tmp_path: Path) -> None:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}

    def worker(checked_out: int) -> subprocess.Popen[str]:
        child = subprocess.Popen(
            [sys.executable, "-c", WORKER, str(checked_out)],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        return child

    def scrape() -> str:
        return subprocess.run(
            [sys.executable, "-c", SCRAPE], env=env, capture_output=True, text=True, check=True
        ).stdout

    staying, leaving = worker(3), worker(5)
    try:
        text = scrape()
        assert "pika_db_pool_checked_out 8.0" in text and "pika_db_pool_size 20.0" in text
        leaving.communicate("\n", timeout=30)
        text = scrape()
        assert "pika_db_pool_checked_out 3.0" in text and "pika_db_pool_size 10.0" in text
        # What the worker that left had counted stays counted.
        assert (
            'pika_http_requests_total{method="GET",route="/health/live",status="200"} 2.0' in text
        )
    finally:
        staying.communicate("\n", timeout=30)
        if leaving.poll() is None:
            leaving.kill()
