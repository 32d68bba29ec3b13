"""Prometheus metrics: requests, latencies, redemption outcomes, rejections, pool use.

Every domain records here (the push its outcomes, fraud its flags, the middleware its
latencies); the scrape route itself is `sync_backend.health.metrics_access`.

With several uvicorn workers set ``PROMETHEUS_MULTIPROC_DIR`` (prometheus-client's multiprocess
mode); ``/metrics`` then aggregates every worker.
"""

from __future__ import annotations

import os

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
from prometheus_client.registry import REGISTRY
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
PUSH_ITEMS = Counter(
    "pika_push_items_total", "Pushed items by outcome and server reason", ["outcome", "reason"]
)
REDEMPTIONS = Counter("pika_redemptions_accepted_total", "Redemptions accepted (one per copy)")
REJECTIONS = Counter("pika_rejections_total", "Pushed items not accepted, by reason", ["reason"])
IDEMPOTENT_REPLAYS = Counter("pika_idempotent_replays_total", "Pushes answered from a stored key")
POOL_IN_USE = Gauge(
    "pika_db_pool_checked_out", "Database connections in use", multiprocess_mode="max"
)
POOL_SIZE = Gauge(
    "pika_db_pool_size", "Database pool size (without overflow)", multiprocess_mode="max"
)
FRAUD_FLAGS = Counter("pika_fraud_flags_total", "Fraud flags raised, by rule", ["rule"])


def record_push(outcomes: dict[tuple[str, str], int]) -> None:
    for (outcome, reason), n in outcomes.items():
        PUSH_ITEMS.labels(outcome, reason).inc(n)
        if outcome == "accepted":
            REDEMPTIONS.inc(n)
        elif outcome != "duplicate":
            REJECTIONS.labels(reason).inc(n)


def observe_pool(engine: Engine) -> None:
    pool = engine.pool
    if isinstance(pool, QueuePool):
        POOL_IN_USE.set(pool.checkedout())
        POOL_SIZE.set(pool.size())


def scrape_registry() -> CollectorRegistry:
    """What a scrape reads: every worker's metrics in multiprocess mode, else this process's."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return REGISTRY


def metrics_response() -> Response:
    return Response(generate_latest(scrape_registry()), media_type=CONTENT_TYPE_LATEST)
