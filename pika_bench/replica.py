"""``pika-bench replica``: pushes to the primary while the dashboards read a streaming replica.

A throwaway primary and a hot standby made by ``pg_basebackup -R`` on this machine
(``pika_bench/pg_cluster.py``: two Postgres clusters on free ports, deleted afterwards), and
``pika-backend serve`` with ``PIKA_READ_REPLICA_URL`` and the projector every second. While
``ingest-single``'s load runs (one redemption per request from ``--concurrency`` clients), a
sampler reads the business's dashboard and ``/health/detail`` five times a second. Prints the
pushes' rate and p95, the dashboard's latency during the load, the replica's largest lag
(``lag_s``, ``lag_bytes``) and, after the load, freshness: seconds from a push to the
dashboard (read from the replica) showing it. ``--no-replica`` runs the same with the
dashboards on the primary, to compare.
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from pika_bench.stats import percentile, summary_ms


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14", help="'' for in-process")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--requests", type=int, default=5000, help="redemptions pushed")
    parser.add_argument("--concurrency", type=int, default=32, help="concurrent clients")
    parser.add_argument("--fresh", type=int, default=5, help="push-to-dashboard runs")
    parser.add_argument(
        "--no-replica", dest="replica", action="store_false", help="dashboards on the primary"
    )


def run(args: argparse.Namespace) -> dict[str, Any]:
    import sqlalchemy as sa

    from pika_bench import ingest_common as common
    from pika_bench import pg_cluster
    from pika_bench.backend_server import create_database, uvicorn_server

    with pg_cluster.postgres_cluster() as primary:
        url = create_database(primary.url(), prefix="pika_bench")
        with pg_cluster.replica_of(primary) as replica:
            replica_url = replica.url(sa.make_url(url).database or "")
            settings = common.bench_settings(url, common.redis_or_empty(args.redis))
            settings = settings.model_copy(
                update={
                    "read_replica_url": replica_url if args.replica else "",
                    "analytics_interval_s": 1.0,
                    "replica_lag_interval_s": 0.5,
                }
            )
            warm = 20 * args.workers
            seeded = common.seed(settings, warm + args.requests + args.fresh, args.concurrency)
            tokens = seeded.tokens

            def part(start: int, end: int) -> common.Seeded:
                return common.Seeded(seeded.business_id, seeded.kiosks, tokens[start:end])

            load = common.push_requests(part(warm, warm + args.requests), 1)
            fresh = common.push_requests(part(warm + args.requests, len(tokens)), 1)
            with uvicorn_server(settings, workers=args.workers) as base:
                common.run_clients(base, common.push_requests(part(0, warm), 1), args.concurrency)
                sampler = Sampler(base, seeded.business_id, common.BENCH_ADMIN_TOKEN)
                sampler.start()
                elapsed, latencies, failures, _per_worker = common.run_clients(
                    base, load, args.concurrency, workers=args.workers
                )
                sampler.stop()
                if failures:
                    raise RuntimeError(f"{len(failures)} pushes failed: {failures[0][:300]!r}")
                freshness = [sampler.freshness(base, request) for request in fresh]
    return {
        "dashboards_from": "replica" if args.replica else "primary",
        "api_rps": round(args.requests / elapsed),
        "push_p95_ms": round(percentile([s * 1000 for s in latencies], 95), 2),
        "dashboard_during_load": summary_ms(sampler.dashboard_s) if sampler.dashboard_s else {},
        "max_lag_s": round(max(sampler.lag_s, default=0.0), 3),
        "max_lag_bytes": max(sampler.lag_bytes, default=0),
        "freshness_s_median": round(statistics.median(freshness), 2),
        "freshness_s_max": round(max(freshness), 2),
        "requests": args.requests,
        "concurrency": args.concurrency,
        "workers": args.workers,
    }


class Sampler:
    """Reads the dashboard and the replica's lag in a thread while the load runs."""

    def __init__(self, base: str, business_id: int, admin_token: str) -> None:
        today = datetime.now(UTC).date()
        self.path = (
            f"/v1/analytics/businesses/{business_id}/dashboard?first_day="
            f"{today - timedelta(days=2)}&last_day={today + timedelta(days=2)}&bucket=day"
        )
        self.client = httpx.Client(
            base_url=base, headers={"Authorization": f"Bearer {admin_token}"}, timeout=60
        )
        self.dashboard_s: list[float] = []
        self.lag_s: list[float] = []
        self.lag_bytes: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sampler")

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def redeemed(self) -> int:
        answer = self.client.get(self.path)
        answer.raise_for_status()
        return sum(kiosk["redeemed"] for kiosk in answer.json()["kiosks"])

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            start = time.perf_counter()
            self.redeemed()
            self.dashboard_s.append(time.perf_counter() - start)
            detail = self.client.get("/health/detail").json()
            check = next(c for c in detail["checks"] if c["name"] == "replica")["detail"]
            if check.get("configured"):
                self.lag_s.append(check["lag_s"] or 0.0)
                self.lag_bytes.append(check["lag_bytes"] or 0)

    def freshness(self, base: str, request: tuple[str, bytes]) -> float:
        """Seconds from one push to the dashboard showing it (the projector's round, then the
        replica's replay)."""
        from pika_bench import ingest_common as common

        before = self.redeemed()
        start = time.perf_counter()
        failures = common.run_clients(base, [request], 1).failures
        if failures:
            raise RuntimeError(f"push failed: {failures[0][:300]!r}")
        while self.redeemed() == before:
            if time.perf_counter() - start > 60:
                raise RuntimeError("the dashboard did not show the push within 60 s")
            time.sleep(0.02)
        return time.perf_counter() - start
