"""The sale total a cashier may type after a valid scan: read as guaraníes, or refused.

Cashiers in Paraguay write amounts as ``150000``, ``150.000`` or ``₲ 150.000`` ("Gs." too):
"." or a space groups thousands and guaraníes have no cents, so a comma or a group that is not
three digits is a decimal (or a slip) and is refused rather than guessed at. A total the
business could not have made (more than :data:`ABSURD_TICKETS` of its usual ticket, the figure
head office sends with every pull) is refused as a slipped key: head office's analytics would
not count it either (``sync_backend.analytics.money.check_sale_total``, the same rule). Empty
text is no total at all: the prompt is optional. Refusals carry a stable code and the figures
the message needs; the UI words them in the screen's language. No Qt here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from pika_protocol.discounts import MAX_AMOUNT

#: A typed total over this many usual tickets is refused as a typing slip (head office's rule).
ABSURD_TICKETS = 100
#: Largest total the wire carries (exact as a JSON number).
MAX_SALE_TOTAL = MAX_AMOUNT
#: Longest a redemption's outbox item waits for its total. The prompt closes well before
#: (:mod:`app.core.sale_prompt`); this bound only matters when the prompt never closed (the
#: kiosk stopped: a restart lets held items go at once) or the UI stalled.
SALE_TOTAL_HOLD = timedelta(minutes=5)

_CURRENCY = re.compile(r"₲|\bgs\b\.?|\bpyg\b", re.IGNORECASE)
#: Whole guaraníes: digits, or 1-3 digits then groups of three after "." or a space.
_GROUPED = re.compile(r"\d{1,3}(?:[. ]\d{3})+|\d+")


class SaleTotalProblem(StrEnum):
    """Why a typed total was refused (stable codes; the UI words them)."""

    NOT_A_NUMBER = "not_a_number"  # letters or signs that are no amount
    NEGATIVE = "negative"
    ZERO = "zero"
    DECIMALS = "decimals"  # "150000,50", "1.5": guaraníes have no cents
    TOO_LARGE = "too_large"  # more than the wire carries
    ABSURD = "absurd"  # more than ABSURD_TICKETS usual tickets


class SaleTotalRefused(ValueError):
    """A typed total that cannot be right; nothing is stored. ``usual_ticket`` is set for
    :attr:`SaleTotalProblem.ABSURD` (the message names it)."""

    def __init__(
        self,
        problem: SaleTotalProblem,
        typed: str,
        *,
        amount: int | None = None,
        usual_ticket: int | None = None,
    ) -> None:
        super().__init__(f"sale total {typed!r} refused: {problem.value}")
        self.problem = problem
        self.typed = typed
        self.amount = amount
        self.usual_ticket = usual_ticket


@dataclass(frozen=True, slots=True)
class SaleTotalLimit:
    """What a typed total is checked against: the business's usual ticket, when known."""

    usual_ticket: int | None = None

    @property
    def highest(self) -> int:
        """The largest total accepted."""
        if self.usual_ticket is None:
            return MAX_SALE_TOTAL
        return min(MAX_SALE_TOTAL, ABSURD_TICKETS * self.usual_ticket)


def usable_usual_ticket(value: object) -> int | None:
    """A usual ticket head office sent, or None when it is no usable figure (absent, zero,
    negative, not a whole number): a bad figure must not refuse every total at the counter."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 1 <= value <= MAX_SALE_TOTAL else None


def read_sale_total(typed: str, limit: SaleTotalLimit = SaleTotalLimit()) -> int | None:
    """The guaraníes ``typed`` says, None when it is empty (skipped), or
    :class:`SaleTotalRefused` with the reason."""
    text = _CURRENCY.sub(" ", typed).strip()
    if not text:
        return None
    if text.startswith(("-", "−")):
        raise SaleTotalRefused(SaleTotalProblem.NEGATIVE, typed)
    text = text.removeprefix("+").strip()
    if not _GROUPED.fullmatch(text):
        if re.fullmatch(r"[\d., ]+", text) and re.search(r"\d", text):
            raise SaleTotalRefused(SaleTotalProblem.DECIMALS, typed)
        raise SaleTotalRefused(SaleTotalProblem.NOT_A_NUMBER, typed)
    digits = text.replace(".", "").replace(" ", "")
    if len(digits.lstrip("0")) > len(str(MAX_SALE_TOTAL)):
        raise SaleTotalRefused(SaleTotalProblem.TOO_LARGE, typed)
    amount = int(digits)
    if amount == 0:
        raise SaleTotalRefused(SaleTotalProblem.ZERO, typed)
    if amount > MAX_SALE_TOTAL:
        raise SaleTotalRefused(SaleTotalProblem.TOO_LARGE, typed, amount=amount)
    if amount > limit.highest:
        raise SaleTotalRefused(
            SaleTotalProblem.ABSURD, typed, amount=amount, usual_ticket=limit.usual_ticket
        )
    return amount
