"""ROI arithmetic on small fixed data against figures worked by hand (docs/analytics.md)."""

from __future__ import annotations

from datetime import date

import pytest

from pika_protocol.discounts import DiscountKind
from sync_backend.analytics.money import (
    MoneyInputError,
    MoneyTally,
    Period,
    PlacementFee,
    Subscription,
    check_sale_total,
    discount_given,
    investment,
    return_on_investment,
)

# The figures are pure arithmetic on the dates given; any clock read is pinned inside them.
pytestmark = pytest.mark.time_machine(date(2025, 4, 1), tick=False)


def test_placement_fees_count_on_their_day_only() -> None:
    fees = [PlacementFee(date(2025, 3, 1), 500_000), PlacementFee(date(2025, 4, 1), 700_000)]
    assert investment(fees, [], Period(date(2025, 3, 1), date(2025, 3, 31))) == 500_000
    assert investment(fees, [], Period(date(2025, 2, 1), date(2025, 2, 28))) == 0


def test_subscription_is_prorated_by_the_days_of_each_month() -> None:
    sub = Subscription(monthly_amount=280_000, starts=date(2025, 1, 1))
    # all of February (28 days): the whole fee
    assert investment([], [sub], Period(date(2025, 2, 1), date(2025, 2, 28))) == 280_000
    # 14 of February's 28 days: half
    assert investment([], [sub], Period(date(2025, 2, 1), date(2025, 2, 14))) == 140_000
    # 31 Jan (1/31 of 280.000 = 9.032,26) + 1 Feb (1/28 = 10.000) = 19.032
    assert investment([], [sub], Period(date(2025, 1, 31), date(2025, 2, 1))) == 19_032


def test_subscription_counts_only_while_it_runs() -> None:
    sub = Subscription(300_000, starts=date(2025, 6, 16), ends=date(2025, 6, 30))
    # 15 of June's 30 days
    assert investment([], [sub], Period(date(2025, 6, 1), date(2025, 7, 31))) == 150_000
    assert investment([], [sub], Period(date(2025, 8, 1), date(2025, 8, 31))) == 0


def test_a_reversed_period_is_refused() -> None:
    with pytest.raises(MoneyInputError):
        Period(date(2025, 5, 2), date(2025, 5, 1))


@pytest.mark.parametrize(
    ("kind", "value", "sale", "expected"),
    [
        (DiscountKind.PERCENT, 20, None, 15_000),  # 20 % of the usual 75.000
        (DiscountKind.PERCENT, 20, 120_000, 24_000),  # 20 % of what was typed
        (DiscountKind.AMOUNT, 15_000, None, 15_000),
        (DiscountKind.AMOUNT, 15_000, 10_000, 10_000),  # never more than the sale
        (DiscountKind.OTHER, None, 50_000, None),  # "2x1": no guaraní value made up
    ],
)
def test_discount_given(
    kind: DiscountKind, value: int | None, sale: int | None, expected: int | None
) -> None:
    assert discount_given(kind, value, sale_total=sale, usual_ticket=75_000) == expected


@pytest.mark.parametrize("total", [-1, 0, 7_500_001])
def test_impossible_sale_totals_are_refused(total: int) -> None:
    with pytest.raises(MoneyInputError):
        check_sale_total(total, usual_ticket=75_000)


def test_a_large_but_possible_sale_total_is_taken() -> None:
    check_sale_total(7_500_000, usual_ticket=75_000)


def test_worked_example_from_the_docs() -> None:
    """docs/analytics.md: 120 redemptions, usual ticket 75.000, 20 % off; 40 totals typed
    summing 3.400.000; paid 2.000.000.

    estimated value 120 × 75.000 = 9.000.000; discount on 80 untyped at 15.000 = 1.200.000
    plus 20 % of 3.400.000 = 680.000 → 1.880.000; estimated ROI (9.000.000 − 1.880.000 −
    2.000.000)/2.000.000 = 2,56. Recorded ROI (3.400.000 − 680.000 − 2.000.000)/2.000.000 = 0,36.
    """
    tally = MoneyTally(
        redemptions=120,
        recorded_redemptions=40,
        recorded_sales=3_400_000,
        discount_all=1_880_000,
        discount_recorded=680_000,
        unvalued_discounts=0,
    )
    roi = return_on_investment(tally, usual_ticket=75_000, paid=2_000_000)
    assert roi.estimated_value == 9_000_000
    assert roi.estimated_roi == pytest.approx(2.56)
    assert roi.recorded_roi == pytest.approx(0.36)


def test_nothing_paid_gives_no_ratio() -> None:
    tally = MoneyTally(10, 0, 0, 0, 0, 0)
    roi = return_on_investment(tally, usual_ticket=50_000, paid=0)
    assert roi.estimated_roi is None and roi.recorded_roi is None
    assert roi.estimated_value == 500_000
