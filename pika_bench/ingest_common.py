"""Shared set-up for the ingest benchmarks: a seeded throwaway backend and raw baselines.

The API side goes through everything a kiosk's push goes through (API key lookup, tier rate
limit on Redis when reachable, Idempotency-Key, per-item validation, the one-accepted-per-copy
index, the event log). The raw side writes the same rows with plain batched INSERTs into a
table shaped like ``redemptions`` in the same Postgres, with the same number of connections:
the ceiling the API is compared with.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import psutil

from pika_bench.cpu_window import CpuWindow, postgres_backends, server_processes, this_process
from pika_protocol import sync_wire
from sync_backend.settings import Environment, Settings, Tier

BENCH_ADMIN_TOKEN = "bench-admin-token-0123456789abcdef"

#: Redemptions on file before a run, by default none: the benchmark as issue 5 set it and as
#: every figure since was compared. ``--history 200000`` is closer to a running head office
#: (deeper indexes: about 4 µs more Postgres CPU a pushed row), and on an empty table a
#: connection's prepared state read can keep the sequential-scan plan made for a handful of
#: rows until autovacuum analyses the table (docs/benchmarks.md, "history").
DEFAULT_HISTORY = 0


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
        "--history",
        type=int,
        default=DEFAULT_HISTORY,
        help="redemptions already on file, on both sides, before anything is timed (a running "
        "head office is never an empty table; default 0: fresh tables, as the figures so far)",
    )
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
        # Background rounds (fraud checks, the analytics projector) are measured on their own
        # (`pika-bench analytics` freshness); here only the push path is.
        fraud_interval_s=0,
        analytics_interval_s=0,
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
    from sync_backend.vouchers import service as vouchers
    from sync_backend.vouchers.schemas import OfferIn
    from sync_backend.vouchers.signing import PrivateKeyCache

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
            keys = PrivateKeyCache(settings)
            tokens = [v.token for v in vouchers.book_copies(session, keys, book.id)]
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


def api_cpu_window(base_url: str, database_url: str) -> CpuWindow:
    """CPU of the API side: the server's processes, Postgres for its database, the client."""
    return CpuWindow(
        {
            "server": server_processes(urlsplit(base_url).port or 80),
            "postgres": postgres_backends(database_url.rsplit("/", 1)[1]),
            "client": this_process,
        }
    )


def raw_cpu_window(database_url: str) -> CpuWindow:
    """CPU of the raw side: Postgres for its database and the client."""
    return CpuWindow(
        {"postgres": postgres_backends(database_url.rsplit("/", 1)[1]), "client": this_process}
    )


def cpu_figures(api: CpuWindow, raw: CpuWindow, rows: int) -> dict[str, Any]:
    """CPU µs per row of each side and their ratio (raw / API: like ``ratio``, higher is
    better for the API), steady on a machine whose wall-clock figures are not."""
    api_us, raw_us = api.micros_per_row(rows), raw.micros_per_row(rows)
    return {
        "api_cpu_us_per_row": api_us,
        "raw_cpu_us_per_row": raw_us,
        "cpu_ratio": round(raw_us["total"] / api_us["total"], 3) if api_us["total"] else None,
    }


class ClientRun(NamedTuple):
    """What ``run_clients`` saw."""

    elapsed_s: float
    latencies: list[float]
    #: Bodies of non-200 answers.
    failures: list[bytes]
    #: How many of the client connections each server process holds, largest first
    #: (``_balanced_connections``).
    connections_per_worker: list[int]


def _balanced_connections(
    host: str, port: int, concurrency: int, workers: int
) -> tuple[list[http.client.HTTPConnection], list[int]]:
    """``concurrency`` open connections spread evenly over the ``workers`` server processes.

    The workers share one listening socket and whichever is free accepts, so connections
    opened together while the server is idle mostly land on one worker (4-0 or 3-1 on two):
    one core then does most of the work, a 35 % slower run for a reason production (many
    kiosks connecting at different times, each accepted by the least busy worker) does not
    have. Connections are opened one by one and one is kept only while its worker holds fewer
    than its share, as a balancer would place them; the rest are closed unused.
    """
    share = -(-concurrency // max(1, workers))
    kept: list[http.client.HTTPConnection] = []
    per_owner: Counter[int] = Counter()
    for _ in range(concurrency * 25):
        if len(kept) == concurrency:
            break
        conn = http.client.HTTPConnection(host, port, timeout=120)
        conn.connect()
        owner = _owner_of(port, conn.sock.getsockname()[1])
        if owner is not None and per_owner[owner] < share:
            per_owner[owner] += 1
            kept.append(conn)
        else:
            conn.close()
    while len(kept) < concurrency:  # a worker that never accepts: measure what there is
        conn = http.client.HTTPConnection(host, port, timeout=120)
        conn.connect()
        per_owner[_owner_of(port, conn.sock.getsockname()[1]) or 0] += 1
        kept.append(conn)
    return kept, sorted(per_owner.values(), reverse=True)


def _owner_of(server_port: int, client_port: int, wait_s: float = 2.0) -> int | None:
    """PID of the server process that accepted the connection from ``client_port``."""
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        for conn in psutil.net_connections(kind="tcp"):
            if (
                conn.pid is not None
                and conn.laddr
                and conn.raddr
                and conn.laddr.port == server_port
                and conn.raddr.port == client_port
            ):
                return int(conn.pid)
        time.sleep(0.01)  # accepted asynchronously
    return None


def run_clients(
    url: str,
    requests: Sequence[tuple[str, bytes]],
    concurrency: int,
    *,
    workers: int = 1,
    window: CpuWindow | None = None,
) -> ClientRun:
    """POST every request over keep-alive connections from ``concurrency`` threads.

    The connections are opened, spread evenly over the server's ``workers`` processes, before
    the clock (and ``window``, if given) starts.
    """
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    lock = threading.Lock()
    queue = list(reversed(requests))
    latencies: list[float] = []
    failures: list[bytes] = []
    conns, owners = _balanced_connections(host, port, concurrency, workers)

    def worker(conn: http.client.HTTPConnection) -> None:
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

    threads = [threading.Thread(target=worker, args=(conn,)) for conn in conns]
    if window is not None:
        window.start()
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    if window is not None:
        window.stop()
    return ClientRun(elapsed, latencies, failures, owners)


RAW_COLUMNS = (
    "id, kind, outcome, business_id, device_id, serial, offer_id, voucher_business_id, variant, "
    "token, source, kiosk_reason, server_reason, scanned_at, received_at"
)
RAW_TABLE = "raw_redemptions"
CEILING_TABLE = "ceiling_redemptions"


def raw_rows(seeded: Seeded, *, first_serial: int = 10**9) -> list[tuple[Any, ...]]:
    """The API side's rows as plain tuples (serials from ``first_serial`` on)."""
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
        for serial, token in enumerate(seeded.tokens, start=first_serial)
    ]


def _dsn(database_url: str) -> str:
    return database_url.replace("postgresql+psycopg://", "postgresql://")


def _copy_of_redemptions(dsn: str, table: str) -> None:
    """An empty table shaped like ``redemptions`` (same columns, defaults and indexes)."""
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"DROP TABLE IF EXISTS {table}")
        conn.execute(
            f"CREATE TABLE {table} (LIKE redemptions INCLUDING DEFAULTS INCLUDING INDEXES)"
        )


#: Serials of the history's copies: past any the benchmark prints (no voucher row is needed,
#: redemptions keep their serial without a foreign key).
HISTORY_FIRST_SERIAL = 5_000_000_000


def fill_history(database_url: str, table: str, rows: int, seeded: Seeded) -> None:
    """``rows`` accepted redemptions of other copies, scanned over the last 90 days, written
    by Postgres itself into ``table``, then vacuumed and analysed: what a running head office
    has on file. The API's ``redemptions`` and the raw side's copy get the same history, so
    both maintain indexes of the same size."""
    import psycopg

    if rows <= 0:
        return
    token_length = len(seeded.tokens[0]) if seeded.tokens else 148
    with psycopg.connect(_dsn(database_url), autocommit=True) as conn:
        conn.execute(
            f"""
            INSERT INTO {table} ({RAW_COLUMNS}, seq)
            SELECT gen_random_uuid(), 'redemption', 'accepted', %(business)s, %(device)s,
                   %(first)s + g, 1, %(business)s, 0, lpad(g::text, %(token_length)s, 'A'),
                   'camera', 'valid', 'valid', at, at, 0
            FROM generate_series(1, %(rows)s) AS g,
                 LATERAL (SELECT now() - (g * interval '90 days') / %(rows)s AS at) AS t
            """,
            {
                "business": seeded.business_id,
                "device": seeded.kiosks[0][0],
                "first": HISTORY_FIRST_SERIAL,
                "token_length": token_length,
                "rows": rows,
            },
        )
        # VACUUM too: otherwise autovacuum wakes up for the inserted rows during the timed run.
        conn.execute(f"VACUUM (ANALYZE) {table}")


def run_raw(
    database_url: str,
    rows: Sequence[tuple[Any, ...]],
    *,
    batch: int,
    concurrency: int,
    warm_rows: Sequence[tuple[Any, ...]] = (),
    on_batch: Callable[[float], None] | None = None,
    history: int = 0,
    seeded: Seeded | None = None,
    window: CpuWindow | None = None,
) -> float:
    """Plain batched INSERTs (psycopg executemany, one transaction per batch) from
    ``concurrency`` connections into a copy of the redemptions table; returns seconds.

    Treated as the API side is: every connection is opened and warmed up (``warm_rows``, split
    over the connections, so psycopg has prepared its statement and the table's first pages
    exist) before the clock starts; only the timed rows are timed. ``history`` rows are on
    file first (:func:`fill_history`; ``seeded`` names their business and kiosk). ``window``
    measures the timed part, its connections still open.
    """
    import psycopg

    dsn = _dsn(database_url)
    _copy_of_redemptions(dsn, RAW_TABLE)
    if history and seeded is not None:
        fill_history(database_url, RAW_TABLE, history, seeded)
    if not rows:
        return 0.0
    placeholders = ", ".join(["%s"] * len(rows[0]))
    sql = (
        f"INSERT INTO {RAW_TABLE} ({RAW_COLUMNS}, seq) VALUES ({placeholders}, 0) "
        "ON CONFLICT DO NOTHING"
    )
    batches = [rows[i : i + batch] for i in range(0, len(rows), batch)]
    warm_batches = [warm_rows[i : i + batch] for i in range(0, len(warm_rows), batch)]
    lock = threading.Lock()
    ready = threading.Barrier(concurrency + 1)
    # Every connection stays open until the window has read Postgres's CPU.
    finished = threading.Barrier(concurrency + 1)
    errors: list[BaseException] = []

    def insert(conn: psycopg.Connection[Any], chunk: Sequence[tuple[Any, ...]]) -> None:
        with conn.cursor() as cur:
            cur.executemany(sql, chunk)
        conn.commit()

    def worker(index: int) -> None:
        try:
            with psycopg.connect(dsn) as conn:
                for chunk in warm_batches[index::concurrency]:
                    insert(conn, chunk)
                ready.wait()
                while True:
                    with lock:
                        if not batches:
                            break
                        chunk = batches.pop()
                    start = time.perf_counter()
                    insert(conn, chunk)
                    if on_batch is not None:
                        on_batch(time.perf_counter() - start)
                finished.wait()  # the main thread reads the window, then all close
                finished.wait()
        except BaseException as error:  # surfaced after join; a broken barrier frees the rest
            errors.append(error)
            ready.abort()
            finished.abort()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    for t in threads:
        t.start()
    with contextlib.suppress(threading.BrokenBarrierError):  # a worker failed: raised below
        ready.wait()
    if window is not None:
        window.start()
    start = time.perf_counter()
    with contextlib.suppress(threading.BrokenBarrierError):
        finished.wait()
    elapsed = time.perf_counter() - start
    if window is not None:
        window.stop()
    with contextlib.suppress(threading.BrokenBarrierError):
        finished.wait()
    for t in threads:
        t.join()
    if errors:
        raise RuntimeError(f"raw INSERTs failed: {errors[0]!r}") from errors[0]
    return elapsed


def run_ceiling(database_url: str, seeded: Seeded, rows: int) -> float:
    """Seconds for Postgres to write ``rows`` redemption-shaped rows it generates itself
    (one ``INSERT … SELECT … FROM generate_series`` statement, one transaction) into another
    copy of the redemptions table: no client, no network, no parsing. The upper bound of what
    any client could reach on this database, so the API's ratio has a known ceiling."""
    import psycopg

    dsn = _dsn(database_url)
    _copy_of_redemptions(dsn, CEILING_TABLE)
    token_length = len(seeded.tokens[0]) if seeded.tokens else 148
    sql = f"""
        INSERT INTO {CEILING_TABLE} ({RAW_COLUMNS}, seq)
        SELECT gen_random_uuid(), 'redemption', 'accepted', %(business)s, %(device)s,
               2000000000 + g, 1, %(business)s, 0, lpad(g::text, %(token_length)s, 'A'),
               'camera', 'valid', 'valid', now(), now(), 0
        FROM generate_series(1, %(rows)s) AS g
        ON CONFLICT DO NOTHING
    """
    params = {
        "business": seeded.business_id,
        "device": seeded.kiosks[0][0],
        "token_length": token_length,
        "rows": rows,
    }
    with psycopg.connect(dsn) as conn:
        # Warm-up: the same statement on a few rows, then emptied, so the timed statement
        # finds a planned query and a warm catalogue, as the other two sides do.
        conn.execute(sql, {**params, "rows": 100})
        conn.execute(f"TRUNCATE {CEILING_TABLE}")
        conn.commit()
        start = time.perf_counter()
        conn.execute(sql, params)
        conn.commit()
        return time.perf_counter() - start
