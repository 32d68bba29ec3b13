"""What a business paid and what its vouchers brought, in guaraníes: the ROI figures.

Two values are kept apart and never mixed: **estimated** (redemptions × the business's usual
ticket, known for every redemption) and **recorded** (the sale totals cashiers typed, known only
for the redemptions where they did). The discount given is a cost on both sides; what the
business paid head office (a fee per book placement, a monthly subscription) is the investment.
docs/analytics.md has the formula and a worked example. Values are sales, not profit: head
office does not know a shop's margin.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from pika_protocol.discounts import MAX_AMOUNT, DiscountKind


class MoneyInputError(ValueError):
    """A period, payment or sale total that cannot be right (a typed refusal, never a crash)."""


#: A typed sale total over this many usual tickets is refused as a typing slip.
ABSURD_TICKETS = 100
#: Largest amount stored (exact as a JSON number, as the wire's discount amounts).
MAX_GUARANIES = MAX_AMOUNT


@dataclass(frozen=True)
class Period:
    """Whole days, both ends included (the dates a manager picks)."""

    first_day: date
    last_day: date

    def __post_init__(self) -> None:
        if self.last_day < self.first_day:
            raise MoneyInputError(
                f"the period ends ({self.last_day}) before it starts ({self.first_day})"
            )

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1


@dataclass(frozen=True)
class PlacementFee:
    """A fee for a place in a voucher book, counted on the day it was charged."""

    charged_on: date
    amount: int


@dataclass(frozen=True)
class Subscription:
    """A monthly fee from ``starts`` to ``ends`` (inclusive; None while it runs)."""

    monthly_amount: int
    starts: date
    ends: date | None = None


def investment(
    fees: Iterable[PlacementFee], subscriptions: Iterable[Subscription], period: Period
) -> int:
    """What the business paid for the days of ``period``.

    A subscription counts day by day: a day is its month's fee over that month's days, so a
    period of half of February costs half of February's fee. Rounded once, at the end.
    """
    total = float(
        sum(f.amount for f in fees if period.first_day <= f.charged_on <= period.last_day)
    )
    for sub in subscriptions:
        first = max(sub.starts, period.first_day)
        last = period.last_day if sub.ends is None else min(sub.ends, period.last_day)
        day = first
        while day <= last:
            month_days = calendar.monthrange(day.year, day.month)[1]
            month_end = day.replace(day=month_days)
            chunk_end = min(month_end, last)
            total += sub.monthly_amount * ((chunk_end - day).days + 1) / month_days
            day = chunk_end + timedelta(days=1)
    return round(total)


def check_sale_total(total: int, usual_ticket: int | None) -> None:
    """Refuse a typed sale total that cannot be right: negative, zero, or over 100 usual tickets."""
    if isinstance(total, bool) or not isinstance(total, int):
        raise MoneyInputError("a sale total is a whole number of guaraníes")
    if not 0 < total <= MAX_GUARANIES:
        raise MoneyInputError("a sale total must be above zero")
    if usual_ticket and total > ABSURD_TICKETS * usual_ticket:
        raise MoneyInputError(
            f"a sale total of {total} is over {ABSURD_TICKETS} usual tickets ({usual_ticket})"
        )


def discount_given(
    kind: DiscountKind, value: int | None, *, sale_total: int | None, usual_ticket: int
) -> int | None:
    """The guaraníes one redemption took off (None when the discount has no guaraní value).

    The basis is the typed sale total when the cashier typed one, else the usual ticket. An
    amount never takes off more than the sale it was given on.
    """
    basis = sale_total if sale_total is not None else usual_ticket
    if kind is DiscountKind.PERCENT and value is not None:
        return round(basis * value / 100)
    if kind is DiscountKind.AMOUNT and value is not None:
        return min(value, basis) if sale_total is not None else value
    return None


@dataclass(frozen=True)
class MoneyTally:
    """Sums over a period's redemptions, as the rollups keep them."""

    redemptions: int
    recorded_redemptions: int  # those with a typed sale total
    recorded_sales: int  # sum of the typed totals
    discount_all: int  # discount given on every valued redemption
    discount_recorded: int  # ... on those with a typed total
    unvalued_discounts: int  # redemptions whose discount has no guaraní value ("2x1")


@dataclass(frozen=True)
class ReturnOnInvestment:
    investment: int
    estimated_value: int
    recorded_value: int
    recorded_redemptions: int
    redemptions: int
    discount_cost: int
    discount_cost_recorded: int
    unvalued_discounts: int
    estimated_roi: float | None  # None when nothing was paid (no ratio to show)
    recorded_roi: float | None


def return_on_investment(tally: MoneyTally, usual_ticket: int, paid: int) -> ReturnOnInvestment:
    """ROI = (value − discount given − paid) / paid, estimated and recorded side by side."""
    estimated_value = tally.redemptions * usual_ticket

    def ratio(value: int, discount: int) -> float | None:
        return None if paid <= 0 else (value - discount - paid) / paid

    return ReturnOnInvestment(
        investment=paid,
        estimated_value=estimated_value,
        recorded_value=tally.recorded_sales,
        recorded_redemptions=tally.recorded_redemptions,
        redemptions=tally.redemptions,
        discount_cost=tally.discount_all,
        discount_cost_recorded=tally.discount_recorded,
        unvalued_discounts=tally.unvalued_discounts,
        estimated_roi=ratio(estimated_value, tally.discount_all),
        recorded_roi=ratio(tally.recorded_sales, tally.discount_recorded),
    )
