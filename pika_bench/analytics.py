"""``pika-bench analytics``: the dashboard's speed on a year of events, against the naive query.

A fresh Postgres database (migrated, dropped at the end) is filled with a realistic year
(``sync_backend.analytics.demo_year``: ``--events`` lifecycle events by COPY, rollups rebuilt
from them). Then, in one run on the same data:

- ``business_p95_ms``: one business's whole dashboard (funnel, ROI by month, hour × weekday,
  kiosks, A/B) from the rollups, for businesses taken at random;
- ``all_p95_ms``: head office's dashboard of every business, with the ranking;
- ``naive_p95_ms``: the baseline, one business's funnel, money, hour × weekday and kiosks
  computed by ``GROUP BY`` over the event table itself;
- ``freshness_s``: the backend as a real server process (its projector every second): a kiosk
  pushes one redemption and head office polls the dashboard until it shows.
"""

from __future__ import annotations

import argparse
import random
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from pika_bench.backend_server import DEFAULT_POSTGRES
from pika_bench.live_backend import DEFAULT_REDIS
from pika_bench.stats import percentile

if TYPE_CHECKING:
    from sync_backend.analytics.demo_year import DemoYear
    from sync_backend.settings import Settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--events", type=int, default=10_000_000, help="lifecycle events")
    parser.add_argument("--businesses", type=int, default=36)
    parser.add_argument("--runs", type=int, default=60, help="dashboards timed per kind")
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES)
    parser.add_argument("--redis", default=DEFAULT_REDIS)


def _naive(session: Any, business_id: int, first: Any, last: Any) -> None:
    """The figures straight from the events: what the rollups save the dashboard from."""
    e = sa.table(
        "lifecycle_events",
        *(
            sa.column(c)
            for c in (
                "kind",
                "business_id",
                "local_day",
                "local_hour",
                "quantity",
                "device_id",
                "reason",
                "sale_total",
                "discount",
            )
        ),
    )
    mine = e.c.business_id == business_id
    inside = e.c.local_day.between(first, last)
    session.execute(
        sa.select(
            e.c.kind,
            sa.func.sum(e.c.quantity),
            sa.func.sum(e.c.sale_total),
            sa.func.sum(e.c.discount),
        )
        .where(mine, e.c.local_day <= last)
        .group_by(e.c.kind)
    ).all()
    session.execute(
        sa.select(e.c.reason, sa.func.count())
        .where(mine, inside, e.c.reason.is_not(None))
        .group_by(e.c.reason)
    ).all()
    session.execute(
        sa.select(sa.func.extract("isodow", e.c.local_day), e.c.local_hour, sa.func.count())
        .where(mine, inside, e.c.kind == "redeemed")
        .group_by(sa.text("1"), e.c.local_hour)
    ).all()
    session.execute(
        sa.select(e.c.device_id, e.c.kind, sa.func.count())
        .where(mine, inside)
        .group_by(e.c.device_id, e.c.kind)
    ).all()


def _time(fn: Any, runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def _freshness(database_url: str, redis_url: str) -> float:
    import httpx

    from pika_bench.ingest_common import item_json
    from pika_bench.live_backend import ADMIN_TOKEN, Backend, HeadOffice
    from pika_protocol import sync_wire

    backend = Backend(database_url, redis_url).start()
    office = HeadOffice(backend.url)
    try:
        business = office.business_with_book(3)
        code = office.enrolment_code(business)
        kiosk = httpx.post(
            f"{backend.url}{sync_wire.ENROL_PATH}", json={"code": code, "device_name": "Caja bench"}
        ).json()
        headers = {"Authorization": f"Bearer {kiosk['api_key']}"}
        token = httpx.get(f"{backend.url}{sync_wire.PULL_PATH}", headers=headers).json()[
            "vouchers"
        ][0]["token"]
        today = datetime.now(UTC).date()
        params = {
            "first_day": (today - timedelta(days=2)).isoformat(),
            "last_day": (today + timedelta(days=2)).isoformat(),
        }
        dashboard = f"{backend.url}/v1/analytics/businesses/{business}/dashboard"
        admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        item = item_json(token, kiosk["device_id"], business)
        pushed = httpx.post(
            f"{backend.url}{sync_wire.PUSH_PATH}",
            json={"items": [item]},
            headers={**headers, "Idempotency-Key": str(uuid.uuid4())},
        )
        pushed.raise_for_status()
        start = time.perf_counter()
        while time.perf_counter() - start < 60:
            figures = httpx.get(dashboard, params=params, headers=admin).json()
            steps = {s["name"]: s["value"] for s in figures["funnel"]["steps"]}
            if steps["redeemed"] == 1:
                return round(time.perf_counter() - start, 3)
            time.sleep(0.05)
        return float("nan")
    finally:
        office.close()
        backend.stop()


def fill_demo_year(url: str, *, events: int, businesses: int) -> tuple[DemoYear, float]:
    """Fill the migrated, empty database of ``url`` with the demo year and ``ANALYZE`` it; what
    was made, and the seconds the filling took (without the ``ANALYZE``). ``pika-bench backup``
    fills its database the same way."""
    from sync_backend.analytics.demo_year import generate
    from sync_backend.analytics.lifecycle import BusinessCalendar
    from sync_backend.db import make_engine, make_sessionmaker

    calendar = BusinessCalendar.named("America/Asuncion")
    engine = make_engine(_settings(url))
    try:
        started = time.perf_counter()
        with make_sessionmaker(engine)() as session, session.begin():
            year = generate(session, calendar, businesses=businesses, events=events)
        fill_s = time.perf_counter() - started
        with engine.connect() as conn:
            conn.execute(sa.text("ANALYZE"))
            conn.commit()
    finally:
        engine.dispose()
    return year, fill_s


def _settings(url: str) -> Settings:
    from sync_backend.settings import Environment, Settings

    return Settings(
        environment=Environment.DEVELOPMENT,
        database_url=url,
        redis_url="",
        db_statement_timeout_s=600.0,
    )


def run(args: argparse.Namespace) -> dict[str, Any]:
    from pika_bench.backend_server import throwaway_database
    from sync_backend.analytics.dashboard import dashboard
    from sync_backend.analytics.scope import make_scope
    from sync_backend.db import make_engine, make_sessionmaker

    with throwaway_database(args.postgres, prefix="pika_bench_analytics") as url:
        year, fill_s = fill_demo_year(url, events=args.events, businesses=args.businesses)
        engine = make_engine(_settings(url))
        factory = make_sessionmaker(engine)
        rng = random.Random(1)
        with factory() as session:
            ids = list(session.execute(sa.text("SELECT id FROM businesses")).scalars())

            def one() -> None:
                scope = make_scope(
                    session,
                    business_id=rng.choice(ids),
                    first_day=year.first_day,
                    last_day=year.last_day,
                )
                dashboard(session, scope)

            def every() -> None:
                scope = make_scope(
                    session, business_id=None, first_day=year.first_day, last_day=year.last_day
                )
                dashboard(session, scope)

            def naive() -> None:
                _naive(session, rng.choice(ids), year.first_day, year.last_day)

            for warm in (one, every, naive):  # warm the caches once
                warm()
            business = _time(one, args.runs)
            overview = _time(every, max(5, args.runs // 4))
            baseline = _time(naive, max(5, args.runs // 4))
        engine.dispose()
        freshness = _freshness(url, args.redis)
    return {
        "events": year.events,
        "business_p95_ms": round(percentile(business, 95) * 1000, 1),
        "all_p95_ms": round(percentile(overview, 95) * 1000, 1),
        "naive_p95_ms": round(percentile(baseline, 95) * 1000, 1),
        "freshness_s": freshness,
        "businesses": year.businesses,
        "fill_s": round(fill_s, 1),
    }
