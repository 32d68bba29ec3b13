"""``pika-bench drain``: seconds to drain 10,000 redemptions queued offline to a real backend.

Sets up everything for real on this machine: a fresh Postgres database (migrated, dropped at
the end), the backend as a uvicorn child process with Redis rate limits, a business whose tier
limit is raised above the figure measured (the rate limit is not what is timed), a printed book,
a kiosk enrolled with a one-time code that pulls the book. The kiosk then redeems every copy at
the counter with no network use (untimed), and the timer runs from the first push to an empty
outbox, with the kiosk's own store and batch size.

Checked afterwards in the server's database, not taken from the client's word:
``lost`` = kiosk redemptions missing on the server, ``duplicated`` = kiosk redemptions stored
more than once plus printed copies accepted more than once.
"""

from __future__ import annotations

import argparse
import secrets
import tempfile
import time
from pathlib import Path
from typing import Any

from pika_bench.backend_server import DEFAULT_POSTGRES
from pika_bench.live_backend import DEFAULT_REDIS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--redemptions", type=int, default=10_000, help="queued offline")
    parser.add_argument("--batch", type=int, default=500, help="items per push (backend max 500)")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--dir", type=Path, default=None, help="where the kiosk store goes")
    parser.add_argument(
        "--postgres",
        default=DEFAULT_POSTGRES,
        help="Postgres to create the throwaway database on",
    )
    parser.add_argument("--redis", default=DEFAULT_REDIS, help="Redis for the rate limiter")


def run(args: argparse.Namespace) -> dict[str, Any]:
    import sqlalchemy as sa

    from app.core.counter import Counter
    from app.core.device import DeviceIdentity, write_identity
    from app.core.store import KioskStore, ScanSource, schema
    from app.core.sync import SyncApi, SyncEngine
    from app.core.sync.pull import add_public_keys
    from pika_bench.live_backend import Backend, Database, HeadOffice, services_missing

    problem = services_missing(args.postgres, args.redis)
    if problem is not None:
        raise SystemExit(f"pika-bench drain: {problem}")
    count = args.redemptions
    database = Database(args.postgres)
    backend = Backend(database.url, args.redis, workers=args.workers)
    try:
        backend.start()
        office = HeadOffice(backend.url)
        business = office.business_with_book(count)
        code = office.enrolment_code(business)
        office.close()
        with tempfile.TemporaryDirectory(dir=args.dir) as directory:
            store = KioskStore.open(Path(directory) / "kiosk.db", secrets.token_bytes(32))
            api = SyncApi(backend.url)
            answer = api.enrol(code, "Caja bench")
            # Enrolment proper keeps the key in the OS keyring; the benchmark holds it in
            # memory so it runs on machines without one (enrolment is not what is timed).
            device = DeviceIdentity(answer.device_id, "Caja bench", answer.business.id, "")
            write_identity(store, device)
            add_public_keys(store, answer.public_keys)
            api.api_key = answer.api_key
            engine = SyncEngine(store, api, device, batch_size=args.batch)
            engine.pull()
            counter = Counter(store, device)
            with store._db.transaction() as conn:
                serials = list(conn.execute(sa.select(schema.vouchers.c.serial)).scalars())
            for serial in serials[:count]:
                token = store.reference.voucher_token(serial)
                assert token is not None
                counter.scan(token, ScanSource.CAMERA)
            queued = store.outbox.pending_count()

            started = time.perf_counter()
            report = engine.push()
            seconds = time.perf_counter() - started
            left = store.outbox.pending_count()

            r = schema.redemptions
            with store._db.transaction() as conn:
                local = set(
                    conn.execute(
                        sa.select(r.c.redemption_id).where(r.c.origin == "local")
                    ).scalars()
                )
            api.close()
            store.close()
        rows = database.rows(
            "SELECT id, count(*) AS n FROM redemptions WHERE device_id = :d GROUP BY id",
            d=device.device_id,
        )
        on_server = {row.id: row.n for row in rows}
        accepted_twice = database.scalar(
            "SELECT count(*) FROM (SELECT serial FROM redemptions WHERE outcome = 'accepted' "
            "GROUP BY serial HAVING count(*) > 1) AS doubled"
        )
        return {
            "seconds": round(seconds, 3),
            "lost": len(local - on_server.keys()),
            "duplicated": sum(n - 1 for n in on_server.values()) + int(accepted_twice),
            "redemptions": len(local),
            "queued": queued,
            "left_in_outbox": left,
            "batches": report.batches,
            "batch_size": args.batch,
            "items_per_second": round(queued / seconds, 1) if seconds else None,
            "outcomes": dict(report.outcomes),
            "workers": args.workers,
        }
    finally:
        backend.stop()
        database.drop()
