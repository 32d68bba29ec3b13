"""The ingest benchmark's two baselines write what they claim, on a real Postgres."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from pika_bench import ingest_common as common
from sync_backend.settings import Settings


@pytest.fixture(autouse=True)
def _drop_baseline_tables(database_url: str) -> Iterator[None]:
    """The baseline tables are not part of the schema: leave the test database as found."""
    yield
    dsn = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as conn:
        for table in (common.RAW_TABLE, common.CEILING_TABLE):
            conn.execute(f"DROP TABLE IF EXISTS {table}")


def count(database_url: str, table: str) -> int:
    with psycopg.connect(database_url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        row = conn.execute(f"SELECT count(*), count(DISTINCT serial) FROM {table}").fetchone()
    assert row is not None and row[0] == row[1]  # one row per serial, nothing dropped
    return int(row[0])


def test_raw_side_times_only_its_rows_after_warming_every_connection(
    database_url: str, settings: Settings
) -> None:
    seeded = common.seed(settings, 30, kiosks=1)
    timed = common.raw_rows(seeded)
    warm = common.raw_rows(seeded, first_serial=10**8)[:12]
    batches: list[float] = []
    seconds = common.run_raw(
        database_url, timed, batch=5, concurrency=3, warm_rows=warm, on_batch=batches.append
    )
    assert seconds > 0
    assert len(batches) == 6  # the timed batches only: warm-up is not reported
    assert count(database_url, common.RAW_TABLE) == 30 + 12


def test_ceiling_writes_the_rows_in_one_statement(database_url: str, settings: Settings) -> None:
    seeded = common.seed(settings, 3, kiosks=1)
    assert common.run_ceiling(database_url, seeded, 500) > 0
    assert count(database_url, common.CEILING_TABLE) == 500


def test_api_side_spreads_its_connections_over_every_worker(settings: Settings) -> None:
    """Connections opened together mostly land on one worker; the benchmark's are spread."""
    from pika_bench.backend_server import uvicorn_server

    seeded = common.seed(settings, 8, kiosks=2)
    with uvicorn_server(settings, workers=2) as base:
        run = common.run_clients(base, common.push_requests(seeded, 2), 4, workers=2)
    assert run.failures == []
    assert len(run.latencies) == 4
    assert run.connections_per_worker == [2, 2]
