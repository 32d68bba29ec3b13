"""``pika-bench ingest-single``: one redemption per request at 32 concurrent clients.

Prints ``{"api_rps", "raw_tps", "ratio", "p95_ms"}`` (goals: ratio ≥ 0.25, p95 ≤ 50 ms):
the push API with one item per request against single-row INSERT transactions from the same
number of connections into the same Postgres. Same throwaway set-up as ``ingest``.
"""

from __future__ import annotations

import argparse
from typing import Any

from pika_bench.stats import percentile, summary_ms


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from pika_bench.ingest_common import add_common_arguments

    add_common_arguments(parser)
    parser.add_argument(
        "--requests",
        type=int,
        default=10_000,
        help="redemptions to push (long enough to steady noise)",
    )
    parser.add_argument("--concurrency", type=int, default=32, help="concurrent clients")


def run(args: argparse.Namespace) -> dict[str, Any]:
    from pika_bench import ingest_common as common
    from pika_bench.backend_server import throwaway_database, uvicorn_server

    with throwaway_database(args.postgres) as url:
        settings = common.bench_settings(
            url, common.redis_or_empty(args.redis), push_groups=args.push_groups
        )
        seeded = common.seed(settings, args.requests, kiosks=args.concurrency)
        requests = common.push_requests(seeded, 1)
        with uvicorn_server(settings, workers=args.workers) as base:
            warm = common.seed(settings, 20 * args.workers, kiosks=1)
            common.run_clients(base, common.push_requests(warm, 1), args.concurrency)
            elapsed, latencies, failures = common.run_clients(base, requests, args.concurrency)
        if failures:
            raise RuntimeError(f"{len(failures)} pushes failed, first: {failures[0][:300]!r}")
        raw_s = common.run_raw(url, common.raw_rows(seeded), batch=1, concurrency=args.concurrency)
    api = args.requests / elapsed
    raw = args.requests / raw_s
    return {
        "api_rps": round(api),
        "raw_tps": round(raw),
        "ratio": round(api / raw, 3),
        "p95_ms": round(percentile([s * 1000 for s in latencies], 95), 2),
        "requests": args.requests,
        "concurrency": args.concurrency,
        "workers": args.workers,
        "push_groups": args.push_groups,
        "rate_limit_storage": "redis" if settings.redis_url else "memory",
        "latency": summary_ms(latencies),
    }
