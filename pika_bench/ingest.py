"""``pika-bench ingest``: redemptions/s through the push API vs plain batched INSERTs.

Starts a throwaway Postgres database and ``--workers`` uvicorn processes on a random port,
prints ``{"api_rows_per_s", "raw_rows_per_s", "ratio"}`` (goal: ratio ≥ 0.5) and cleans up.
Every push rule is on: API key, rate limit (Redis when reachable), Idempotency-Key, per-item
validation through ``validate``, the one-accepted-per-copy index, the event log.
"""

from __future__ import annotations

import argparse
from typing import Any

from pika_bench.stats import summary_ms


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from pika_bench.ingest_common import add_common_arguments

    add_common_arguments(parser)
    parser.add_argument(
        "--rows", type=int, default=60_000, help="redemptions to push (long enough to steady noise)"
    )
    parser.add_argument("--batch", type=int, default=100, help="items per push / rows per INSERT")
    parser.add_argument("--concurrency", type=int, default=4, help="client connections")


def run(args: argparse.Namespace) -> dict[str, Any]:
    from pika_bench import ingest_common as common
    from pika_bench.backend_server import throwaway_database, uvicorn_server

    with throwaway_database(args.postgres) as url:
        settings = common.bench_settings(
            url, common.redis_or_empty(args.redis), push_groups=args.push_groups
        )
        seeded = common.seed(settings, args.rows, kiosks=max(1, args.concurrency))
        requests = common.push_requests(seeded, args.batch)
        with uvicorn_server(settings, workers=args.workers) as base:
            # Warm up each worker (imports, key cache, prepared statements) on a few batches.
            warm = common.seed(settings, args.batch * 2 * args.workers, kiosks=1)
            common.run_clients(base, common.push_requests(warm, args.batch), args.concurrency)
            elapsed, latencies, failures = common.run_clients(base, requests, args.concurrency)
        if failures:
            raise RuntimeError(f"{len(failures)} pushes failed, first: {failures[0][:300]!r}")
        raw_s = common.run_raw(
            url, common.raw_rows(seeded), batch=args.batch, concurrency=args.concurrency
        )
    api = args.rows / elapsed
    raw = args.rows / raw_s
    return {
        "api_rows_per_s": round(api),
        "raw_rows_per_s": round(raw),
        "ratio": round(api / raw, 3),
        "rows": args.rows,
        "batch": args.batch,
        "concurrency": args.concurrency,
        "workers": args.workers,
        "push_groups": args.push_groups,
        "rate_limit_storage": "redis" if settings.redis_url else "memory",
        "push_latency": summary_ms(latencies),
    }
