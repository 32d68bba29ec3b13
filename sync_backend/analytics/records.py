"""What head office tells analytics: books handed out, what a business pays, its usual ticket.

Each is checked before anything is stored (a clear, typed refusal), and a distribution records
its lifecycle events in the same transaction, so the funnel's first step is never out of step
with the distribution list.
"""

from __future__ import annotations

from datetime import date, datetime, time

import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy.orm import Session

from sync_backend.analytics import ledger
from sync_backend.analytics.lifecycle import (
    BusinessCalendar,
    LifecycleDraft,
    LifecycleKind,
    PaymentKind,
)
from sync_backend.analytics.money import MAX_GUARANIES
from sync_backend.errors import Conflict, NotFound, Unprocessable
from sync_backend.models import (
    Book,
    BookDistribution,
    Business,
    BusinessPayment,
    Offer,
    Voucher,
)

MAX_PLACE_LENGTH = 200


class DistributionRecord(BaseModel):
    """A distribution as stored, with the copies of each variant it handed out (also the
    admin API's answer)."""

    id: int
    book_id: int
    first_copy: int
    last_copy: int
    place: str
    handed_out_on: date
    copies_by_variant: dict[int, int]


def record_distribution(
    session: Session,
    calendar: BusinessCalendar,
    *,
    book_id: int,
    first_copy: int,
    last_copy: int,
    place: str,
    handed_out_on: date,
    today: date,
) -> DistributionRecord:
    """Copies ``first_copy``..``last_copy`` of print run ``book_id`` went out at ``place``."""
    book = session.execute(
        sa.select(Book).where(Book.id == book_id).with_for_update()  # one distributor at a time
    ).scalar_one_or_none()
    if book is None:
        raise NotFound(f"no print run {book_id}")
    place = place.strip()
    if not place or len(place) > MAX_PLACE_LENGTH:
        raise Unprocessable(
            f"say where the books went (1 to {MAX_PLACE_LENGTH} characters)", code="bad_place"
        )
    if not 1 <= first_copy <= last_copy <= book.copies:
        raise Unprocessable(
            f"copies {first_copy}..{last_copy} are not within print run {book_id}'s "
            f"1..{book.copies}",
            code="copies_out_of_range",
        )
    printed_on = calendar.local(book.created_at)[0]
    if not printed_on <= handed_out_on <= today:
        raise Unprocessable(
            f"a distribution is dated between printing ({printed_on}) and today ({today})",
            code="bad_distribution_date",
        )
    overlapping = session.execute(
        sa.select(BookDistribution.first_copy, BookDistribution.last_copy).where(
            BookDistribution.book_id == book_id,
            BookDistribution.first_copy <= last_copy,
            BookDistribution.last_copy >= first_copy,
        )
    ).first()
    if overlapping is not None:
        raise Conflict(
            f"copies {overlapping[0]}..{overlapping[1]} of print run {book_id} were already "
            "handed out",
            code="already_distributed",
        )
    row = BookDistribution(
        book_id=book_id,
        first_copy=first_copy,
        last_copy=last_copy,
        place=place,
        handed_out_on=handed_out_on,
    )
    session.add(row)
    session.flush()
    in_range = (
        sa.select(Voucher.variant)
        .where(Voucher.book_id == book_id)
        .order_by(Voucher.serial)
        .offset(first_copy - 1)
        .limit(last_copy - first_copy + 1)
        .subquery()
    )
    by_variant = {
        int(variant): int(count)
        for variant, count in session.execute(
            sa.select(in_range.c.variant, sa.func.count()).group_by(in_range.c.variant)
        ).all()
    }
    offer = session.get(Offer, book.offer_id)
    assert offer is not None  # a print run's offer is never deleted (foreign key)
    start_of_day = datetime.combine(handed_out_on, time(0), tzinfo=calendar.timezone)
    ledger.append(
        session,
        [
            LifecycleDraft(
                f"distribution:{row.id}:{variant}",
                LifecycleKind.DISTRIBUTED,
                start_of_day,
                business_id=offer.business_id,
                offer_id=offer.id,
                variant=variant,
                quantity=count,
            )
            for variant, count in sorted(by_variant.items())
        ],
        calendar,
    )
    return DistributionRecord(
        id=row.id,
        book_id=book_id,
        first_copy=first_copy,
        last_copy=last_copy,
        place=place,
        handed_out_on=handed_out_on,
        copies_by_variant=by_variant,
    )


def record_payment(
    session: Session,
    *,
    business_id: int,
    kind: PaymentKind,
    amount: int,
    starts: date,
    ends: date | None = None,
    note: str | None = None,
) -> BusinessPayment:
    """A placement fee (charged on ``starts``) or a monthly subscription (``starts``..``ends``)."""
    _business(session, business_id)
    if isinstance(amount, bool) or not 1 <= amount <= MAX_GUARANIES:
        raise Unprocessable("an amount is a whole number of guaraníes above 0", code="bad_amount")
    if kind is PaymentKind.PLACEMENT and ends is not None:
        raise Unprocessable("a placement fee is charged on one day", code="bad_payment_dates")
    if ends is not None and ends < starts:
        raise Unprocessable(
            f"the subscription ends ({ends}) before it starts ({starts})", code="bad_payment_dates"
        )
    row = BusinessPayment(
        business_id=business_id, kind=kind.value, amount=amount, starts=starts, ends=ends, note=note
    )
    session.add(row)
    session.flush()
    return row


def set_usual_ticket(session: Session, business_id: int, amount: int) -> None:
    """The business's usual sale in guaraníes (estimated value = redemptions × this)."""
    business = _business(session, business_id)
    if isinstance(amount, bool) or not 1 <= amount <= MAX_GUARANIES:
        raise Unprocessable(
            "a usual ticket is a whole number of guaraníes above 0", code="bad_amount"
        )
    business.usual_ticket = amount


def _business(session: Session, business_id: int) -> Business:
    business = session.get(Business, business_id)
    if business is None:
        raise NotFound(f"no business {business_id}")
    return business
