"""Prometheus metrics: requests, latencies, push outcomes, pool use, kiosks, backups.

Every domain records here (the push its outcomes, fraud its flags, the middleware its
latencies, the devices' watch its kiosks); the scrape route itself is
`sync_backend.health.metrics_access`. Every name here is used by the alert rules or the
Grafana dashboard in ``deploy/`` (tests/deploy checks both against a real scrape).

With several uvicorn workers set ``PROMETHEUS_MULTIPROC_DIR`` (prometheus-client's multiprocess
mode); ``/metrics`` then aggregates every worker. Each gauge says how: a worker's own state
(pool, requests in flight) is summed over the live workers, so a worker that ended takes its
figures with it (:func:`forget_dead_workers`); what every worker computes alike from the
database (kiosks, outboxes) is the most recent figure any of them wrote.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterable
from pathlib import Path

from fastapi import Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import REGISTRY, Collector
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import QueuePool

REQUESTS = Counter(
    "pika_http_requests_total", "HTTP requests by route and status", ["method", "route", "status"]
)
LATENCY = Histogram(
    "pika_http_request_duration_seconds",
    "HTTP request latency by route",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
IN_PROGRESS = Gauge(
    "pika_http_requests_in_progress", "Requests being answered now", multiprocess_mode="livesum"
)
PUSH_ITEMS = Counter(
    "pika_push_items_total", "Pushed items by outcome and server reason", ["outcome", "reason"]
)
REDEMPTIONS = Counter("pika_redemptions_accepted_total", "Redemptions accepted (one per copy)")
REJECTIONS = Counter("pika_rejections_total", "Pushed items not accepted, by reason", ["reason"])
IDEMPOTENT_REPLAYS = Counter("pika_idempotent_replays_total", "Pushes answered from a stored key")
POOL_IN_USE = Gauge(
    "pika_db_pool_checked_out",
    "Database connections in use (overflow included)",
    multiprocess_mode="livesum",
)
POOL_SIZE = Gauge(
    "pika_db_pool_size", "Database pool size (without overflow)", multiprocess_mode="livesum"
)
FRAUD_FLAGS = Counter("pika_fraud_flags_total", "Fraud flags raised, by rule", ["rule"])
KIOSKS_ENROLLED = Gauge(
    "pika_kiosks_enrolled",
    "Enrolled (not revoked) kiosks of a business",
    ["business"],
    multiprocess_mode="mostrecent",
)
KIOSKS_SILENT = Gauge(
    "pika_kiosks_silent",
    "Enrolled kiosks of a business whose last pull (or enrolment) is older than `over`",
    ["business", "over"],
    multiprocess_mode="mostrecent",
)
OUTBOX_ITEMS = Gauge(
    "pika_business_outbox_items",
    "Items waiting in the outboxes of a business's kiosks in contact, as they report them",
    ["business"],
    multiprocess_mode="mostrecent",
)
OUTBOX_OLDEST_AGE = Gauge(
    "pika_business_outbox_oldest_age_seconds",
    "Age of the oldest item waiting in a business's kiosks in contact (0: none waiting)",
    ["business"],
    multiprocess_mode="mostrecent",
)


def record_push(outcomes: dict[tuple[str, str], int]) -> None:
    for (outcome, reason), n in outcomes.items():
        PUSH_ITEMS.labels(outcome, reason).inc(n)
        if outcome == "accepted":
            REDEMPTIONS.inc(n)
        elif outcome != "duplicate":
            REJECTIONS.labels(reason).inc(n)


def watch_pool(engine: Engine) -> None:
    """Keep the pool gauges current from the pool's own events: a scrape in the middle of a
    burst sees the connections that burst holds (not a figure taken after each request)."""
    pool = engine.pool
    if not isinstance(pool, QueuePool):
        return  # SQLite's pools have no fixed size
    POOL_SIZE.set(pool.size())

    # ``engine.pool`` at each event, not ``pool``: a dispose (the probe's, once the database
    # is back) puts a new pool in its place, and the listeners move over to it.
    def checked_out(*_args: object) -> None:
        POOL_IN_USE.set(in_use(engine))

    def checked_in(*_args: object) -> None:
        # The checkin event comes before the pool takes the connection back.
        POOL_IN_USE.set(max(in_use(engine) - 1, 0))

    event.listen(pool, "checkout", checked_out)
    event.listen(pool, "checkin", checked_in)


def in_use(engine: Engine) -> int:
    pool = engine.pool
    return pool.checkedout() if isinstance(pool, QueuePool) else 0


_WORKER_FILE = re.compile(r"^gauge_live\w+_(\d+)\.db$")


def forget_dead_workers(directory: str | None = None) -> list[int]:
    """Drop the live-summed gauges of workers that are gone (prometheus-client's
    ``mark_process_dead``), so a worker that crashed does not hold pool connections on the
    dashboard for ever. uvicorn's supervisor never says when a worker ends, so every scrape
    sweeps first (a glob and a signal 0 per worker). Returns the process ids forgotten."""
    directory = directory or os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not directory:
        return []
    pids = set()
    for path in Path(directory).glob("gauge_live*_*.db"):
        match = _WORKER_FILE.match(path.name)
        if match:
            pids.add(int(match.group(1)))
    gone = [pid for pid in sorted(pids) if not _alive(pid)]
    for pid in gone:
        multiprocess.mark_process_dead(pid, directory)
    return gone


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process with that id: not ours to forget
    return True


class _EveryWorker(Collector):
    """prometheus-client's multiprocess collector, after forgetting the workers that ended."""

    def __init__(self, directory: str) -> None:
        self.directory = directory
        self.files = multiprocess.MultiProcessCollector(None, path=directory)

    def collect(self) -> Iterable[Metric]:
        forget_dead_workers(self.directory)
        return self.files.collect()


class _Together(Collector):
    """Several collectors scraped as one (prometheus-client registers collectors, not
    registries)."""

    def __init__(self, parts: Iterable[Collector]) -> None:
        self.parts = list(parts)

    def collect(self) -> Iterable[Metric]:
        for part in self.parts:
            yield from part.collect()


def scrape_registry(*extra: Collector) -> CollectorRegistry:
    """What a scrape reads: every worker's metrics in multiprocess mode, else this process's,
    plus ``extra`` collectors read at scrape time (the backup age)."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        registry = CollectorRegistry()
        registry.register(_EveryWorker(directory))
    elif not extra:
        return REGISTRY
    else:
        registry = CollectorRegistry(auto_describe=False)
        registry.register(_Together([REGISTRY]))
    for collector in extra:
        with contextlib.suppress(ValueError):  # already there
            registry.register(collector)
    return registry


def metrics_response(*extra: Collector) -> Response:
    return Response(generate_latest(scrape_registry(*extra)), media_type=CONTENT_TYPE_LATEST)
