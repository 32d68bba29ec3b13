"""Fixtures: a real encrypted store with a signing key and an offer, a fake backend, an engine."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from app.core.device import DeviceIdentity
from app.core.store import KioskStore
from app.core.sync import SyncApi, SyncEngine
from tests.core.store.conftest import (  # noqa: F401  (fixtures)
    BUSINESS_ID,
    DEVICE_ID,
    NOW,
    Counter,
    _clock_at_now,  # autouse: the sync tests live at NOW as well
    counter,
    key,
    store,
    store_path,
)
from tests.core.sync.fake_backend import FakeBackend

DEVICE = DeviceIdentity(DEVICE_ID, "Caja 1", BUSINESS_ID, "Chipería Don Pedro")


@pytest.fixture
def backend() -> FakeBackend:
    return FakeBackend(device_id=DEVICE_ID, business_id=BUSINESS_ID, now=NOW)


@pytest.fixture
def api(backend: FakeBackend) -> Iterator[SyncApi]:
    client = SyncApi("http://backend.test", api_key=backend.api_key, transport=backend.transport())
    yield client
    client.close()


@dataclass
class Clock:
    """The kiosk's clock in these tests: stands at ``now`` until moved."""

    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def engine(store: KioskStore, api: SyncApi, counter: Counter, clock: Clock) -> SyncEngine:  # noqa: F811
    return SyncEngine(store, api, DEVICE, batch_size=4, clock=clock)
