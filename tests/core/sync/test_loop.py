"""The sync loop's states: offline by itself, online again, revoked, not authorised."""

from __future__ import annotations

import random
from datetime import timedelta

from app.core.store import KioskStore
from app.core.sync import Backoff, Connection, DeviceRevokedError, SyncEngine, SyncLoop
from tests.core.store.conftest import Counter
from tests.core.sync.conftest import Clock
from tests.support.head_office import HeadOffice, answer, drop_connection, rate_limited


def loop_for(engine: SyncEngine, **kwargs: object) -> SyncLoop:
    backoff = Backoff(base_s=1, cap_s=8, rng=random.Random(0))
    return SyncLoop(engine, interval_s=30, busy_interval_s=2, backoff=backoff, **kwargs)  # type: ignore[arg-type]


def test_offline_then_online_by_itself(
    engine: SyncEngine, counter: Counter, backend: HeadOffice
) -> None:
    counter.scan(counter.voucher(1))
    loop = loop_for(engine)
    backend.faults.append(drop_connection)
    delay = loop.run_pass()
    status = loop.status()
    assert status.connection is Connection.OFFLINE and not status.online
    assert status.pending == 1 and status.last_error and delay is not None and delay <= 1

    backend.faults.append(answer(503, "unavailable", **{"Retry-After": "20"}))
    assert loop.run_pass() == 20  # Retry-After honoured
    assert loop.status().connection is Connection.OFFLINE

    assert loop.run_pass() == 30
    status = loop.status()
    assert status.online and status.pending == 0 and status.last_sync_at is not None
    assert status.last_error is None and status.last_report is not None


def test_a_shop_over_its_tier_is_waiting_to_send_not_offline(
    engine: SyncEngine, counter: Counter, backend: HeadOffice, clock: Clock
) -> None:
    """429 on a push: the items stay, the kiosk still pulls, shows "waiting to send" and
    pushes again at the Retry-After, not before (a redemption meanwhile costs no request)."""
    counter.scan(counter.voucher(1))
    loop = loop_for(engine)
    backend.faults.append(rate_limited(retry_after=20, remaining=0))
    assert loop.run_pass() == 20
    status = loop.status()
    assert status.connection is Connection.WAITING_TO_SEND and not status.online
    assert status.pending == 1 and status.send_after == clock.now + timedelta(seconds=20)
    assert backend.pulls == 1 and status.last_sync_at is None  # pulled; not all pushed

    clock.advance(5)
    counter.scan(counter.voucher(2))
    loop.send_soon()
    requests = len(backend.push_keys_seen), backend.pulls
    assert loop.run_pass() == 15  # held: no push, and no pull before one is due
    assert (len(backend.push_keys_seen), backend.pulls) == requests
    assert loop.status().connection is Connection.WAITING_TO_SEND and loop.status().pending == 2

    clock.advance(15)
    assert loop.run_pass() == 10  # the next pull is due 30 s after the last one
    status = loop.status()
    assert status.online and status.pending == 0 and status.send_after is None
    assert backend.pulls == 1 and sorted(backend.accepted) == [1, 2]


def test_an_idle_kiosk_pulls_at_the_pace_the_backend_asks(
    engine: SyncEngine, counter: Counter, backend: HeadOffice, clock: Clock
) -> None:
    backend.configure(poll_interval_s=90)
    loop = loop_for(engine)  # its own default: 30 s
    assert loop.run_pass() == 90 and backend.pulls == 1
    # A redemption is pushed at once, but brings no pull before one is due.
    clock.advance(40)
    counter.scan(counter.voucher(1))
    loop.send_soon()
    assert loop.run_pass() == 50
    assert backend.pulls == 1 and 1 in backend.accepted
    # The manager's "Sync now" pulls whenever it is pressed.
    loop.sync_now()
    assert loop.run_pass() == 90 and backend.pulls == 2
    clock.advance(90)
    assert loop.run_pass() == 90 and backend.pulls == 3
    # A figure no kiosk should follow is bounded.
    backend.configure(poll_interval_s=0)
    clock.advance(90)
    assert loop.run_pass() == 5


def test_a_pull_over_the_device_budget_waits_as_asked(
    engine: SyncEngine, backend: HeadOffice
) -> None:
    loop = loop_for(engine)
    backend.faults.append(rate_limited(retry_after=120, remaining=0, bucket="sync"))
    assert loop.run_pass() == 120
    assert loop.status().connection is Connection.WAITING_TO_SEND


def test_a_conflict_is_counted_for_review(
    engine: SyncEngine, counter: Counter, backend: HeadOffice
) -> None:
    backend.redeem_elsewhere(counter.voucher(7))
    counter.scan(counter.voucher(7))
    loop = loop_for(engine)
    loop.run_pass()
    assert loop.status().needs_review == 1


def test_revoked_stops_the_loop_and_hands_over_the_wipe(
    engine: SyncEngine, store: KioskStore, backend: HeadOffice
) -> None:
    seen: list[DeviceRevokedError] = []
    loop = loop_for(engine, on_revoked=seen.append)
    backend.revoke_device()
    assert loop.run_pass() is None
    assert loop.status().connection is Connection.REVOKED and len(seen) == 1


def test_a_refused_key_says_enrol_again_and_backs_off(
    engine: SyncEngine, backend: HeadOffice
) -> None:
    backend.expire_keys()  # head office no longer knows this kiosk's key
    loop = loop_for(engine)
    delay = loop.run_pass()
    assert loop.status().connection is Connection.NOT_AUTHORISED and delay == 8


def test_the_thread_starts_syncs_now_and_stops(
    engine: SyncEngine, counter: Counter, backend: HeadOffice
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
