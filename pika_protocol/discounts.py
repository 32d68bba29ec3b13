"""What an offer takes off: a kind and a whole-number value, shared by kiosk and head office.

Head office types an offer's discount as display text ("20%", "Gs. 15.000", "2x1") and may say
its kind and value outright; when it does not, :func:`read_discount` reads them from the text.
In Paraguay "." groups thousands and guaraníes have no minor unit, so an amount is its digits.
A discount that names no amount or percentage ("2x1", "chipa gratis") is ``OTHER``: the
cashier sees its text, and no guaraní figure is made up for it.
"""

from __future__ import annotations

import re
from enum import StrEnum

_NUMBER = re.compile(r"\d[\d.,]*")
_CURRENCY = re.compile(r"\bgs\b|₲|\bpyg\b|guaran")
#: Largest amount a discount may take off, in guaraníes (exact as a JSON number).
MAX_AMOUNT = 2**53


class DiscountKind(StrEnum):
    AMOUNT = "amount"  # value in guaraníes (PYG has no minor unit)
    PERCENT = "percent"  # value in whole percent, 1..100
    OTHER = "other"  # no value: "2x1", a free item; the text says what


def read_discount(text: str) -> tuple[DiscountKind, int | None]:
    """The kind and value a discount's display text names (``OTHER, None`` when none)."""
    match = _NUMBER.search(text)
    if match is not None and "%" in text:
        number = match.group().rstrip(".,")
        percent = round(float(number.replace(".", "").replace(",", ".")))
        if 1 <= percent <= 100:
            return DiscountKind.PERCENT, percent
    elif match is not None and (_CURRENCY.search(text.lower()) or text.strip() == match.group()):
        amount = int(re.sub(r"[.,]", "", match.group()))
        if 1 <= amount <= MAX_AMOUNT:
            return DiscountKind.AMOUNT, amount
    return DiscountKind.OTHER, None


def discount_problem(kind: DiscountKind, value: int | None) -> str | None:
    """Why ``value`` does not fit ``kind`` (None when it does)."""
    if kind is DiscountKind.OTHER:
        return None if value is None else "an 'other' discount has no value"
    upper = 100 if kind is DiscountKind.PERCENT else MAX_AMOUNT
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= upper:
        return f"a {kind.value} discount needs a whole number in 1..{upper}, got {value!r}"
    return None
