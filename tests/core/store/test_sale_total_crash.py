"""A kiosk killed (SIGKILL) while the sale-total prompt is open, or just after it closed: the
redemption recorded at scan time is there, and it is sent, with the total only if it was
settled before the kill. The process is a real one (tests/e2e/kiosk_child.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from app.core.store import KioskStore, QueuedScan
from tests.core.store.conftest import NOW, Counter
from tests.support.clock_shift.moved_clock import child_pythonpath

ROOT = Path(__file__).resolve().parents[3]


def killed_after(store: KioskStore, key: bytes, token: str, *total: str) -> uuid.UUID:
    """Run the prompt in a child until it said how far it got, then SIGKILL it."""
    store.close()
    env = dict(os.environ, PYTHONPATH=child_pythonpath(ROOT))
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.e2e.kiosk_child",
            "prompt",
            str(store.path),
            key.hex(),
            token,
            NOW.isoformat(),
            *total,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    try:
        scan_id = uuid.UUID(child.stdout.readline().strip())
        if total:
            assert child.stdout.readline().strip() == "settled"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    assert child.returncode == -signal.SIGKILL
    return scan_id


def sent_total(store: KioskStore, scan_id: uuid.UUID) -> int | None:
    [item] = [i for i in store.outbox.pending() if i.item_id == scan_id]
    assert isinstance(item.payload, QueuedScan)
    return item.payload.item.sale_total


@pytest.mark.slow
def test_killed_while_the_prompt_is_open(
    store: KioskStore, counter: Counter, key: bytes, store_path: Path
) -> None:
    scan_id = killed_after(store, key, counter.voucher(1))
    with KioskStore.open(store_path, key) as reopened:
        assert reopened.activity.find_redemption(1) is not None  # nothing lost
        assert reopened.outbox.pending() == []  # still held on disk
        assert reopened.outbox.release_held() == 1  # what starting the kiosk does
        assert sent_total(reopened, scan_id) is None


@pytest.mark.slow
def test_killed_after_the_total_was_saved(
    store: KioskStore, counter: Counter, key: bytes, store_path: Path
) -> None:
    scan_id = killed_after(store, key, counter.voucher(1), "₲ 150.000")
    with KioskStore.open(store_path, key) as reopened:
        assert reopened.outbox.release_held() == 0  # settled: already let go
        assert sent_total(reopened, scan_id) == 150_000
