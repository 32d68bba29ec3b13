"""The manager panel's "today / this week" figures, from this kiosk's own store (works offline).

Per local day from this week's Monday to today: redemptions that still stand, the sale totals
cashiers typed for them (their sum and how many had one) and refused scans by reason. Days are
the shop's (its local time zone), not UTC's: a scan at 22:30 in Asunción is that day's. The
time comes from the injected clock, never from the calendar, so the figures are tested on
fixed days. Head office's analytics count the same redemptions for the whole business; this
view is only what happened at this counter, and needs no network.
"""

from __future__ import annotations

from collections import Counter as Tally
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from types import MappingProxyType

from app.core.store import CounterRow, KioskStore
from pika_protocol.validation import Reason


@dataclass(frozen=True, slots=True)
class DayFigures:
    """One day's figures at this counter (or a sum of days)."""

    day: date
    #: Redemptions made here that still stand (an undone or voided one does not count).
    redemptions: int = 0
    #: Sum of the sale totals typed for those redemptions, and how many had one.
    recorded_total: int = 0
    recorded_count: int = 0
    #: Refused scans by reason (reasons with none are left out).
    refusals: Mapping[Reason, int] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def refused(self) -> int:
        return sum(self.refusals.values())


@dataclass(frozen=True, slots=True)
class CounterWeek:
    """This week at the counter: one :class:`DayFigures` per day, Monday to today."""

    today: date
    days: tuple[DayFigures, ...]

    @property
    def today_figures(self) -> DayFigures:
        return self.days[-1]

    @property
    def week(self) -> DayFigures:
        """The week's days summed (dated the week's Monday)."""
        return sum_days(self.days[0].day, self.days)


def sum_days(day: date, days: Iterable[DayFigures]) -> DayFigures:
    refusals: Tally[Reason] = Tally()
    redemptions = total = count = 0
    for figures in days:
        redemptions += figures.redemptions
        total += figures.recorded_total
        count += figures.recorded_count
        refusals.update(figures.refusals)
    return DayFigures(day, redemptions, total, count, MappingProxyType(dict(refusals)))


def local_midnight(day: date, zone: tzinfo | None) -> datetime:
    """The instant ``day`` starts in ``zone`` (None: this computer's own time zone)."""
    if zone is None:
        return datetime.combine(day, time()).astimezone()
    return datetime.combine(day, time(), tzinfo=zone)


def week_of(rows: Iterable[CounterRow], today: date, zone: tzinfo | None) -> CounterWeek:
    """Count ``rows`` into the days from ``today``'s Monday to ``today`` (rows outside are
    ignored)."""
    monday = today - timedelta(days=today.weekday())
    span = [monday + timedelta(days=n) for n in range((today - monday).days + 1)]
    redeemed: Tally[date] = Tally()
    totals: Tally[date] = Tally()
    typed: Tally[date] = Tally()
    refused: dict[date, Tally[Reason]] = {day: Tally() for day in span}
    for row in rows:
        day = row.scanned_at.astimezone(zone).date()
        if day not in refused:
            continue
        if row.reason is not Reason.VALID:
            refused[day][row.reason] += 1
        elif not row.voided:
            redeemed[day] += 1
            if row.sale_total is not None:
                totals[day] += row.sale_total
                typed[day] += 1
    days = tuple(
        DayFigures(
            day,
            redeemed[day],
            totals[day],
            typed[day],
            MappingProxyType(dict(refused[day])),
        )
        for day in span
    )
    return CounterWeek(today, days)


def counter_week(store: KioskStore, now: datetime, zone: tzinfo | None = None) -> CounterWeek:
    """This week's figures at ``now`` (the clock's aware time) in the shop's ``zone``
    (None: this computer's). Runs on the store thread."""
    today = now.astimezone(zone).date()
    monday = today - timedelta(days=today.weekday())
    rows = store.activity.counter_rows(
        local_midnight(monday, zone), local_midnight(today + timedelta(days=1), zone)
    )
    return week_of(rows, today, zone)
