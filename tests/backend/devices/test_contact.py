"""Kiosk contact and the fleet figures: last pull, reported outbox, silent kiosks, gauges."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from prometheus_client import REGISTRY
from sqlalchemy.orm import Session

from pika_protocol import sync_wire
from sync_backend.devices.contact import ContactBook
from sync_backend.devices.watch import observe_fleet
from sync_backend.models import Device, utcnow
from tests.backend.support import ADMIN, Kit

pytestmark = pytest.mark.postgres


def contact(
    session: Session, device_id: str
) -> tuple[datetime | None, int | None, datetime | None]:
    session.expire_all()
    row = session.get(Device, device_id)
    assert row is not None
    return row.last_seen_at, row.outbox_items, row.outbox_oldest_at


def test_a_pull_records_the_contact_and_the_reported_outbox(client, kit: Kit, session) -> None:
    business = kit.business()
    kiosk = kit.kiosk(business)
    assert contact(session, kiosk.device_id) == (None, None, None)

    before = utcnow()
    header = {sync_wire.OUTBOX_HEADER: sync_wire.outbox_report(3, 7200)}
    assert client.get(sync_wire.PULL_PATH, headers={**kiosk.headers, **header}).status_code == 200
    seen, items, oldest = contact(session, kiosk.device_id)
    assert seen is not None and before <= seen <= utcnow()
    assert items == 3
    assert oldest is not None and abs((seen - oldest).total_seconds() - 7200) < 1

    listed = client.get("/v1/admin/devices", headers=ADMIN, params={"business_id": business})
    assert [(d["outbox_items"], d["last_seen_at"] is not None) for d in listed.json()] == [
        (3, True)
    ]

    # Drained: written at once, though the last write was a moment ago.
    header = {sync_wire.OUTBOX_HEADER: sync_wire.outbox_report(0, 0)}
    assert client.get(sync_wire.PULL_PATH, headers={**kiosk.headers, **header}).status_code == 200
    assert contact(session, kiosk.device_id)[1:] == (0, None)


@pytest.mark.parametrize("text", ["", "3", "three 10", "3 -5", "1 2 3", "9" * 60, "99999999999 1"])
def test_an_outbox_report_it_does_not_understand_is_ignored_not_refused(
    client, kit: Kit, session, text: str
) -> None:
    kiosk = kit.kiosk(kit.business())
    answer = client.get(
        sync_wire.PULL_PATH, headers={**kiosk.headers, sync_wire.OUTBOX_HEADER: text}
    )
    assert answer.status_code == 200
    seen, items, oldest = contact(session, kiosk.device_id)
    assert seen is not None and items is None and oldest is None


def test_a_process_writes_a_device_at_most_once_a_minute_unless_its_outbox_empties(
    kit: Kit, session
) -> None:
    kiosk = kit.kiosk(kit.business())
    book = ContactBook(interval_s=60)
    now = utcnow()
    assert book.note_pull(session, kiosk.device_id, now, "2 30")
    assert not book.note_pull(session, kiosk.device_id, now, "5 60")  # still waiting: later
    assert book.note_pull(session, kiosk.device_id, now, "0 0")  # emptied: now
    assert not book.note_pull(session, kiosk.device_id, now, None)  # an older kiosk: empty
    assert book.note_pull(session, kiosk.device_id, now, "1 5")  # waiting again: now
    book.interval_s = 0
    assert book.note_pull(session, kiosk.device_id, now, "1 5")


def gauge(name: str, **labels: str) -> float | None:
    return REGISTRY.get_sample_value(name, labels)


def test_the_fleet_counts_silent_kiosks_and_outboxes_of_kiosks_in_contact(
    client, kit: Kit, session
) -> None:
    shop, quiet_shop, empty_shop = kit.business("Shop"), kit.business("Quiet"), kit.business("None")
    at_counter, away, gone = kit.kiosk(shop), kit.kiosk(shop, "Caja 2"), kit.kiosk(shop, "Caja 3")
    closed = kit.kiosk(quiet_shop)
    now = utcnow()  # the rows below are set relative to it
    rows = {
        # pulled a minute ago, 4 items waiting for 3 hours: in contact, not draining
        at_counter.device_id: (now - timedelta(minutes=1), 4, now - timedelta(hours=3)),
        # last pull 30 hours ago, with items then: silent over 24 h, outbox not counted
        away.device_id: (now - timedelta(hours=30), 9, now - timedelta(hours=31)),
        # never pulled, enrolled three days ago: silent over 48 h
        closed.device_id: (None, None, None),
    }
    for device_id, (seen, items, oldest) in rows.items():
        session.execute(
            sa.update(Device)
            .where(Device.id == device_id)
            .values(
                last_seen_at=seen,
                outbox_items=items,
                outbox_oldest_at=oldest,
                created_at=now - timedelta(days=3),
            )
        )
    session.execute(
        sa.update(Device)
        .where(Device.id == gone.device_id)
        .values(created_at=now - timedelta(days=9))
    )
    session.commit()
    assert (
        client.post(f"/v1/admin/devices/{gone.device_id}/revoke", headers=ADMIN).status_code == 204
    )

    figures = observe_fleet(session, now)

    assert figures[shop] == {
        "enrolled": 2,  # the revoked one is not counted
        "silent_15m": 1,
        "silent_1h": 1,
        "silent_24h": 1,
        "silent_48h": 0,
        "outbox_items": 4,
        "outbox_age_s": 3 * 3600,
    }
    assert figures[quiet_shop]["silent_48h"] == 1 and figures[quiet_shop]["outbox_items"] == 0
    assert figures[empty_shop]["enrolled"] == 0
    assert gauge("pika_kiosks_silent", business=str(shop), over="24h") == 1
    assert gauge("pika_kiosks_silent", business=str(quiet_shop), over="48h") == 1
    assert gauge("pika_business_outbox_oldest_age_seconds", business=str(shop)) == 3 * 3600
    assert gauge("pika_business_outbox_items", business=str(shop)) == 4
    assert gauge("pika_kiosks_enrolled", business=str(empty_shop)) == 0

    # The kiosk drains: the next round says so.
    session.execute(
        sa.update(Device)
        .where(Device.id == at_counter.device_id)
        .values(outbox_items=0, outbox_oldest_at=None)
    )
    session.commit()
    observe_fleet(session, now)
    assert gauge("pika_business_outbox_oldest_age_seconds", business=str(shop)) == 0
