"""Every query about offers, books and printed vouchers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sync_backend.dialects import dialect_of
from sync_backend.models import Book, Offer, Voucher


def add_offer(session: Session, offer: Offer) -> Offer:
    session.add(offer)
    session.flush()
    return offer


def get_offer(session: Session, offer_id: int) -> Offer | None:
    return session.get(Offer, offer_id)


def list_offers(session: Session, business_id: int | None) -> list[Offer]:
    query = sa.select(Offer).order_by(Offer.id)
    if business_id is not None:
        query = query.where(Offer.business_id == business_id)
    return list(session.scalars(query))


def add_book(session: Session, book: Book) -> Book:
    session.add(book)
    session.flush()
    return book


def get_book(session: Session, book_id: int) -> Book | None:
    return session.get(Book, book_id)


def reserve_serials(session: Session, count: int, *, above: int = 0) -> list[int]:
    """Serials for a new book (on Postgres a sequence: see ``dialects``), each greater than
    ``above`` (serials this transaction reserved and has not written yet)."""
    return dialect_of(session).reserve_serials(session, count, above=above)


def short_codes_taken(session: Session, codes: Sequence[str]) -> set[str]:
    """Which of ``codes`` a printed voucher already carries (the unique index answers)."""
    taken: set[str] = set()
    for start in range(0, len(codes), 5000):
        chunk = list(codes[start : start + 5000])
        taken.update(
            session.scalars(sa.select(Voucher.short_code).where(Voucher.short_code.in_(chunk)))
        )
    return taken


def add_vouchers(session: Session, rows: Sequence[dict[str, object]]) -> None:
    """Bulk insert (executemany): a book can hold tens of thousands of copies."""
    for start in range(0, len(rows), 5000):
        session.execute(sa.insert(Voucher), list(rows[start : start + 5000]))


def book_vouchers(session: Session, book_id: int) -> list[Voucher]:
    return list(
        session.scalars(
            sa.select(Voucher).where(Voucher.book_id == book_id).order_by(Voucher.serial)
        )
    )


def revoke(session: Session, serial: int, reason: str, now: datetime, seq: int) -> Voucher | None:
    """Mark a copy revoked and move it forward in the change feed so kiosks pull it."""
    row = session.execute(
        sa.update(Voucher)
        .where(Voucher.serial == serial, Voucher.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason, seq=seq, txid=dialect_of(session).txid())
        .returning(Voucher.serial)
    ).first()
    return None if row is None else session.get(Voucher, serial, populate_existing=True)


def get_voucher(session: Session, serial: int) -> Voucher | None:
    return session.get(Voucher, serial)
