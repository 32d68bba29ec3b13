"""Shared set-up for the ingest benchmarks: a seeded throwaway backend and raw baselines.

The API side goes through everything a kiosk's push goes through (API key lookup, tier rate
limit on Redis when reachable, Idempotency-Key, per-item validation, the one-accepted-per-copy
index, the event log). The raw side writes the same rows with plain batched INSERTs into a
table shaped like ``redemptions`` in the same Postgres, with the same number of connections:
the ceiling the API is compared with.
"""

from __future__ import annotations

import argparse
import http.client
import json
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from app.core import sync_wire
from sync_backend.settings import Environment, Settings, Tier

BENCH_ADMIN_TOKEN = "bench-admin-token-0123456789abcdef"


def add_common_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--postgres",
        default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
        help="Postgres to create the throwaway database on",
    )
    parser.add_argument(
        "--redis",
        default="redis://127.0.0.1:6379/14",
        help="Redis for the rate limiter ('' for in-process limits)",
    )
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument(
        "--no-push-groups",
        dest="push_groups",
        action="store_false",
        help="one transaction per push (PIKA_PUSH_GROUPS=false), to compare with group commit",
    )


def bench_settings(database_url: str, redis_url: str, push_groups: bool = True) -> Settings:
    # Limits stay on (the check runs on every request) but sized for the benchmark's volume.
    huge = "100000000/hour"
    return Settings(
        environment=Environment.DEVELOPMENT,
        database_url=database_url,
        redis_url=redis_url,
        admin_token=BENCH_ADMIN_TOKEN,
        fraud_interval_s=0,
        # One connection per request a worker can have in flight (32 clients on 2 workers):
        # a smaller pool opens and closes overflow connections on every request.
        db_pool_size=16,
        push_groups=push_groups,
        rate_limit_key_prefix=f"pika-bench-{uuid.uuid4().hex[:8]}",
        tier_limits={Tier.BASIC: huge, Tier.PREMIUM: huge, Tier.ENTERPRISE: huge},
    )


def redis_or_empty(url: str) -> str:
    if not url:
        return ""
    import redis

    try:
        redis.Redis.from_url(url, socket_timeout=1).ping()
    except redis.RedisError:
        return ""
    return url


@dataclass(frozen=True)
class Seeded:
    business_id: int
    kiosks: list[tuple[str, str]]  # (device_id, api_key)
    tokens: list[str]


def seed(settings: Settings, copies: int, kiosks: int) -> Seeded:
    """A business, an offer, ``copies`` printed vouchers and enrolled kiosks (real services)."""
    from sync_backend.businesses import service as businesses
    from sync_backend.db import make_engine, make_sessionmaker
    from sync_backend.devices import service as devices
    from sync_backend.vouchers import repository as vouchers_repo
    from sync_backend.vouchers import service as vouchers
    from sync_backend.vouchers.schemas import OfferIn

    engine = make_engine(settings)
    try:
        with make_sessionmaker(engine)() as session, session.begin():
            business = businesses.create(session, name="Bench", tier=Tier.ENTERPRISE, actor="bench")
            now = datetime.now(UTC)
            offer = vouchers.create_offer(
                session,
                OfferIn(
                    business_id=business.id,
                    title="bench",
                    discount="10%",
                    valid_from=now - timedelta(days=1),
                    valid_until=now + timedelta(days=30),
                ),
                actor="bench",
            )
            book = vouchers.print_book(session, settings, offer.id, copies, actor="bench")
            tokens = [v.token for v in vouchers_repo.book_vouchers(session, book.id)]
            enrolled = []
            for i in range(kiosks):
                code, _ = devices.create_enrolment_code(session, settings, business.id, "bench")
                answer = devices.enrol(
                    session, settings, sync_wire.EnrolRequest(code=code, device_name=f"Caja {i}")
                )
                enrolled.append((answer.device_id, answer.api_key))
            return Seeded(business.id, enrolled, tokens)
    finally:
        engine.dispose()


def item_json(token: str, device_id: str, business_id: int) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "kind": "redemption",
        "token": token,
        "business_id": business_id,
        "reason": "valid",
        "scanned_at": datetime.now(UTC).isoformat(),
        "device_id": device_id,
        "source": "camera",
    }


def push_requests(seeded: Seeded, batch: int) -> list[tuple[str, bytes]]:
    """Pre-built (api_key, body) pairs so the client spends no time building JSON."""
    out = []
    for n, start in enumerate(range(0, len(seeded.tokens), batch)):
        device_id, api_key = seeded.kiosks[n % len(seeded.kiosks)]
        items = [
            item_json(t, device_id, seeded.business_id)
            for t in seeded.tokens[start : start + batch]
        ]
        out.append((api_key, json.dumps({"items": items}).encode()))
    return out


def run_clients(
    url: str, requests: Sequence[tuple[str, bytes]], concurrency: int
) -> tuple[float, list[float], list[bytes]]:
    """POST every request over keep-alive connections from ``concurrency`` threads.

    Returns (elapsed seconds, per-request latencies, bodies of non-200 answers).
    """
    parts = urlsplit(url)
    lock = threading.Lock()
    queue = list(reversed(requests))
    latencies: list[float] = []
    failures: list[bytes] = []

    def worker() -> None:
        conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=120)
        while True:
            with lock:
                if not queue:
                    break
                api_key, body = queue.pop()
            headers = {
                "Authorization": f"Bearer {api_key}",
                "Idempotency-Key": str(uuid.uuid4()),
                "Content-Type": "application/json",
            }
            start = time.perf_counter()
            conn.request("POST", sync_wire.PUSH_PATH, body=body, headers=headers)
            response = conn.getresponse()
            payload = response.read()
            elapsed = time.perf_counter() - start
            with lock:
                latencies.append(elapsed)
                if response.status != 200:
                    failures.append(payload)
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start, latencies, failures


RAW_COLUMNS = (
    "id, kind, outcome, business_id, device_id, serial, offer_id, voucher_business_id, variant, "
    "token, source, kiosk_reason, server_reason, scanned_at, received_at"
)


def raw_rows(seeded: Seeded) -> list[tuple[Any, ...]]:
    now = datetime.now(UTC)
    device_id = seeded.kiosks[0][0]
    return [
        (
            uuid.uuid4(),
            "redemption",
            "accepted",
            seeded.business_id,
            device_id,
            serial,
            1,
            seeded.business_id,
            0,
            token,
            "camera",
            "valid",
            "valid",
            now,
            now,
        )
        for serial, token in enumerate(seeded.tokens, start=10**9)
    ]


def run_raw(
    database_url: str,
    rows: Sequence[tuple[Any, ...]],
    *,
    batch: int,
    concurrency: int,
    on_batch: Callable[[float], None] | None = None,
) -> float:
    """Plain batched INSERTs (psycopg executemany, one transaction per batch) from
    ``concurrency`` connections into a copy of the redemptions table; returns seconds."""
    import psycopg

    dsn = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS raw_redemptions")
        conn.execute(
            "CREATE TABLE raw_redemptions (LIKE redemptions INCLUDING DEFAULTS INCLUDING INDEXES)"
        )
    placeholders = ", ".join(["%s"] * len(rows[0]))
    sql = (
        f"INSERT INTO raw_redemptions ({RAW_COLUMNS}, seq) VALUES ({placeholders}, 0) "
        "ON CONFLICT DO NOTHING"
    )
    batches = [rows[i : i + batch] for i in range(0, len(rows), batch)]
    lock = threading.Lock()

    def worker() -> None:
        with psycopg.connect(dsn) as conn:
            while True:
                with lock:
                    if not batches:
                        return
                    chunk = batches.pop()
                start = time.perf_counter()
                with conn.cursor() as cur:
                    cur.executemany(sql, chunk)
                conn.commit()
                if on_batch is not None:
                    on_batch(time.perf_counter() - start)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start
