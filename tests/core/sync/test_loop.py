"""The sync loop's states: offline by itself, online again, revoked, not authorised."""

from __future__ import annotations

import random

from app.core.store import KioskStore
from app.core.sync import Backoff, Connection, DeviceRevokedError, SyncEngine, SyncLoop
from tests.core.store.conftest import Counter
from tests.core.sync.fake_backend import FakeBackend, answer, drop_connection


def loop_for(engine: SyncEngine, **kwargs: object) -> SyncLoop:
    backoff = Backoff(base_s=1, cap_s=8, rng=random.Random(0))
    return SyncLoop(engine, interval_s=30, busy_interval_s=2, backoff=backoff, **kwargs)  # type: ignore[arg-type]


def test_offline_then_online_by_itself(
    engine: SyncEngine, counter: Counter, backend: FakeBackend
) -> None:
    counter.scan(counter.voucher(1))
    loop = loop_for(engine)
    backend.faults.append(drop_connection)
    delay = loop.run_pass()
    status = loop.status()
    assert status.connection is Connection.OFFLINE and not status.online
    assert status.pending == 1 and status.last_error and delay is not None and delay <= 1

    backend.faults.append(answer(429, "rate_limited", **{"Retry-After": "20"}))
    assert loop.run_pass() == 20  # Retry-After honoured
    assert loop.status().connection is Connection.OFFLINE

    assert loop.run_pass() == 30
    status = loop.status()
    assert status.online and status.pending == 0 and status.last_sync_at is not None
    assert status.last_error is None and status.last_report is not None


def test_a_conflict_is_counted_for_review(
    engine: SyncEngine, counter: Counter, backend: FakeBackend
) -> None:
    import uuid

    backend.accepted[7] = uuid.uuid4()
    counter.scan(counter.voucher(7))
    loop = loop_for(engine)
    loop.run_pass()
    assert loop.status().needs_review == 1


def test_revoked_stops_the_loop_and_hands_over_the_wipe(
    engine: SyncEngine, store: KioskStore, backend: FakeBackend
) -> None:
    seen: list[DeviceRevokedError] = []
    loop = loop_for(engine, on_revoked=seen.append)
    backend.revoked = True
    assert loop.run_pass() is None
    assert loop.status().connection is Connection.REVOKED and len(seen) == 1


def test_a_refused_key_says_enrol_again_and_backs_off(
    engine: SyncEngine, backend: FakeBackend
) -> None:
    backend.api_key = "pika_someone_else"
    loop = loop_for(engine)
    delay = loop.run_pass()
    assert loop.status().connection is Connection.NOT_AUTHORISED and delay == 8


def test_the_thread_starts_syncs_now_and_stops(
    engine: SyncEngine, counter: Counter, backend: FakeBackend
) -> None:
    import time

    loop = loop_for(engine)
    loop.start()
    deadline = time.monotonic() + 5
    while not loop.status().online and time.monotonic() < deadline:
        time.sleep(0.01)
    counter.scan(counter.voucher(3))
    loop.sync_now()
    while 3 not in backend.accepted and time.monotonic() < deadline:
        time.sleep(0.01)
    loop.stop()
    assert 3 in backend.accepted
