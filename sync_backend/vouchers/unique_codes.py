"""Signing a book's copies so that no two printed vouchers share a short code.

A short code is 40 bits of the signed token's hash (:func:`pika_protocol.tokens.short_code_for`):
short enough to type, too short to be unique by luck. Among a million printed vouchers a new
book of 2,500 copies meets a code already taken about once in 440 books (birthday bound:
2,500 × 10⁶ / 2⁴⁰), and ``uq_vouchers_short_code`` would then refuse the whole book. Instead the
copy that would repeat a code, whether taken by an earlier book or twice within this one, is
signed again under a fresh serial: its token, and so its code, change. The serial it gave up
is never used, as a sequence may skip a number (``dialects.reserve_serials``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from pika_protocol.tokens import short_code_for
from sync_backend.vouchers import repository

#: Signs one copy: (serial, variant) → the token's text.
SignCopy = Callable[[int, int], str]


@dataclass(frozen=True, slots=True)
class SignedCopy:
    serial: int
    variant: int
    token: str
    short_code: str


def sign_with_unique_codes(
    session: Session,
    variants: Sequence[int],
    sign_copy: SignCopy,
) -> list[SignedCopy]:
    """One signed copy per entry of ``variants``, every short code new, in serial order.

    Each round re-signs only the copies that collided, so it ends after one extra round in
    all but astronomically unlucky books.
    """
    kept: list[SignedCopy] = []
    codes_in_book: set[str] = set()
    pending = list(variants)
    highest_serial = 0
    while pending:
        serials = repository.reserve_serials(session, len(pending), above=highest_serial)
        highest_serial = serials[-1]
        signed = []
        for serial, variant in zip(serials, pending, strict=True):
            token = sign_copy(serial, variant)
            signed.append(SignedCopy(serial, variant, token, short_code_for(token)))
        taken = repository.short_codes_taken(session, [c.short_code for c in signed])
        pending = []
        for copy in signed:
            if copy.short_code in taken or copy.short_code in codes_in_book:
                pending.append(copy.variant)
            else:
                codes_in_book.add(copy.short_code)
                kept.append(copy)
    kept.sort(key=lambda c: c.serial)
    return kept
