"""A scan is recorded whole or not at all: injected failures and a killed process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import event, text

from app.core.store import KioskStore, StoreError
from pika_protocol.validation import Reason
from tests.core.store.conftest import Counter
from tests.core.store.test_record_scan import table_counts
from tests.support.clock_shift.moved_clock import child_pythonpath

REPO_ROOT = Path(__file__).resolve().parents[3]

ORPHAN_CHECKS = {
    "redemption without its scan": (
        "SELECT count(*) FROM redemptions r LEFT JOIN scans s ON s.redemption_id ="
        " r.redemption_id WHERE s.scan_id IS NULL AND r.origin = 'local'"
    ),
    "redemption without its outbox item": (
        "SELECT count(*) FROM redemptions r LEFT JOIN outbox o ON o.item_id = r.redemption_id"
        " WHERE o.item_id IS NULL AND r.origin = 'local'"
    ),
    "scan without its outbox item": (
        "SELECT count(*) FROM scans s LEFT JOIN outbox o ON o.item_id = s.scan_id"
        " WHERE o.item_id IS NULL"
    ),
    "outbox item without its scan": (
        "SELECT count(*) FROM outbox o LEFT JOIN scans s ON s.scan_id = o.item_id"
        " WHERE s.scan_id IS NULL"
    ),
    "scan without its event": (
        "SELECT count(*) FROM scans s WHERE (SELECT count(*) FROM events e"
        " WHERE replace(e.payload ->> '$.scan_id', '-', '') = s.scan_id) != 1"
    ),
    "accepted scan without its redemption": (
        "SELECT count(*) FROM scans s LEFT JOIN redemptions r ON r.redemption_id ="
        " s.redemption_id WHERE s.reason = 'valid' AND r.redemption_id IS NULL"
    ),
}


def orphans(store: KioskStore) -> dict[str, int]:
    with store._db.transaction() as conn:
        return {name: conn.execute(text(sql)).scalar_one() for name, sql in ORPHAN_CHECKS.items()}


@pytest.mark.parametrize(
    ("serial_kind", "failing_table"),
    [
        ("valid", "redemptions"),
        ("valid", "scans"),
        ("valid", "outbox"),
        ("valid", "events"),
        ("rejected", "scans"),
        ("rejected", "outbox"),
        ("rejected", "events"),
    ],
)
def test_a_failure_between_the_writes_leaves_nothing_of_that_scan(
    counter: Counter, failing_table: str, serial_kind: str
) -> None:
    counter.scan(counter.voucher(1))  # an earlier scan that must survive untouched
    before = table_counts(counter.store)
    token = counter.voucher(2) if serial_kind == "valid" else "UNREADABLE"

    def fail_on_insert(conn, cursor, statement, parameters, context, executemany) -> None:
        if statement.startswith(f"INSERT INTO {failing_table} "):
            raise OSError(f"disk yanked while writing {failing_table}")

    engine = counter.store._db.engine
    event.listen(engine, "before_cursor_execute", fail_on_insert)
    try:
        with pytest.raises((OSError, StoreError)):
            counter.scan(token)
    finally:
        event.remove(engine, "before_cursor_execute", fail_on_insert)

    assert table_counts(counter.store) == before
    assert orphans(counter.store) == dict.fromkeys(ORPHAN_CHECKS, 0)
    # The store is still usable, and the same voucher can still be redeemed.
    assert counter.scan(token).reason is (
        Reason.VALID if serial_kind == "valid" else Reason.MALFORMED
    )


@pytest.mark.slow
def test_killed_mid_write_reopens_with_no_half_recorded_scan(
    store_path: Path, key: bytes, store: KioskStore
) -> None:
    store.close()
    env = {**os.environ, "PYTHONPATH": child_pythonpath(REPO_ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.core.store.record_loop", str(store_path), key.hex()],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        committed = 0
        for line in child.stdout:
            committed = int(line)
            if committed >= 300:
                break
        assert committed >= 300, child.stderr.read() if child.stderr else ""
        os.kill(child.pid, signal.SIGKILL)  # while it is writing the next scans
    finally:
        child.kill()
        child.wait(timeout=10)

    with KioskStore.open(store_path, key) as reopened:
        counts = table_counts(reopened)
        assert counts["scans"] >= committed  # every scan reported committed survived
        assert counts["outbox"] == counts["scans"] == counts["events"]
        assert orphans(reopened) == dict.fromkeys(ORPHAN_CHECKS, 0)
        with reopened._db.transaction() as conn:
            duplicates = conn.execute(
                text(
                    "SELECT count(*) FROM (SELECT serial FROM redemptions"
                    " WHERE voided_at IS NULL GROUP BY serial HAVING count(*) > 1)"
                )
            ).scalar_one()
            redemptions = conn.execute(text("SELECT count(*) FROM redemptions")).scalar_one()
            valid_scans = conn.execute(
                text("SELECT count(*) FROM scans WHERE reason = 'valid'")
            ).scalar_one()
        assert duplicates == 0
        assert redemptions == valid_scans
