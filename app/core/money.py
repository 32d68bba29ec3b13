"""Money as Paraguayan shops write it: guaraníes, no decimals, dot thousands (₲ 150.000)."""

from __future__ import annotations


def format_guaranies(amount: int) -> str:
    """``150000 -> "₲ 150.000"``. Guaraníes have no minor unit, so amounts are whole ints."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError("guaraní amounts are whole numbers")
    sign = "-" if amount < 0 else ""
    return f"{sign}₲ {abs(amount):,}".replace(",", ".")
