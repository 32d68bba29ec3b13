"""The manager's "today / this week" figures, from the kiosk's own store, on fixed days.

NOW (tests/core/store/conftest.py, the clock is pinned there) is Wednesday 25 November 2026,
15:00 UTC: 12:00 in Asunción (UTC-3), so the week runs from Monday the 23rd."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from app.core.counter_week import counter_week, local_midnight, week_of
from app.core.sale_total import SALE_TOTAL_HOLD
from app.core.store import CounterRow, KioskStore
from pika_protocol.validation import Reason
from tests.core.store.conftest import DEVICE_ID, NOW, Counter

pytestmark = pytest.mark.time_machine(NOW)

ASUNCION = timezone(timedelta(hours=-3))


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """A time in Asunción in November 2026, as UTC."""
    return datetime(2026, 11, day, hour, minute, tzinfo=ASUNCION).astimezone(UTC)


def redeem(counter: Counter, serial: int, at: datetime, total: int | None = None) -> uuid.UUID:
    token = counter.voucher(serial)
    recorded = counter.store.activity.record_scan(
        counter.validate(token, at),
        scan_id=uuid.uuid4(),
        scanned_at=at,
        device_id=DEVICE_ID,
        source="camera",
        raw_text=token,
        hold_for=SALE_TOTAL_HOLD,
    )
    assert recorded.accepted
    counter.store.sale_totals.settle(recorded.scan_id, total, at=at)
    return recorded.scan_id


def test_a_week_counted_by_the_shops_days(store: KioskStore, counter: Counter) -> None:
    redeem(counter, 1, local(22, 23, 30))  # Sunday night: last week
    redeem(counter, 2, local(23, 0, 30), total=150_000)  # Monday just after midnight
    redeem(counter, 3, local(23, 12))
    counter.scan(counter.voucher(2), now=local(24, 9))  # Tuesday: already used
    counter.scan("not a voucher", now=local(24, 10))
    voided = redeem(counter, 4, local(25, 9), total=80_000)
    store.activity.void_redemption(
        voided, reason="cashier-undo", voided_at=local(25, 9, 1), device_id=DEVICE_ID
    )
    redeem(counter, 5, local(25, 11), total=20_000)

    week = counter_week(store, NOW, ASUNCION)

    assert week.today == date(2026, 11, 25)
    assert [d.day for d in week.days] == [date(2026, 11, 23), date(2026, 11, 24), week.today]
    monday, tuesday, today = week.days
    assert (monday.redemptions, monday.recorded_total, monday.recorded_count) == (2, 150_000, 1)
    assert monday.refused == 0
    assert (tuesday.redemptions, tuesday.refused) == (0, 2)
    assert dict(tuesday.refusals) == {Reason.ALREADY_REDEEMED: 1, Reason.MALFORMED: 1}
    # the undone redemption (and its total) no longer counts
    assert (today.redemptions, today.recorded_total, today.recorded_count) == (1, 20_000, 1)
    assert week.today_figures is today
    total = week.week
    assert (total.redemptions, total.recorded_total, total.recorded_count, total.refused) == (
        3,
        170_000,
        2,
        2,
    )


def test_an_empty_store_has_a_week_of_zeros(store: KioskStore) -> None:
    week = counter_week(store, NOW, ASUNCION)
    assert len(week.days) == 3 and week.week.redemptions == week.week.refused == 0
    assert week.week.recorded_total == 0


@pytest.mark.parametrize(("today", "days"), [(date(2026, 11, 23), 1), (date(2026, 11, 29), 7)])
def test_the_week_runs_from_monday_to_today(today: date, days: int) -> None:
    row = CounterRow(local(23, 10), Reason.VALID, sale_total=5_000)
    week = week_of([row], today, ASUNCION)
    assert len(week.days) == days and week.days[0].day == date(2026, 11, 23)
    assert week.days[0].recorded_total == 5_000


def test_the_days_follow_the_shops_time_zone_not_utc() -> None:
    late = CounterRow(local(24, 22, 30), Reason.VALID)  # Tuesday 22:30 there, Wednesday in UTC
    week = week_of([late], date(2026, 11, 25), ASUNCION)
    assert [d.redemptions for d in week.days] == [0, 1, 0]
    assert local_midnight(date(2026, 11, 24), ASUNCION) == local(24, 0)
