"""One item the server cannot take (it answers 500 to any batch carrying it) never holds back
the items behind it: the batch is narrowed down by halves, the item is set aside (kept,
counted, shown), the rest flows; a server failing for everyone sets nothing aside."""

from __future__ import annotations

import random
import uuid

import pytest
from sqlalchemy import select

from app.core.store import KioskStore, schema
from app.core.sync import (
    Backoff,
    ServerBusyError,
    ServerUnreachableError,
    SyncApi,
    SyncEngine,
    SyncLoop,
    parse_result,
)
from app.core.sync.outbox import batch_key
from app.core.sync.push import PROBES, SET_ASIDE_RETRY_AFTER
from pika_protocol.sync_wire import ItemOutcome
from tests.core.store.conftest import Counter
from tests.core.sync.conftest import DEVICE, Clock
from tests.support.head_office import HeadOffice, answer, drop_connection


def redeem(counter: Counter, first: int, count: int) -> list[uuid.UUID]:
    return [counter.scan(counter.voucher(serial)).scan_id for serial in range(first, first + count)]


@pytest.fixture
def engine(store: KioskStore, api: SyncApi, counter: Counter, clock: Clock) -> SyncEngine:
    return SyncEngine(store, api, DEVICE, batch_size=8, clock=clock)


def pushed_ids(backend: HeadOffice) -> set[uuid.UUID]:
    return set(backend.stored)


def row(store: KioskStore, item_id: uuid.UUID) -> tuple[str, str | None, object, int]:
    o = schema.outbox
    with store._db.transaction() as conn:
        found = conn.execute(
            select(o.c.state, o.c.last_error, o.c.set_aside_at, o.c.attempts).where(
                o.c.item_id == item_id
            )
        ).one()
    return found.state, found.last_error, found.set_aside_at, found.attempts


@pytest.mark.parametrize("position", [0, 3, 7], ids=["first", "middle", "last-of-batch"])
def test_a_poison_item_is_set_aside_and_everything_else_flows(
    engine: SyncEngine,
    counter: Counter,
    store: KioskStore,
    backend: HeadOffice,
    clock: Clock,
    position: int,
) -> None:
    ids = redeem(counter, 1, 20)
    poison = ids[position]
    backend.poison.add(poison)
    # The first failure may be a blip: the kiosk backs off and sends the same batch again.
    with pytest.raises(ServerBusyError):
        engine.push()
    assert store.outbox.pending_count() == 20
    report = engine.push()
    assert pushed_ids(backend) == set(ids) - {poison}
    assert store.outbox.pending_count() == 0
    assert store.outbox.set_aside_count() == 1 and report.set_aside == 1
    state, problem, set_aside_at, attempts = row(store, poison)
    assert state == "pending" and set_aside_at == clock.now and attempts >= 2
    assert problem and "500" in problem
    aside = store.outbox.set_aside_items()
    assert [item.item_id for item in aside] == [poison]
    history = {scan.scan_id: scan for scan in store.activity.recent_scans(100)}
    assert history[poison].set_aside and not history[poison].synced
    assert not any(scan.set_aside for i, scan in history.items() if i != poison)
    # Narrowing is cheap: about log2 of the batch in failed requests, not one per item.
    assert backend.poisoned_pushes <= 2 + 2 * (8).bit_length()
    # Later redemptions flow as well: the set-aside item is not in their batches.
    later = redeem(counter, 21, 5)
    poisoned_before = backend.poisoned_pushes
    engine.push()
    assert set(later) <= pushed_ids(backend) and backend.poisoned_pushes == poisoned_before
    with store._db.transaction() as conn:
        events = conn.execute(
            select(schema.events.c.payload).where(schema.events.c.type == "sync.item_set_aside")
        ).all()
    assert [e.payload["item_id"] for e in events] == [str(poison)]


def test_two_poison_items_are_both_found(
    engine: SyncEngine, counter: Counter, store: KioskStore, backend: HeadOffice
) -> None:
    ids = redeem(counter, 1, 16)
    backend.poison.update({ids[0], ids[1], ids[12]})
    with pytest.raises(ServerBusyError):
        engine.push()  # the first batch of 8 fails: back off
    with pytest.raises(ServerBusyError):
        engine.push()  # narrowed: items 0 and 1 set aside; the next batch's first failure
    assert store.outbox.set_aside_count() == 2
    engine.push()
    assert pushed_ids(backend) == set(ids) - backend.poison
    assert store.outbox.set_aside_count() == 3 and store.outbox.pending_count() == 0


def test_a_lone_failing_item_is_not_set_aside_until_the_server_answers_others(
    engine: SyncEngine, counter: Counter, store: KioskStore, backend: HeadOffice
) -> None:
    """Nothing else to send: a 500 on it alone may be the server's, so it stays queued (and
    the pull still happens) until a later item proves the server answers others."""
    (poison,) = redeem(counter, 1, 1)
    backend.poison.add(poison)
    for _ in range(3):
        pulls = backend.pulls
        with pytest.raises(ServerBusyError):
            engine.sync_once()
        assert backend.pulls == pulls + 1  # pulls are not held up by the push's 500
    assert store.outbox.set_aside_count() == 0 and store.outbox.pending_count() == 1
    (later,) = redeem(counter, 2, 1)
    report = engine.push()
    assert report.set_aside == 1 and later in pushed_ids(backend)
    assert store.outbox.set_aside_count() == 1 and store.outbox.pending_count() == 0


@pytest.mark.parametrize(
    "failure",
    [
        answer(500, "internal_error"),
        answer(502, "bad_gateway"),
        answer(503, "unavailable"),
        answer(500, "internal_error", **{"Retry-After": "30"}),
        drop_connection,
    ],
    ids=["500-for-everyone", "502-for-everyone", "503", "500-retry-after", "network-down"],
)
def test_a_server_failing_for_everyone_sets_nothing_aside(
    engine: SyncEngine,
    counter: Counter,
    store: KioskStore,
    backend: HeadOffice,
    failure: object,
) -> None:
    ids = redeem(counter, 1, 8)
    for _ in range(5):  # several passes, as the loop would after each backoff
        backend.faults.extend([failure] * 100)  # type: ignore[list-item]
        with pytest.raises((ServerBusyError, ServerUnreachableError)):
            engine.push()
        left = len(backend.faults)
        backend.faults.clear()
        # Bounded: a pass against a dead server costs at most 2 log2(batch) + 5 requests,
        # and the probes.
        assert 100 - left <= 2 * (8).bit_length() + 5 + PROBES
    assert store.outbox.set_aside_count() == 0 and store.outbox.pending_count() == 8
    engine.push()  # the server is back: everything goes, once
    assert pushed_ids(backend) == set(ids) and store.outbox.pending_count() == 0


def test_split_batches_travel_under_their_own_keys(
    engine: SyncEngine, counter: Counter, backend: HeadOffice
) -> None:
    ids = redeem(counter, 1, 8)
    backend.poison.add(ids[5])
    with pytest.raises(ServerBusyError):
        engine.push()
    engine.push()
    keys = backend.push_keys_seen  # pushes that reached the idempotency check (not poisoned)
    assert len(keys) == len(set(keys))  # no key was sent with two bodies
    batches = [ids[:4], ids[4:5], ids[6:8]]  # how the halves fall around item 5
    assert set(keys) == {batch_key(b) for b in batches}


def test_set_aside_items_are_retried_alone_daily_and_when_the_manager_asks(
    engine: SyncEngine, counter: Counter, store: KioskStore, backend: HeadOffice, clock: Clock
) -> None:
    ids = redeem(counter, 1, 6)
    poison = ids[2]
    backend.poison.add(poison)
    with pytest.raises(ServerBusyError):
        engine.push()
    engine.push()
    assert store.outbox.set_aside_count() == 1
    # Not retried in the ordinary passes of the same day.
    before = backend.poisoned_pushes
    clock.advance(3600)
    assert engine.push().retried == 0 and backend.poisoned_pushes == before
    # The manager asks: tried once, alone; still failing, it stays set aside from now on.
    engine.retry_set_aside()
    report = engine.push()
    assert report.retried == 1 and report.retried_answered == 0
    assert backend.poisoned_pushes == before + 1
    assert store.outbox.set_aside_count() == 1 and row(store, poison)[2] == clock.now
    assert engine.push().retried == 0  # the request was served
    # A day later it is tried again by itself; head office fixed its bug meanwhile.
    backend.poison.clear()
    clock.advance(SET_ASIDE_RETRY_AFTER.total_seconds() + 1)
    report = engine.push()
    assert report.retried == 1 and report.retried_answered == 1
    assert store.outbox.set_aside_count() == 0 and poison in pushed_ids(backend)
    state, _problem, _at, _attempts = row(store, poison)
    assert state == "done"
    with store._db.transaction() as conn:
        text = conn.execute(
            select(schema.outbox.c.server_result).where(schema.outbox.c.item_id == poison)
        ).scalar_one()
    result = parse_result(text)
    assert result is not None and result.outcome is ItemOutcome.ACCEPTED


def test_a_retry_while_the_server_is_down_keeps_the_item_and_the_request(
    engine: SyncEngine, counter: Counter, store: KioskStore, backend: HeadOffice
) -> None:
    ids = redeem(counter, 1, 4)
    backend.poison.add(ids[0])
    with pytest.raises(ServerBusyError):
        engine.push()
    engine.push()
    engine.retry_set_aside()
    backend.faults.append(drop_connection)
    with pytest.raises(ServerUnreachableError):
        engine.push()
    assert store.outbox.set_aside_count() == 1
    backend.poison.clear()
    assert engine.push().retried_answered == 1  # the manager's request still stood
    assert store.outbox.set_aside_count() == 0


def test_the_loop_counts_the_set_aside_items(
    engine: SyncEngine, counter: Counter, backend: HeadOffice
) -> None:
    ids = redeem(counter, 1, 5)
    backend.poison.add(ids[1])
    loop = SyncLoop(engine, backoff=Backoff(base_s=1, cap_s=8, rng=random.Random(0)))
    loop.run_pass()
    loop.run_pass()
    status = loop.status()
    assert status.set_aside == 1 and status.pending == 0 and status.online
    backend.poison.clear()
    loop.retry_set_aside()
    loop.run_pass()
    assert loop.status().set_aside == 0


def test_a_set_aside_item_still_blocks_enrolling_again(
    engine: SyncEngine, counter: Counter, store: KioskStore, backend: HeadOffice
) -> None:
    from app.core.sync import EnrolmentRefusedError
    from app.core.sync.enrolment import check_can_enrol

    ids = redeem(counter, 1, 3)
    backend.poison.add(ids[0])
    with pytest.raises(ServerBusyError):
        engine.push()
    engine.push()
    assert store.outbox.pending_count() == 0 and store.outbox.set_aside_count() == 1
    with pytest.raises(EnrolmentRefusedError):
        check_can_enrol(store)


def test_a_server_blip_during_narrowing_sets_no_innocent_item_aside(
    engine: SyncEngine, counter: Counter, store: KioskStore, backend: HeadOffice
) -> None:
    """Four 500s in a row, then the server is fine: the item that met the last one alone is
    tried alone once more before it could be suspected, and goes through."""
    ids = redeem(counter, 1, 4)
    backend.faults.extend([answer(500, "internal_error")] * 4)
    with pytest.raises(ServerBusyError):
        engine.push()  # the whole batch, first time: back off
    report = engine.push()  # whole again, half, then item 0 alone: 500s; item 0 again: fine
    assert report.set_aside == 0 and store.outbox.set_aside_count() == 0
    assert pushed_ids(backend) == set(ids) and store.outbox.pending_count() == 0


def test_many_hostile_items_side_by_side_are_all_set_aside(
    store: KioskStore, api: SyncApi, counter: Counter, backend: HeadOffice, clock: Clock
) -> None:
    """Twelve hostile codes shown one after another at the counter: a long run of failures,
    so the far end of the batch is probed alone; it is answered, and the narrowing goes on."""
    engine = SyncEngine(store, api, DEVICE, batch_size=32, clock=clock)
    ids = redeem(counter, 1, 40)
    backend.poison.update(ids[:12])
    with pytest.raises(ServerBusyError):
        engine.push()
    engine.push()
    assert store.outbox.set_aside_count() == 12 and store.outbox.pending_count() == 0
    assert pushed_ids(backend) == set(ids[12:])
    assert backend.poisoned_pushes < 4 * 12 + 2 * (32).bit_length()
