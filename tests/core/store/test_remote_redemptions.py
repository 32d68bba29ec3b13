"""Redemptions made at the business's other kiosks, learned from sync."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import text

from app.core.store import InvalidRecordError, RemoteRedemption, ScanSource
from pika_protocol.validation import Reason
from tests.core.store.conftest import BUSINESS_ID, NOW, OFFER_ID, Counter


def remote(serial: int, **changes: object) -> RemoteRedemption:
    values: dict[str, object] = {
        "redemption_id": uuid.uuid4(),
        "serial": serial,
        "offer_id": OFFER_ID,
        "business_id": BUSINESS_ID,
        "variant": 0,
        "redeemed_at": NOW - timedelta(hours=2),
        "device_id": "dev-caja-2",
        "device_name": "Caja 2",
        "source": ScanSource.CAMERA,
    }
    values.update(changes)
    return RemoteRedemption(**values)  # type: ignore[arg-type]


def test_voucher_redeemed_at_another_kiosk_is_already_redeemed_here(counter: Counter) -> None:
    learned = remote(8001)
    assert counter.store.activity.add_remote_redemptions([learned]) == 1
    assert counter.store.activity.add_remote_redemptions([learned]) == 0  # pulled again: no change

    recorded = counter.scan(counter.voucher(8001))
    assert recorded.reason is Reason.ALREADY_REDEEMED
    assert recorded.prior is not None
    assert recorded.prior.device_name == "Caja 2"
    assert recorded.prior.redemption_id == str(learned.redemption_id)
    # Learned redemptions are not sent back: only the rejected scan is queued.
    assert [item.kind.value for item in counter.store.outbox.pending()] == ["scan"]


def test_own_redemption_echoed_back_by_sync_is_skipped(counter: Counter) -> None:
    recorded = counter.scan(counter.voucher(8002))
    assert recorded.redemption_id is not None
    echoed = remote(8002, redemption_id=recorded.redemption_id, device_id="dev-caja-1")
    assert counter.store.activity.add_remote_redemptions([echoed]) == 0


def test_two_kiosks_redeeming_offline_keep_the_local_row_and_note_the_conflict(
    counter: Counter,
) -> None:
    local = counter.scan(counter.voucher(8003))
    other = remote(8003)
    assert counter.store.activity.add_remote_redemptions([other]) == 0
    prior = counter.store.activity.find_redemption(8003)
    assert prior is not None and prior.redemption_id == str(local.scan_id)
    with counter.store._db.transaction() as conn:
        payload = conn.execute(
            text("SELECT payload FROM events WHERE type = 'redemption.conflict_seen'")
        ).scalar_one()
    event = json.loads(payload)
    assert event["remote_redemption_id"] == str(other.redemption_id)
    assert event["local_redemption_id"] == str(local.scan_id)


@pytest.mark.parametrize(
    "changes",
    [
        {"redemption_id": "abc"},
        {"serial": -1},
        {"variant": 256},
        {"redeemed_at": NOW.replace(tzinfo=None)},
        {"device_id": ""},
        {"source": "fax"},
    ],
)
def test_bad_remote_redemptions_are_refused(changes: dict[str, object]) -> None:
    serial = changes.pop("serial", 1)
    with pytest.raises(InvalidRecordError):
        remote(serial, **changes)  # type: ignore[arg-type]


def test_a_batch_with_a_wrong_item_writes_nothing(counter: Counter) -> None:
    with pytest.raises(InvalidRecordError):
        counter.store.activity.add_remote_redemptions([remote(8004), {"serial": 8005}])  # type: ignore[list-item]
    assert counter.store.activity.find_redemption(8004) is None


def test_a_remote_redemption_taken_back_frees_the_copy_here(counter: Counter) -> None:
    learned = remote(8006)
    counter.store.activity.add_remote_redemptions([learned])
    assert counter.store.activity.find_redemption(8006) is not None
    voided_at = NOW - timedelta(hours=1)
    assert counter.store.activity.void_remote_redemptions([(learned.redemption_id, voided_at)]) == 1
    assert counter.store.activity.void_remote_redemptions([(learned.redemption_id, voided_at)]) == 0
    assert counter.store.activity.find_redemption(8006) is None
    recorded = counter.scan(counter.voucher(8006))
    assert recorded.reason is Reason.VALID  # the customer may use the copy again


def test_remote_voids_leave_own_and_unknown_redemptions_alone(counter: Counter) -> None:
    own = counter.scan(counter.voucher(8007))
    assert own.redemption_id is not None
    changed = counter.store.activity.void_remote_redemptions(
        [(own.redemption_id, NOW), (uuid.uuid4(), NOW)]
    )
    assert changed == 0
    assert counter.store.activity.find_redemption(8007) is not None
