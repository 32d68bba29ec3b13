"""A cashier's undo at the kiosk reaches head office: the server's redemption row is voided,
the printed copy is free again there, and the kiosk's outbox empties."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.corrections import Corrections
from app.core.store import ScanSource
from tests.e2e.harness import Backend, Database, HeadOffice, Kiosk, printed_book

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]


@pytest.fixture
def kiosk(
    tmp_path: Path, head_office: HeadOffice, backend: Backend, database: Database
) -> Iterator[Kiosk]:
    business = head_office.business_with_book(3)
    enrolled = Kiosk.enrol(
        tmp_path / "k1",
        backend.url,
        head_office.enrolment_code(business),
        "Caja 1",
        book=printed_book(database, business),
    )
    yield enrolled
    enrolled.close()


def test_an_undo_at_the_kiosk_voids_the_server_row(kiosk: Kiosk, database: Database) -> None:
    serial = kiosk.serials()[0]
    scan = kiosk.counter.scan(kiosk.book[serial], source=ScanSource.CAMERA)
    kiosk.drain()  # the redemption reaches head office first, as it would in the shop
    correction = Corrections(kiosk.store, kiosk.device).undo(scan)
    assert correction.pending_sync == 1  # the void waits in the outbox

    kiosk.drain()
    assert kiosk.store.outbox.pending_count() == 0
    [row] = database.rows(
        "SELECT outcome, voided_at, void_reason FROM redemptions WHERE id = :id",
        id=scan.recorded.scan_id,
    )
    assert row.outcome == "accepted" and row.voided_at is not None
    assert row.void_reason == "cashier-undo"
    logged = database.scalar(
        "SELECT count(*) FROM events WHERE kind = 'redemption_voided' AND subject = :s",
        s=f"redemption:{scan.recorded.scan_id}",
    )
    assert logged == 1

    # The copy is free again at head office too: redeemed once more, it is accepted.
    again = kiosk.counter.scan(kiosk.book[serial], source=ScanSource.CAMERA)
    kiosk.drain()
    [second] = database.rows(
        "SELECT outcome FROM redemptions WHERE id = :id", id=again.recorded.scan_id
    )
    assert second.outcome == "accepted"


def test_an_undo_at_one_kiosk_frees_the_copy_at_another_that_had_pulled_it(
    tmp_path: Path, kiosk: Kiosk, head_office: HeadOffice, backend: Backend, database: Database
) -> None:
    """Caja 2 learns from sync that Caja 1 redeemed a copy, and refuses it. Caja 1's cashier
    undoes the redemption; after both sync, Caja 2 accepts the copy again."""
    from pika_protocol.validation import Reason

    caja2 = Kiosk.enrol(
        tmp_path / "k2",
        backend.url,
        head_office.enrolment_code(kiosk.device.business_id),
        "Caja 2",
        book=kiosk.book,
    )
    try:
        serial = kiosk.serials()[0]
        scan = kiosk.counter.scan(kiosk.book[serial], source=ScanSource.CAMERA)
        kiosk.drain()
        caja2.engine.pull()
        refused = caja2.counter.scan(caja2.book[serial], source=ScanSource.CAMERA)
        assert refused.recorded.reason is Reason.ALREADY_REDEEMED

        Corrections(kiosk.store, kiosk.device).undo(scan)
        kiosk.drain()
        caja2.drain()  # sends its refused scan, then pulls: the redemption comes back voided
        again = caja2.counter.scan(caja2.book[serial], source=ScanSource.CAMERA)
        assert again.recorded.reason is Reason.VALID
        caja2.drain()
        [row] = database.rows(
            "SELECT outcome, device_id FROM redemptions WHERE id = :id",
            id=again.recorded.scan_id,
        )
        assert row.outcome == "accepted" and row.device_id == caja2.device.device_id
    finally:
        caja2.close()
