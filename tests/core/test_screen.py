"""The screen state machine numbers results, so two alike results in a row still differ."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from pathlib import Path

from app.core import demo
from app.core.counter import Counter, ScanOutcome
from app.core.screen import Screen, ScreenStateMachine
from app.core.store import KioskStore, ScanSource


def test_each_result_has_the_next_number_and_returns_to_ready(tmp_path: Path) -> None:
    catalogue = demo.make_catalogue()
    store = KioskStore.open(tmp_path / "k.db", secrets.token_bytes(32))
    try:
        demo.install(store, catalogue)
        # the demo vouchers are valid around the real today, so "now" is derived from it
        now = datetime.now(UTC)
        counter = Counter(store, demo.DEMO_DEVICE, clock=lambda: now)

        def scan(index: int) -> ScanOutcome:
            return counter.scan(catalogue.vouchers[index].token, ScanSource.CAMERA)

        machine = ScreenStateMachine(result_seconds=5)
        first = machine.show(scan(0), now=0.0)
        second = machine.show(scan(1), now=1.0)
        assert (first.number, second.number) == (1, 2)
        assert first.outcome is not None and second.outcome is not None
        assert first.outcome.accepted and second.outcome.accepted  # alike but for the number
        assert machine.tick(5.9).screen is Screen.RESULT
        assert machine.tick(6.0).screen is Screen.READY
        assert machine.show(scan(2), now=7.0).number == 3
    finally:
        store.close()
