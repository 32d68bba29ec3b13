"""Reading a sale total as a cashier types it, and refusing what cannot be right."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.money import format_guaranies
from app.core.sale_total import (
    ABSURD_TICKETS,
    MAX_SALE_TOTAL,
    SaleTotalLimit,
    SaleTotalProblem,
    SaleTotalRefused,
    read_sale_total,
    usable_usual_ticket,
)

USUAL = SaleTotalLimit(usual_ticket=60_000)


@pytest.mark.parametrize(
    "typed",
    [
        "150000",
        "150.000",
        "₲ 150.000",
        "₲150.000",
        "Gs. 150.000",
        "gs 150000",
        "150.000 Gs.",
        "PYG 150000",
        "  150 000  ",
        "+150000",
        "0150000",
    ],
)
def test_the_ways_a_cashier_writes_a_total(typed: str) -> None:
    assert read_sale_total(typed, USUAL) == 150_000


@pytest.mark.parametrize("typed", ["", "   ", "₲", "Gs."])
def test_nothing_typed_is_no_total(typed: str) -> None:
    assert read_sale_total(typed, USUAL) is None


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("-150000", SaleTotalProblem.NEGATIVE),
        ("−150.000", SaleTotalProblem.NEGATIVE),  # the minus sign, not a hyphen
        ("- 5", SaleTotalProblem.NEGATIVE),
        ("0", SaleTotalProblem.ZERO),
        ("000", SaleTotalProblem.ZERO),
        ("0.000", SaleTotalProblem.ZERO),
        ("150000,50", SaleTotalProblem.DECIMALS),
        ("150,000", SaleTotalProblem.DECIMALS),
        ("1.5", SaleTotalProblem.DECIMALS),
        ("150.00", SaleTotalProblem.DECIMALS),
        ("1.50.000", SaleTotalProblem.DECIMALS),
        ("150k", SaleTotalProblem.NOT_A_NUMBER),
        ("ciento cincuenta", SaleTotalProblem.NOT_A_NUMBER),
        ("12a34", SaleTotalProblem.NOT_A_NUMBER),
        ("1e6", SaleTotalProblem.NOT_A_NUMBER),
        ("$ 20", SaleTotalProblem.NOT_A_NUMBER),
        ("99999999999999999999", SaleTotalProblem.TOO_LARGE),
        (str(MAX_SALE_TOTAL + 1), SaleTotalProblem.TOO_LARGE),
    ],
)
def test_wrong_totals_are_refused_with_their_reason(typed: str, problem: SaleTotalProblem) -> None:
    with pytest.raises(SaleTotalRefused) as refused:
        read_sale_total(typed, SaleTotalLimit())
    assert refused.value.problem is problem
    assert refused.value.typed == typed


def test_over_a_hundred_usual_tickets_is_absurd_and_says_the_ticket() -> None:
    highest = ABSURD_TICKETS * 60_000
    assert read_sale_total(str(highest), USUAL) == highest
    with pytest.raises(SaleTotalRefused) as refused:
        read_sale_total(format_guaranies(highest + 1), USUAL)
    assert refused.value.problem is SaleTotalProblem.ABSURD
    assert (refused.value.amount, refused.value.usual_ticket) == (highest + 1, 60_000)


def test_without_a_usual_ticket_only_the_wire_bounds_a_total() -> None:
    assert read_sale_total(str(MAX_SALE_TOTAL), SaleTotalLimit()) == MAX_SALE_TOTAL
    assert SaleTotalLimit().highest == MAX_SALE_TOTAL


@pytest.mark.parametrize(
    ("sent", "kept"),
    [(60_000, 60_000), (None, None), (0, None), (-5, None), (True, None), (1.5, None),
     (MAX_SALE_TOTAL + 1, None), ("60000", None)],
)
def test_only_a_usable_usual_ticket_counts(sent: object, kept: int | None) -> None:
    assert usable_usual_ticket(sent) == kept


@given(st.integers(min_value=1, max_value=MAX_SALE_TOTAL))
def test_every_total_reads_back_as_written_by_the_kiosk(amount: int) -> None:
    assert read_sale_total(format_guaranies(amount)) == amount
    assert read_sale_total(str(amount)) == amount
