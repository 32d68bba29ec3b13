"""Push and pull against the real head office, with faults: nothing lost, nothing counted
twice."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select
from time_machine import TimeMachineFixture

from app.core.store import KioskStore, schema
from app.core.sync import (
    KioskOutcome,
    ProtocolError,
    ServerBusyError,
    ServerUnreachableError,
    SyncApi,
    SyncEngine,
    parse_result,
)
from app.core.sync.credentials import load_api_key, save_api_key
from app.core.sync.pull import CURSOR_SETTING
from pika_protocol import sync_wire
from pika_protocol.discounts import read_discount
from pika_protocol.sync_wire import ItemOutcome
from sync_backend.vouchers import service as vouchers
from sync_backend.vouchers.copies import PrintedCopy
from sync_backend.vouchers.schemas import OfferIn
from sync_backend.vouchers.signing import PrivateKeyCache
from tests.core.store.conftest import BUSINESS_ID, NOW, OFFER_ID, Counter
from tests.core.sync.conftest import Clock, stop_head_office_clock
from tests.support.head_office import (
    HeadOffice,
    answer,
    drop_connection,
    error,
    pull_answer,
    rate_limited,
)


def redeem(counter: Counter, first: int, count: int) -> list[uuid.UUID]:
    return [counter.scan(counter.voucher(serial)).scan_id for serial in range(first, first + count)]


def results(store: KioskStore) -> dict[uuid.UUID, str | None]:
    with store._db.transaction() as conn:
        rows = conn.execute(select(schema.outbox.c.item_id, schema.outbox.c.server_result))
        return {item_id: result for item_id, result in rows}


def test_push_drains_in_batches_and_keeps_each_answer(
    engine: SyncEngine, counter: Counter, store: KioskStore, backend: HeadOffice
) -> None:
    ids = redeem(counter, 1, 9)
    counter.scan("not a voucher")
    report = engine.push()
    assert store.outbox.pending_count() == 0
    assert report.batches == 3 and report.sent == 10
    assert report.outcomes == {"accepted": 9, "recorded": 1}
    assert sorted(backend.accepted.values()) == sorted(ids)
    assert all(
        parse_result(r).outcome is ItemOutcome.ACCEPTED
        for i, r in results(store).items()
        if i in ids
    )  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "fault",
    [drop_connection, answer(500, "internal"), answer(503, "unavailable", **{"Retry-After": "9"})],
)
def test_a_failed_try_keeps_every_item_and_says_when_to_retry(
    engine: SyncEngine, counter: Counter, store: KioskStore, backend: HeadOffice, fault: object
) -> None:
    redeem(counter, 1, 3)
    backend.faults.append(fault)  # type: ignore[arg-type]
    with pytest.raises((ServerUnreachableError, ServerBusyError)) as failed:
        engine.push()
    if isinstance(failed.value, ServerBusyError) and failed.value.status == 503:
        assert failed.value.retry_after == 9
    assert store.outbox.pending_count() == 3
    assert all(item.attempts == 1 and item.last_error for item in store.outbox.pending())
    engine.push()
    assert store.outbox.pending_count() == 0 and len(backend.accepted) == 3


def test_an_answer_lost_after_the_commit_is_replayed_not_counted_twice(
    engine: SyncEngine, counter: Counter, store: KioskStore, backend: HeadOffice
) -> None:
    ids = redeem(counter, 1, 4)
    backend.cut_after_commit = 1
    with pytest.raises(ServerUnreachableError):
        engine.push()
    assert store.outbox.pending_count() == 4 and len(backend.accepted) == 4
    engine.push()
    assert store.outbox.pending_count() == 0
    assert backend.push_keys_seen[0] == backend.push_keys_seen[1]  # the same key, replayed
    assert backend.items_received == 4 and sorted(backend.accepted.values()) == sorted(ids)
    assert {parse_result(r).outcome for r in results(store).values()} == {  # type: ignore[union-attr]
        ItemOutcome.ACCEPTED
    }


def test_items_the_answer_leaves_out_are_kept(
    engine: SyncEngine, counter: Counter, store: KioskStore, backend: HeadOffice
) -> None:
    redeem(counter, 1, 2)

    def drop_last_result(request: httpx.Request) -> httpx.Response:
        response = backend.forward(request)
        body = sync_wire.PushResponse.model_validate_json(response.content)
        short = body.model_copy(update={"results": body.results[:1]})
        return httpx.Response(200, content=short.model_dump_json())

    backend.faults.append(drop_last_result)
    with pytest.raises(ProtocolError):
        engine.push()
    assert store.outbox.pending_count() == 1


def test_a_batch_refusal_naming_an_item_ends_only_that_item(
    engine: SyncEngine, counter: Counter, store: KioskStore, backend: HeadOffice
) -> None:
    ids = redeem(counter, 1, 4)
    problem = [{"loc": ["items", 2, "token"], "msg": "too long", "type": "string_too_long"}]
    backend.faults.append(lambda _r: error(422, "invalid_request", problems=problem))
    report = engine.push()
    assert store.outbox.pending_count() == 0
    assert report.outcomes == {"refused": 1, "accepted": 3}
    refused = parse_result(results(store)[ids[2]])
    assert refused is not None and refused.outcome is KioskOutcome.REFUSED
    assert refused.reason == "http_422_invalid_request"
    assert ids[2] not in backend.accepted.values()


def test_a_refusal_naming_no_item_is_narrowed_down_by_halves(
    engine: SyncEngine, counter: Counter, store: KioskStore, backend: HeadOffice
) -> None:
    ids = redeem(counter, 1, 4)
    poisoned = str(ids[1])

    def refuse_the_poisoned_item(request: httpx.Request) -> httpx.Response | None:
        if request.url.path == sync_wire.PUSH_PATH and poisoned in request.content.decode():
            return error(400, "bad_request", "something in this batch")
        return None

    backend.faults.extend([refuse_the_poisoned_item] * 4)
    report = engine.push()
    assert report.outcomes == {"refused": 1, "accepted": 3}
    assert ids[1] not in backend.accepted.values() and store.outbox.pending_count() == 0


def test_a_batch_too_large_shrinks_the_batches(
    engine: SyncEngine, counter: Counter, store: KioskStore, backend: HeadOffice
) -> None:
    redeem(counter, 1, 4)
    backend.faults.append(lambda _r: error(413, "batch_too_large", max_batch_items=1))
    engine.push()
    assert engine.pusher.batch_size == 1 and store.outbox.pending_count() == 0
    assert len(backend.accepted) == 4


def test_voids_are_sent_and_their_answers_kept(
    engine: SyncEngine, counter: Counter, store: KioskStore, backend: HeadOffice
) -> None:
    ids = redeem(counter, 1, 5)
    engine.push()
    for item_id in ids:  # five voids at the head of the queue, more than one batch
        store.activity.void_redemption(
            item_id, reason="mistake", voided_at=NOW, device_id="dev-caja-1"
        )
    later = redeem(counter, 100, 2)
    report = engine.push()
    assert store.outbox.pending_count() == 0 and report.outcomes["accepted"] == 7
    assert set(backend.accepted.values()) == set(later)  # the voided copies are free again
    voids = {k: v for k, v in results(store).items() if k not in set(ids) | set(later)}
    assert len(voids) == 5
    for text in voids.values():
        parsed = parse_result(text)
        assert parsed is not None and parsed.outcome is ItemOutcome.ACCEPTED


def test_two_kiosks_same_voucher_the_later_is_a_flagged_conflict(
    engine: SyncEngine, counter: Counter, store: KioskStore, backend: HeadOffice
) -> None:
    other = backend.redeem_elsewhere(counter.voucher(1001))  # another kiosk synced first
    [mine] = redeem(counter, 1001, 1)
    engine.push()
    parsed = parse_result(results(store)[mine])
    assert parsed is not None and parsed.outcome is ItemOutcome.CONFLICT
    assert parsed.redemption_id == str(other) and parsed.flagged and parsed.needs_review
    [scan] = store.activity.recent_scans(1)
    assert scan.synced and parse_result(scan.sync_result) == parsed


def _head_office_feed(backend: HeadOffice) -> tuple[int, list[PrintedCopy]]:
    """On head office: an offer with one A/B variant, a book of two copies (the second
    revoked), the first redeemed an hour ago at "Caja 2"'s wedge scanner. (offer, copies)"""
    with backend.session() as session:
        offer = vouchers.create_offer(
            session,
            OfferIn(
                business_id=BUSINESS_ID,
                title="Cocido 20% off",
                discount="20%",
                valid_from=NOW - timedelta(days=1),
                valid_until=NOW + timedelta(days=9),
                variants=[sync_wire.OfferVariant(variant=1, label="A", weight=1)],
            ),
            actor="test",
        )
        book = vouchers.print_book(session, backend.settings, offer.id, 2, actor="test")
        copies = vouchers.book_copies(session, PrivateKeyCache(backend.settings), book.id)
        vouchers.revoke_voucher(session, copies[1].serial, "lost", actor="test")
    backend.redeem_elsewhere(copies[0].token, source="wedge", scanned_at=NOW - timedelta(hours=1))
    return offer.id, copies


def test_pull_applies_the_feed_and_what_it_says_holds_at_the_counter(
    engine: SyncEngine,
    counter: Counter,
    store: KioskStore,
    backend: HeadOffice,
    time_machine: TimeMachineFixture,
) -> None:
    stop_head_office_clock(time_machine)
    offer_id, (first, revoked) = _head_office_feed(backend)
    applied, server_time = engine.pull()
    assert backend.last_pull is not None and backend.last_pull.cursor
    assert server_time == NOW and store.settings.get(CURSOR_SETTING) == backend.last_pull.cursor
    assert (applied.offers, applied.vouchers, applied.revocations, applied.redemptions) == (
        1,
        2,
        1,
        1,
    )
    assert not applied.problems
    offer = store.reference.offer(offer_id)
    assert offer is not None and offer.discount_value == 20
    assert revoked.serial in store.reference.revoked_serials()
    prior = store.activity.find_redemption(first.serial)
    assert prior is not None and prior.device_name == "Caja 2"
    r = schema.redemptions
    with store._db.transaction() as conn:
        kept = conn.execute(
            select(r.c.offer_id, r.c.variant, r.c.source).where(r.c.serial == first.serial)
        ).one()
    assert tuple(kept) == (offer_id, 1, "wedge")  # as the wire said, not guessed
    again = counter.scan(first.token)
    assert again.reason.value == "already_redeemed"
    # a second pull from the saved cursor brings nothing again
    assert engine.pull()[0].redemptions == 0


def test_a_pull_cut_between_pages_resumes_after_the_last_applied_page(
    engine: SyncEngine, counter: Counter, store: KioskStore, backend: HeadOffice
) -> None:
    _head_office_feed(backend)
    # Pages of four: the key, the offer and the two copies, then the other kiosk's redemption.
    backend.configure(max_pull_page=4)
    backend.faults.extend([lambda _r: None, drop_connection])  # page 1 fine, page 2 cut
    with pytest.raises(ServerUnreachableError):
        engine.pull()
    assert backend.last_pull is not None and backend.last_pull.more
    assert store.settings.get(CURSOR_SETTING) == backend.last_pull.cursor
    applied, _ = engine.pull()
    assert applied.redemptions == 1 and applied.vouchers == 0


def skew_events(store: KioskStore) -> list[dict[str, float]]:
    with store._db.transaction() as conn:
        query = select(schema.events.c.payload).where(schema.events.c.type == "sync.clock_skew")
        return [row.payload for row in conn.execute(query)]


def test_clock_skew_beyond_the_limit_is_recorded_once(
    engine: SyncEngine, store: KioskStore, backend: HeadOffice, time_machine: TimeMachineFixture
) -> None:
    # The kiosk's clock (``Clock``, at NOW) is 25 minutes ahead of head office's.
    stop_head_office_clock(time_machine, NOW - timedelta(minutes=25))
    engine.pull()
    engine.pull()
    assert engine.clock_skew_s == pytest.approx(1500)
    events = skew_events(store)
    assert len(events) == 1 and events[0]["clock_skew_s"] == pytest.approx(1500)


@pytest.mark.parametrize(
    ("head_office_limit", "recorded"),
    [(None, True), (300, True), (600, False)],  # None: a backend from before it said so
)
def test_clock_skew_is_judged_at_head_offices_figure(
    engine: SyncEngine,
    store: KioskStore,
    backend: HeadOffice,
    head_office_limit: int | None,
    recorded: bool,
    time_machine: TimeMachineFixture,
) -> None:
    """Six minutes off: head office flags the kiosk's pushes beyond its ``clock_skew_limit_s``
    (its default is 300 s), so the kiosk warns at exactly that figure, and at 300 s when the
    backend does not say."""
    backend.configure(clock_skew_tolerance_s=head_office_limit)
    stop_head_office_clock(time_machine, NOW - timedelta(minutes=6))
    engine.pull()
    assert engine.clock_skew_limit_s == (head_office_limit or 300)
    assert bool(skew_events(store)) is recorded
    if recorded:
        assert skew_events(store)[0]["limit_s"] == (head_office_limit or 300)


def test_a_429_holds_the_pushes_keeps_the_items_and_the_next_batch_fits(
    engine: SyncEngine, counter: Counter, store: KioskStore, backend: HeadOffice, clock: Clock
) -> None:
    redeem(counter, 1, 7)
    backend.faults.append(rate_limited(retry_after=40, remaining=0))
    report = engine.push()
    assert report.refused_429 == 1 and report.held_until == NOW + timedelta(seconds=40)
    assert store.outbox.pending_count() == 7
    # Waiting is not failing: no attempt counted against the items.
    assert all(item.attempts == 0 and not item.last_error for item in store.outbox.pending())
    sent = len(backend.push_keys_seen)
    clock.advance(39)
    assert engine.push().held_until == NOW + timedelta(seconds=40)
    assert len(backend.push_keys_seen) == sent  # no request while held
    clock.advance(1)
    before = backend.items_received
    report = engine.push()
    assert report.held_until is None and store.outbox.pending_count() == 0
    # None was free, one more is at the Retry-After: the first batch holds one item, then
    # batches are full again (4 in these tests).
    assert report.batches == 3 and backend.items_received - before == 7


def test_a_429_that_leaves_room_is_answered_at_once_with_a_batch_that_fits(
    engine: SyncEngine, counter: Counter, store: KioskStore, backend: HeadOffice
) -> None:
    """A backlog (a day offline) meets a window with three units free: those three go now."""
    redeem(counter, 1, 7)
    backend.faults.append(rate_limited(retry_after=40, remaining=3))
    report = engine.push()
    assert report.refused_429 == 1 and report.held_until is None
    assert store.outbox.pending_count() == 0 and backend.items_received == 7
    assert report.batches == 3  # 4 refused, then 3, then the last 4


def test_the_pace_the_backend_asks_for_is_kept_within_bounds(
    engine: SyncEngine, backend: HeadOffice
) -> None:
    assert engine.poll_interval_s is None  # until a backend says
    for asked, kept in [(45, 45), (1, 5), (86_400, 3600), (None, 3600)]:
        backend.configure(poll_interval_s=asked)
        engine.pull()
        assert engine.poll_interval_s == kept


def test_key_rotation_keeps_the_new_key_in_the_keyring_and_uses_it(
    engine: SyncEngine, store: KioskStore, backend: HeadOffice
) -> None:
    save_api_key(store.path, backend.api_key)
    backend.ask_for_a_new_key()
    report = engine.sync_once()
    assert report.key_rotated
    assert load_api_key(store.path) == backend.api_key == engine.api.api_key
    engine.sync_once()  # the new key works; the server asks no more
    assert not backend.rotate_key


def test_discount_texts() -> None:
    assert read_discount("20%") == ("percent", 20)
    assert read_discount("Gs. 15.000 de descuento") == ("amount", 15000)
    assert read_discount("12,5 % menos") == ("percent", 12)
    assert read_discount("15000") == ("amount", 15000)
    for text in ("chipa gratis", "2x1", "250 %", "0%"):
        assert read_discount(text) == ("other", None)


def test_an_offer_with_no_amount_is_kept_with_its_text(
    engine: SyncEngine, store: KioskStore, backend: HeadOffice
) -> None:
    """A "2x1" offer (a backend that sends only the text, or one that says kind 'other'):
    the kiosk keeps it, so the cashier sees its title and text on the voucher's result."""
    offers = [
        sync_wire.Offer(
            id=98,
            business_id=BUSINESS_ID,
            title="Chipa gratis",
            discount="chipa gratis",
            valid_from=NOW,
            valid_until=NOW + timedelta(days=1),
        ),
        sync_wire.Offer(
            id=99,
            business_id=BUSINESS_ID,
            title="Empanadas",
            discount="2x1",
            discount_kind="other",
            valid_from=NOW,
            valid_until=NOW + timedelta(days=1),
        ),
    ]
    # Another backend's answer: this one always says the kind (and cannot store a 300%).
    backend.faults.append(
        pull_answer(sync_wire.PullResponse(server_time=NOW, cursor="1", more=False, offers=offers))
    )
    applied, _ = engine.pull()
    assert applied.offers == 2 and not applied.problems
    for offer_id, text in ((98, "chipa gratis"), (99, "2x1")):
        stored = store.reference.offer(offer_id)
        assert stored is not None and stored.discount_text == text
        assert stored.discount_kind == "other" and stored.discount_value is None


def test_an_offer_whose_stated_discount_does_not_hold_is_skipped_and_named(
    engine: SyncEngine, store: KioskStore, backend: HeadOffice
) -> None:
    offer = sync_wire.Offer(
        id=97,
        business_id=BUSINESS_ID,
        title="Roto",
        discount="30%",
        discount_kind="percent",
        discount_value=300,
        valid_from=NOW,
        valid_until=NOW + timedelta(days=1),
    )
    backend.faults.append(
        pull_answer(sync_wire.PullResponse(server_time=NOW, cursor="1", more=False, offers=[offer]))
    )
    applied, _ = engine.pull()
    assert applied.offers == 0 and applied.problems and "offer 97" in applied.problems[0]
    assert store.reference.offer(97) is None and store.settings.get(CURSOR_SETTING) == "1"


def test_a_batch_key_used_for_another_body_is_resent_under_a_new_key(
    engine: SyncEngine, counter: Counter, store: KioskStore, backend: HeadOffice
) -> None:
    ids = redeem(counter, 1, 2)
    backend.faults.append(lambda _r: error(422, "idempotency_key_reused"))
    report = engine.push()
    assert report.outcomes == {"accepted": 2} and store.outbox.pending_count() == 0
    assert backend.push_keys_seen[-1].endswith("-2")
    assert sorted(backend.accepted.values()) == sorted(ids)


def test_a_damaged_queued_item_is_set_aside_and_the_rest_goes(
    engine: SyncEngine, counter: Counter, store: KioskStore, backend: HeadOffice
) -> None:
    ids = redeem(counter, 1, 3)
    with store._db.transaction() as conn:  # e.g. a hand-edited or half-migrated row
        conn.execute(
            schema.outbox.update()
            .where(schema.outbox.c.item_id == ids[1])
            .values(payload={"id": str(ids[1]), "kind": "redemption"})
        )
    report = engine.push()
    assert report.outcomes == {"unsendable": 1, "accepted": 2}
    damaged = parse_result(results(store)[ids[1]])
    assert damaged is not None and damaged.outcome is KioskOutcome.UNSENDABLE
    assert store.outbox.pending_count() == 0 and ids[1] not in backend.accepted.values()


def test_a_pull_with_an_unreadable_voucher_keeps_the_readable_ones(
    engine: SyncEngine, counter: Counter, store: KioskStore, backend: HeadOffice
) -> None:
    good = counter.voucher(7001)
    vouchers = [
        sync_wire.Voucher(serial=7001, offer_id=OFFER_ID, variant=0, token=good, short_code="a"),
        sync_wire.Voucher(
            serial=7002, offer_id=OFFER_ID, variant=0, token="NOT-A-TOKEN", short_code="b"
        ),
    ]
    stranger = sync_wire.RemoteRedemption(
        id=uuid.uuid4(),
        serial=9999,  # a voucher this kiosk was never sent
        offer_id=OFFER_ID,
        variant=0,
        source="camera",
        device_id="dev-caja-2",
        device_name="Caja 2",
        redeemed_at=NOW,
        received_at=NOW,
        outcome="accepted",
    )
    # A damaged answer: head office signs every voucher it sends and names only its own.
    backend.faults.append(
        pull_answer(
            sync_wire.PullResponse(
                server_time=NOW, cursor="1", more=False, vouchers=vouchers, redemptions=[stranger]
            )
        )
    )
    applied, _ = engine.pull()
    assert applied.vouchers == 1 and store.reference.voucher_token(7001) is not None
    assert len(applied.problems) == 2
    assert "voucher 7002" in applied.problems[0] and "not known" in applied.problems[1]
    assert store.settings.get(CURSOR_SETTING) == "1"


def test_enrolling_again_waits_for_a_queued_void_like_any_item(
    counter: Counter, store: KioskStore, backend: HeadOffice
) -> None:
    from app.core.sync import EnrolmentRefusedError, apply_enrolment

    [item_id] = redeem(counter, 1, 1)
    [item] = store.outbox.pending()
    store.outbox.mark_answered({item.item_id: "accepted:valid:"})
    store.activity.void_redemption(item_id, reason="mistake", voided_at=NOW, device_id="dev-caja-1")
    api = SyncApi("http://backend.test", transport=backend.transport())
    answer = api.enrol(backend.new_enrolment_code(), "Caja 1")
    # Sent under a new device id, the void would name another device's redemption.
    with pytest.raises(EnrolmentRefusedError, match="1 item"):
        apply_enrolment(store, answer, server_url="http://backend.test", device_name="Caja 1")
    [void] = store.outbox.pending()
    store.outbox.mark_answered({void.item_id: "accepted:valid:"})
    device = apply_enrolment(store, answer, server_url="http://backend.test", device_name="Caja 1")
    assert device.device_id == backend.device_of_code(backend.enrolment_code)
    assert store.outbox.pending_count() == 0
