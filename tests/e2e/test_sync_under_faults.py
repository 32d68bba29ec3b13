"""The whole path, kiosk core → fault proxy → real backend → Postgres, under faults.

After every scenario, checked in the server's database: every redemption made at the kiosk is
there exactly once, no printed copy is accepted twice, and the outbox is empty once the
network is healthy.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.core.store import ScanSource
from app.core.sync import ServerUnreachableError, SyncApi, TransientSyncError
from tests.e2e.harness import (
    Backend,
    Database,
    HeadOffice,
    Kiosk,
    assert_invariants,
    enrol_for_business,
    printed_book,
)
from tests.support.fault_proxy import FaultProxy

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]


@pytest.fixture
def proxy(backend: Backend) -> Iterator[FaultProxy]:
    fault_proxy = FaultProxy(backend.port).start()
    yield fault_proxy
    fault_proxy.stop()


@pytest.fixture
def kiosk(
    tmp_path: Path, head_office: HeadOffice, proxy: FaultProxy, database: Database
) -> Iterator[Kiosk]:
    business = head_office.business_with_book(60)
    enrolled = enrol_for_business(tmp_path / "k1", proxy.url, head_office, database, business)
    yield enrolled
    enrolled.close()


def test_a_healthy_network_delivers_everything_once(kiosk: Kiosk, database: Database) -> None:
    kiosk.wait_for_feed(60)  # the pull brings the whole book
    serials = kiosk.serials()
    assert kiosk.cached_serials() == serials
    kiosk.redeem(serials[:10])
    kiosk.counter.scan("garbage at the counter", source=ScanSource.CAMERA)
    kiosk.drain()
    assert_invariants(database, [kiosk])
    recorded = database.scalar(
        "SELECT count(*) FROM redemptions WHERE device_id = :d AND outcome = 'recorded'",
        d=kiosk.device.device_id,
    )
    assert recorded == 1


@pytest.mark.parametrize(
    "faults",
    [
        ["drop", "drop"],
        ["cut", "cut"],  # the server committed, the kiosk never heard
        ["status:500", "status:503:1", "status:429:1"],
        ["delay:0.5", "cut", "drop", "status:503"],
    ],
    ids=["dropped", "cut-after-commit", "5xx-and-429", "mixed"],
)
def test_faults_lose_nothing_and_count_nothing_twice(
    kiosk: Kiosk, proxy: FaultProxy, database: Database, faults: list[str]
) -> None:
    kiosk.redeem(kiosk.serials()[:25])
    proxy.inject(*faults)
    tries = kiosk.drain()
    assert tries > 1  # the faults were met, not skipped
    assert_invariants(database, [kiosk])


def test_backend_killed_mid_batch_and_restarted(
    kiosk: Kiosk, proxy: FaultProxy, backend: Backend, database: Database
) -> None:
    kiosk.redeem(kiosk.serials()[:40])
    proxy.inject("delay:1.0")  # the batch is in flight at the proxy when the backend dies
    failure: list[BaseException] = []

    def push() -> None:
        try:
            kiosk.engine.push()
        except TransientSyncError as exc:
            failure.append(exc)

    pusher = threading.Thread(target=push)
    pusher.start()
    import time

    time.sleep(0.5)
    backend.kill()
    pusher.join(30)
    assert failure and kiosk.store.outbox.pending_count() > 0
    with pytest.raises(ServerUnreachableError):
        kiosk.engine.push()  # still down: nothing is dropped
    backend.start()
    kiosk.drain()
    assert_invariants(database, [kiosk])


def test_two_kiosks_redeem_one_voucher_offline_and_sync_in_either_order(
    tmp_path: Path, head_office: HeadOffice, backend: Backend, database: Database
) -> None:
    business = head_office.business_with_book(4)
    kiosks = [
        enrol_for_business(tmp_path / name, backend.url, head_office, database, business, name)
        for name in ("Caja A", "Caja B")
    ]
    try:
        first, second = kiosks
        serial_one, serial_two = first.serials()[:2]
        # both offline: each gives the discount for the same two copies
        a1, a2 = first.redeem([serial_one, serial_two])
        b1, b2 = second.redeem([serial_one, serial_two])
        # copy one: A syncs first; copy two: B's redemption syncs before A's
        first.engine.push()
        second.engine.push()
        outcomes = dict(database.rows("SELECT id, outcome FROM redemptions"))
        assert outcomes[a1] == "accepted" and outcomes[b1] == "conflict"
        assert outcomes[a2] == "accepted" and outcomes[b2] == "conflict"
        # each kiosk's history says what happened to its own redemptions
        for kiosk in kiosks:
            kiosk.drain()
        from app.core.sync import parse_result
        from pika_protocol.sync_wire import ItemOutcome

        b_results = {
            s.scan_id: parse_result(s.sync_result) for s in second.store.activity.recent_scans()
        }
        conflict = b_results[b1]
        assert conflict is not None and conflict.outcome is ItemOutcome.CONFLICT
        assert conflict.redemption_id == str(a1)
        assert_invariants(database, kiosks)
    finally:
        for kiosk in kiosks:
            kiosk.close()


def test_enrolment_through_the_proxy_refuses_a_used_code(
    tmp_path: Path, head_office: HeadOffice, proxy: FaultProxy
) -> None:
    from app.core.sync import EnrolmentRefusedError

    business = head_office.business_with_book(1)
    code = head_office.enrolment_code(business)
    Kiosk.enrol(tmp_path / "first", proxy.url, code, "Caja 1").close()
    with pytest.raises(EnrolmentRefusedError, match="enrolment_code_refused"):
        SyncApi(proxy.url).enrol(code, "Caja 2")


def test_a_revoked_kiosk_is_refused_and_wiped(
    tmp_path: Path, head_office: HeadOffice, backend: Backend, database: Database
) -> None:
    from app.core.sync import DeviceRevokedError, read_wipe_note, wipe_local_data

    business = head_office.business_with_book(2)
    code = head_office.enrolment_code(business)
    kiosk = Kiosk.enrol(
        tmp_path / "revoked",
        backend.url,
        code,
        "Caja robada",
        book=printed_book(database, business),
    )
    kiosk.redeem(kiosk.serials()[:1])
    kiosk.drain()
    head_office.post(f"/v1/admin/devices/{kiosk.device.device_id}/revoke")
    with pytest.raises(DeviceRevokedError):
        kiosk.engine.sync_once()
    wipe_local_data(kiosk.store, reason="device_revoked")
    kiosk.engine.api.close()
    assert not kiosk.store.path.exists()
    note = read_wipe_note(kiosk.store.path.parent)
    assert note is not None and note.device_id == kiosk.device.device_id


def test_key_rotation_with_the_real_backend(
    tmp_path: Path, head_office: HeadOffice, backend: Backend, database: Database
) -> None:
    from app.core.sync.credentials import load_api_key
    from app.core.sync.enrolment import KEY_ROTATE_AFTER_SETTING

    business = head_office.business_with_book(2)
    code = head_office.enrolment_code(business)
    kiosk = Kiosk.enrol(
        tmp_path / "rotating", backend.url, code, "Caja 1", book=printed_book(database, business)
    )
    try:
        old_key = load_api_key(kiosk.store.path)
        # as if 30 days had passed: the rotation is a day overdue by the kiosk's clock (past
        # the hour's grace the kiosk gives a rotation the backend may no longer ask for)
        due = datetime.now(UTC) - timedelta(days=1)
        kiosk.store.settings.set(KEY_ROTATE_AFTER_SETTING, due.isoformat())
        assert kiosk.engine.sync_once().key_rotated
        new_key = load_api_key(kiosk.store.path)
        assert new_key and new_key != old_key and kiosk.engine.api.api_key == new_key
        kiosk.redeem(kiosk.serials()[:1])
        kiosk.drain()  # the new key works
        overlap = SyncApi(backend.url, api_key=old_key)
        assert overlap.pull(None).server_time  # the old one still works in the overlap
        overlap.close()
        assert_invariants(database, [kiosk])
    finally:
        kiosk.close()


def test_a_kiosk_clock_far_off_is_seen_and_recorded(
    tmp_path: Path, head_office: HeadOffice, backend: Backend, database: Database
) -> None:
    from datetime import UTC, datetime, timedelta

    import sqlalchemy as sa

    from app.core.store import schema

    business = head_office.business_with_book(2)
    code = head_office.enrolment_code(business)
    kiosk = Kiosk.enrol(
        tmp_path / "skewed", backend.url, code, "Caja 1", book=printed_book(database, business)
    )
    try:
        kiosk.engine.clock = lambda: datetime.now(UTC) + timedelta(minutes=25)
        kiosk.engine.sync_once()
        assert kiosk.engine.clock_skew_s is not None
        assert 24 * 60 < kiosk.engine.clock_skew_s < 26 * 60
        with kiosk.store._db.transaction() as conn:
            types = list(conn.execute(sa.select(schema.events.c.type)).scalars())
        assert "sync.clock_skew" in types
    finally:
        kiosk.close()


def test_the_business_rate_limit_keeps_the_rest_and_says_when(
    tmp_path: Path, head_office: HeadOffice, backend: Backend, database: Database
) -> None:
    """BASIC tier: 100 items an hour. The 101st waits for the server's Retry-After, and the
    kiosk says "waiting to send", not "offline"."""
    from app.core.sync import Backoff, Connection, SyncLoop

    business = head_office.business_with_book(120, tier="BASIC")
    code = head_office.enrolment_code(business)
    kiosk = Kiosk.enrol(
        tmp_path / "basic", backend.url, code, "Caja 1", book=printed_book(database, business)
    )
    try:
        kiosk.redeem(kiosk.serials())
        report = kiosk.engine.push()
        assert report.refused_429 == 1 and report.held_until is not None
        assert kiosk.store.outbox.pending_count() == 20
        on_server = database.scalar(
            "SELECT count(*) FROM redemptions WHERE device_id = :d", d=kiosk.device.device_id
        )
        assert on_server == 100
        loop = SyncLoop(kiosk.engine, backoff=Backoff(base_s=1, cap_s=5))
        delay = loop.run_pass()  # held: no push; the pull goes on (the tier does not count it)
        status = loop.status()
        assert status.connection is Connection.WAITING_TO_SEND and status.pending == 20
        assert status.send_after == report.held_until and delay is not None
        assert delay <= loop.poll_interval_s
    finally:
        kiosk.close()


def test_enrolling_again_gives_a_new_device_that_syncs(
    tmp_path: Path, head_office: HeadOffice, backend: Backend, database: Database
) -> None:
    business = head_office.business_with_book(4)
    book = printed_book(database, business)
    kiosk = Kiosk.enrol(
        tmp_path / "again", backend.url, head_office.enrolment_code(business), "Caja 1", book=book
    )
    try:
        kiosk.redeem(kiosk.serials()[:1])
        kiosk.drain()
        first_device = kiosk.device.device_id
        api = SyncApi(backend.url)
        answer = api.enrol(head_office.enrolment_code(business), "Caja 1 (nueva)")
        api.close()
        from app.core.sync import apply_enrolment
        from app.core.sync.credentials import load_api_key

        device = apply_enrolment(
            kiosk.store, answer, server_url=backend.url, device_name="Caja 1 (nueva)"
        )
        assert device.device_id != first_device
        kiosk.device = device
        kiosk.engine.device = device
        kiosk.engine.api.api_key = load_api_key(kiosk.store.path)
        kiosk.redeem(kiosk.serials()[1:2])
        kiosk.drain()
        devices = dict(
            database.rows("SELECT serial, device_id FROM redemptions WHERE outcome = 'accepted'")
        )
        assert devices[kiosk.serials()[0]] == first_device
        assert devices[kiosk.serials()[1]] == device.device_id
    finally:
        kiosk.close()


def test_a_pull_cut_mid_feed_resumes_from_its_cursor(kiosk: Kiosk, proxy: FaultProxy) -> None:
    """60 copies in pages of 25: the second page's answer is lost, the next pull resumes."""
    from app.core.sync.pull import CURSOR_SETTING

    kiosk.wait_for_feed(60)
    fresh = Kiosk.enrol(
        kiosk.store.path.parent.parent / "fresh",
        proxy.url,
        _code_for(kiosk),
        "Caja 2",
    )
    try:
        assert len(fresh.cached_serials()) == 60  # three pages, followed to the end
        fresh.store.settings.set(CURSOR_SETTING, "")
        proxy.inject("pass", "cut")  # page 1 arrives, page 2 is lost after the server answered
        with pytest.raises(ServerUnreachableError):
            fresh.engine.pull()
        after_cut = fresh.store.settings.get(CURSOR_SETTING)
        assert after_cut  # page 1 applied and its cursor kept
        applied, _ = fresh.engine.pull()
        assert applied.problems == [] and len(fresh.cached_serials()) == 60
        assert fresh.store.settings.get(CURSOR_SETTING) != after_cut
    finally:
        fresh.close()


def _code_for(kiosk: Kiosk) -> str:
    """A fresh enrolment code for the kiosk's business, from its backend's admin API."""
    url = kiosk.engine.api.base_url
    office = HeadOffice(url)
    try:
        return office.enrolment_code(kiosk.device.business_id)
    finally:
        office.close()


def test_a_poison_item_is_set_aside_and_everything_else_reaches_head_office(
    kiosk: Kiosk, proxy: FaultProxy, database: Database
) -> None:
    """Issue 12: head office fails (500) on any batch carrying one item. The kiosk finds it by
    halving, sets it aside (kept, counted, shown), and every other redemption gets there."""
    from app.core.sync import Backoff, Connection, SyncLoop

    serials = kiosk.serials()
    first = kiosk.redeem(serials[:10])
    later = kiosk.redeem(serials[10:30])
    poisons = {first[3], later[12]}
    for poison in poisons:  # its id in a push body: answered 500, never forwarded
        proxy.poison(str(poison))
    kiosk.counter.scan("garbage at the counter", source=ScanSource.CAMERA)
    tries = kiosk.drain()  # as the loop would: back off after the first 500, then narrow
    assert tries > 1 and proxy.poisoned >= 4
    aside = kiosk.store.outbox.set_aside_items()
    assert {item.item_id for item in aside} == poisons
    on_server = {row.id for row in database.rows("SELECT id FROM redemptions")}
    others = kiosk.local_redemption_ids() - poisons
    assert others <= on_server and not poisons & on_server
    # Shown and counted; later redemptions keep flowing past them.
    loop = SyncLoop(kiosk.engine, backoff=Backoff(base_s=1, cap_s=5))
    kiosk.redeem(serials[30:35])
    loop.run_pass()
    status = loop.status()
    assert status.connection is Connection.ONLINE
    assert status.set_aside == 2 and status.pending == 0
    # The manager's retry while head office still fails on them: each tried alone, kept.
    met = proxy.poisoned
    loop.retry_set_aside()
    loop.run_pass()
    assert proxy.poisoned == met + 2 and loop.status().set_aside == 2
    # Head office fixed its bug: the next retry delivers it, once.
    proxy.cure()
    loop.retry_set_aside()
    loop.run_pass()
    assert loop.status().set_aside == 0
    assert_invariants(database, [kiosk])


def test_a_server_failing_every_push_sets_nothing_aside(
    kiosk: Kiosk, proxy: FaultProxy, database: Database
) -> None:
    """Every request 500 (head office broken for everyone) is not an item's fault."""
    kiosk.redeem(kiosk.serials()[:12])
    for _ in range(4):
        proxy.inject(*["status:500"] * 40)
        with pytest.raises(TransientSyncError):
            kiosk.engine.push()
        proxy.faults.clear()
    assert kiosk.store.outbox.set_aside_count() == 0
    assert kiosk.store.outbox.pending_count() == 12
    kiosk.drain()
    assert_invariants(database, [kiosk])
