"""A real demo kiosk (encrypted store, demo vouchers, counter) for the manager widgets' tests."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from time_machine import TimeMachineFixture

from app.core import demo
from app.core.corrections import Corrections
from app.core.counter import Counter, ScanOutcome
from app.core.manager_pin import ManagerPin
from app.core.store import KioskStore, ScanSource
from app.ui.operations import Operations

NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


class WallClock:
    """The core's wall clock (aware UTC), stepped by the test."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class TickClock:
    """A monotonic clock for the widgets' countdowns, stepped by the test."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class DemoKiosk:
    ops: Operations
    store: KioskStore
    counter: Counter
    corrections: Corrections
    pin: ManagerPin
    catalogue: demo.DemoCatalogue
    clock: WallClock

    def scan(self, index: int) -> ScanOutcome:
        """Scan demo voucher ``index`` on the store thread, as the window would."""
        token = self.catalogue.vouchers[index].token
        outcome = self.ops.store_op(lambda: self.counter.scan(token, ScanSource.CAMERA)).result()
        self.clock.advance(1)
        return outcome


def open_demo_kiosk(tmp_path: Path) -> Iterator[DemoKiosk]:
    ops = Operations()
    clock = WallClock()
    catalogue = demo.make_catalogue()

    def open_store() -> KioskStore:
        store = KioskStore.open(tmp_path / "k.db", secrets.token_bytes(32))
        demo.install(store, catalogue)
        return store

    store = ops.store_op(open_store).result()
    yield DemoKiosk(
        ops=ops,
        store=store,
        counter=Counter(store, demo.DEMO_DEVICE, clock=clock),
        corrections=Corrections(store, demo.DEMO_DEVICE, clock=clock),
        pin=ManagerPin(store, clock=clock),
        catalogue=catalogue,
        clock=clock,
    )
    ops.shutdown(close_store=store.close)


@pytest.fixture
def kiosk(tmp_path: Path, time_machine: TimeMachineFixture) -> Iterator[DemoKiosk]:
    """The demo kiosk at NOW; any clock read the tests do not inject sees NOW too
    (tests/support/date_guard.py)."""
    time_machine.move_to(NOW)
    yield from open_demo_kiosk(tmp_path)
