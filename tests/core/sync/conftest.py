"""Fixtures: a real encrypted store with a signing key and an offer, the real head office
(``create_app`` on SQLite, tests/support/head_office.py) and a sync engine between them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from time_machine import TimeMachineFixture

from app.core.device import DeviceIdentity
from app.core.store import KioskStore
from app.core.sync import SyncApi, SyncEngine
from tests.core.store.conftest import (  # noqa: F401  (fixtures)
    BUSINESS_ID,
    DEVICE_ID,
    NOW,
    Counter,
    _clock_at_now,  # autouse: the sync tests live at NOW as well, head office too
    counter,
    key,
    store,
    store_path,
)
from tests.support.head_office import BASE_URL, HeadOffice
from tests.support.head_office import head_office_template as head_office_template

DEVICE = DeviceIdentity(DEVICE_ID, "Caja 1", BUSINESS_ID, "Chipería Don Pedro")


def stop_head_office_clock(time_machine: TimeMachineFixture, at: datetime = NOW) -> None:
    """Stop the process's clock (head office's) at ``at``, so the times it answers are exactly
    the ones a test wrote; the kiosk's own clock is the injected :class:`Clock`. Only for
    tests that compare those times: a kiosk whose clock stands writes every row at one time."""
    time_machine.move_to(at, tick=False)


@pytest.fixture
def backend(
    tmp_path: Path, head_office_template: Path, request: pytest.FixtureRequest
) -> Iterator[HeadOffice]:
    """Head office, holding the test counter's signing key as its key 1 when the test has a
    counter (asking for one otherwise would set up a device in a store meant to be empty)."""
    signing_key = (
        request.getfixturevalue("counter").signing_key
        if "counter" in request.fixturenames
        else None
    )
    with HeadOffice.running(
        tmp_path,
        head_office_template,
        signing_key=signing_key,
        business_id=BUSINESS_ID,
        device_id=DEVICE_ID,
    ) as office:
        yield office


@pytest.fixture
def api(backend: HeadOffice) -> Iterator[SyncApi]:
    client = SyncApi(BASE_URL, api_key=backend.api_key, transport=backend.transport())
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
