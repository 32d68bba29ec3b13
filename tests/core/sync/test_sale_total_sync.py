"""The sale total against the real head office: a held redemption waits for its prompt, then
goes with the typed total; the usual ticket arrives with every pull (and an older backend that
does not send it leaves the kiosk's figure alone)."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from app.core.counter import Counter as KioskCounter
from app.core.sale_total import SaleTotalProblem, SaleTotalRefused
from app.core.store import KioskStore, SaleTotalAnswer, ScanSource
from app.core.sync import SyncEngine
from app.core.sync.pull import apply_page
from pika_protocol import sync_wire
from sync_backend.models import Business, Redemption
from tests.core.store.conftest import BUSINESS_ID, NOW, Counter
from tests.core.sync.conftest import DEVICE
from tests.support.head_office import HeadOffice


def kiosk_counter(store: KioskStore) -> KioskCounter:
    """The window's counter: every redemption held for its sale total."""
    return KioskCounter(store, DEVICE, clock=lambda: NOW, ask_sale_total=True)


def head_office_total(backend: HeadOffice, item_id: uuid.UUID) -> tuple[bool, int | None]:
    with backend.session() as session:
        row = session.get(Redemption, item_id)
        return (row is not None, None if row is None else row.sale_total)


def test_the_total_travels_with_the_redemption_once_the_prompt_closes(
    engine: SyncEngine, counter: Counter, store: KioskStore, backend: HeadOffice
) -> None:
    kiosk = kiosk_counter(store)
    typed = kiosk.scan(counter.voucher(1), ScanSource.CAMERA).recorded.scan_id
    skipped = kiosk.scan(counter.voucher(2), ScanSource.CAMERA).recorded.scan_id
    engine.push()
    assert head_office_total(backend, typed) == (False, None)  # the prompt is still open
    assert kiosk.settle_sale_total(typed, "₲ 150.000") is SaleTotalAnswer.RECORDED
    assert kiosk.skip_sale_total(skipped) is SaleTotalAnswer.SKIPPED
    engine.push()
    assert head_office_total(backend, typed) == (True, 150_000)
    assert head_office_total(backend, skipped) == (True, None)
    assert store.outbox.pending_count() == 0


def test_the_usual_ticket_arrives_with_the_pull_and_refuses_absurd_totals(
    engine: SyncEngine, counter: Counter, store: KioskStore, backend: HeadOffice
) -> None:
    with backend.session() as session:
        session.execute(
            sa.update(Business).where(Business.id == BUSINESS_ID).values(usual_ticket=60_000)
        )
    engine.pull()
    assert store.reference.usual_ticket(BUSINESS_ID) == 60_000
    kiosk = kiosk_counter(store)
    held = kiosk.scan(counter.voucher(1), ScanSource.CAMERA).recorded.scan_id
    with pytest.raises(SaleTotalRefused) as refused:
        kiosk.settle_sale_total(held, "6.000.001")
    assert refused.value.problem is SaleTotalProblem.ABSURD
    assert refused.value.usual_ticket == 60_000
    assert store.outbox.pending() == []  # refused: still held, the cashier may correct it
    assert kiosk.settle_sale_total(held, "6.000.000") is SaleTotalAnswer.RECORDED
    engine.push()
    assert head_office_total(backend, held) == (True, 6_000_000)

    # head office drops the figure: the kiosk forgets it (only the wire bound is left)
    with backend.session() as session:
        session.execute(
            sa.update(Business).where(Business.id == BUSINESS_ID).values(usual_ticket=None)
        )
    engine.pull()
    assert store.reference.usual_ticket(BUSINESS_ID) is None


def test_an_older_backend_that_sends_no_usual_ticket_leaves_the_figure(
    store: KioskStore, counter: Counter
) -> None:
    store.reference.set_usual_ticket(BUSINESS_ID, 60_000)
    old = sync_wire.PullResponse.model_validate(
        {"server_time": NOW.isoformat(), "cursor": "", "more": False}
    )
    assert apply_page(store, old, business_id=BUSINESS_ID).problems == []
    assert store.reference.usual_ticket(BUSINESS_ID) == 60_000
    bad = sync_wire.PullResponse.model_validate(
        {"server_time": NOW.isoformat(), "cursor": "", "more": False, "usual_ticket": -3}
    )
    applied = apply_page(store, bad, business_id=BUSINESS_ID)
    assert store.reference.usual_ticket(BUSINESS_ID) is None
    assert applied.problems and "usual ticket" in applied.problems[0]


def test_an_old_kiosk_reads_a_pull_with_the_usual_ticket() -> None:
    """Answers ignore fields a kiosk does not know: the new field breaks no older kiosk."""
    page = {"server_time": NOW.isoformat(), "cursor": "", "more": False, "usual_ticket": 60_000}
    assert sync_wire.PullResponse.model_validate(page).usual_ticket == 60_000
    page["some_future_field"] = 1
    assert sync_wire.PullResponse.model_validate(page).usual_ticket == 60_000
