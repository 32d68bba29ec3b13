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


def test_both_sides_start_from_the_same_analysed_history(
    database_url: str, settings: Settings
) -> None:
    seeded = common.seed(settings, 30, kiosks=1)
    common.fill_history(database_url, "redemptions", 40, seeded)
    common.run_raw(
        database_url, common.raw_rows(seeded), batch=5, concurrency=2, history=40, seeded=seeded
    )
    assert count(database_url, "redemptions") == 40
    assert count(database_url, common.RAW_TABLE) == 40 + 30
    dsn = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as conn:
        for table in ("redemptions", common.RAW_TABLE):
            # ANALYZE ran: the planner knows the rows (reltuples is -1 before any analysis).
            analysed = conn.execute(
                "SELECT reltuples FROM pg_class WHERE relname = %s", (table,)
            ).fetchone()
            assert analysed is not None and analysed[0] >= 40
        # History copies never meet the benchmark's own serials (printed, or the raw side's).
        low = conn.execute("SELECT min(serial) FROM redemptions").fetchone()
        assert low is not None and low[0] > common.HISTORY_FIRST_SERIAL > 10**9 + 30


def test_ceiling_writes_the_rows_in_one_statement(database_url: str, settings: Settings) -> None:
    seeded = common.seed(settings, 3, kiosks=1)
    assert common.run_ceiling(database_url, seeded, 500) > 0
    assert count(database_url, common.CEILING_TABLE) == 500


def test_api_side_spreads_its_connections_over_every_worker(settings: Settings) -> None:
    """Connections opened together mostly land on one worker; the benchmark's are spread."""
    from pika_bench.backend_server import uvicorn_server

    seeded = common.seed(settings, 2000, kiosks=2)
    with uvicorn_server(settings, workers=2) as base:
        window = common.api_cpu_window(base, settings.database_url)
        run = common.run_clients(
            base, common.push_requests(seeded, 100), 4, workers=2, window=window
        )
    assert run.failures == []
    assert len(run.latencies) == 20
    assert run.connections_per_worker == [2, 2]
    # The window found the server's workers and the database's backends while they worked
    # (CPU time is counted in 10 ms clock ticks: 2,000 rows are enough for each to show).
    assert window.seconds["server"] > 0 and window.seconds["postgres"] > 0


def test_raw_side_cpu_is_read_before_its_connections_close(
    database_url: str, settings: Settings
) -> None:
    seeded = common.seed(settings, 2000, kiosks=1)
    window = common.raw_cpu_window(database_url)
    common.run_raw(database_url, common.raw_rows(seeded), batch=100, concurrency=2, window=window)
    assert window.seconds["postgres"] > 0 and window.seconds["client"] > 0
    figures = common.cpu_figures(window, window, 2000)
    assert figures["cpu_ratio"] == 1.0
    assert figures["raw_cpu_us_per_row"]["total"] == pytest.approx(
        figures["raw_cpu_us_per_row"]["postgres"] + figures["raw_cpu_us_per_row"]["client"],
        abs=0.2,
    )
