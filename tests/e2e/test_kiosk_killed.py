"""A kiosk process killed with SIGKILL while recording and while syncing: its store opens
again, nothing committed is lost, and once synced the server holds everything exactly once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.core.store import schema
from app.core.sync.credentials import load_api_key
from tests.e2e.harness import (
    Backend,
    Database,
    HeadOffice,
    Kiosk,
    assert_invariants,
    enrol_for_business,
)
from tests.support.clock_shift.moved_clock import child_pythonpath
from tests.support.fault_proxy import FaultProxy

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def kiosk(
    tmp_path: Path, head_office: HeadOffice, backend: Backend, database: Database
) -> Iterator[Kiosk]:
    business = head_office.business_with_book(300)
    enrolled = enrol_for_business(tmp_path / "k", backend.url, head_office, database, business)
    yield enrolled
    enrolled.close()


def child(*args: str) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=child_pythonpath(ROOT))
    return subprocess.Popen(
        [sys.executable, "-m", "tests.e2e.kiosk_child", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )


def table_count(kiosk: Kiosk, table: sa.Table) -> int:
    with kiosk.store._db.transaction() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def test_killed_while_recording_loses_nothing_committed(
    kiosk: Kiosk, database: Database, tmp_path: Path
) -> None:
    kiosk.store.close()
    tokens = tmp_path / "tokens.json"
    tokens.write_text(json.dumps([kiosk.book[s] for s in kiosk.serials()]))
    process = child("record", str(kiosk.store.path), kiosk.key.hex(), str(tokens))
    assert process.stdout is not None
    committed = []
    while len(committed) < 60:  # kill it in the middle of its run of 300
        committed.append(uuid.UUID(process.stdout.readline().strip()))
    process.send_signal(signal.SIGKILL)
    process.wait(10)
    kiosk.reopen()
    redeemed = kiosk.local_redemption_ids()
    assert set(committed) <= redeemed
    # every transaction is whole: one scan, one outbox item, one event per redemption
    assert (
        table_count(kiosk, schema.scans)
        == table_count(kiosk, schema.outbox)
        == len(redeemed)
        == table_count(kiosk, schema.events) - 1  # plus the enrolment event
    )
    kiosk.drain()
    assert_invariants(database, [kiosk])


def test_killed_while_syncing_loses_nothing_and_counts_nothing_twice(
    kiosk: Kiosk, backend: Backend, database: Database
) -> None:
    kiosk.redeem(kiosk.serials()[:200])
    api_key = load_api_key(kiosk.store.path)
    assert api_key is not None
    kiosk.store.close()
    proxy = FaultProxy(backend.port).start()
    try:
        proxy.inject(*["delay:0.2", "cut"] * 20)  # slow batches, some answers lost
        process = child("sync", str(kiosk.store.path), kiosk.key.hex(), proxy.url, api_key)
        assert process.stdout is not None and process.stdout.readline().strip() == "syncing"
        deadline = time.monotonic() + 20
        while proxy.requests < 5 and time.monotonic() < deadline:
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    finally:
        proxy.stop()
    on_server = database.scalar(
        "SELECT count(*) FROM redemptions WHERE device_id = :d", d=kiosk.device.device_id
    )
    assert 0 < on_server < 200  # killed part-way
    kiosk.reopen()
    assert len(kiosk.local_redemption_ids()) == 200
    kiosk.drain()
    assert_invariants(database, [kiosk])
