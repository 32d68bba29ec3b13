"""What a dashboard asks about: which business (or all), which offer and variant, which days.

Checked once, here, so every figure refuses the same bad questions the same way: a reversed
range, a range longer than :data:`MAX_DAYS`, an offer that is not the business's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sync_backend.analytics.money import Period
from sync_backend.errors import NotFound, Unprocessable
from sync_backend.models import Business, Offer

#: Longest range a dashboard asks for at once (three years and a leap day).
MAX_DAYS = 3 * 365 + 1


@dataclass(frozen=True)
class Scope:
    business_id: int | None  # None: every business (head office)
    period: Period
    offer_id: int | None = None
    variant: int | None = None


def make_scope(
    session: Session,
    *,
    business_id: int | None,
    first_day: date,
    last_day: date,
    offer_id: int | None = None,
    variant: int | None = None,
) -> Scope:
    """A checked scope, or a typed refusal (404 unknown business/offer, 422 bad range)."""
    if last_day < first_day:
        raise Unprocessable(
            f"the range ends ({last_day}) before it starts ({first_day})", code="reversed_range"
        )
    if (last_day - first_day).days + 1 > MAX_DAYS:
        raise Unprocessable(
            f"a range covers at most {MAX_DAYS} days; ask for a shorter one", code="range_too_long"
        )
    if business_id is not None and session.get(Business, business_id) is None:
        raise NotFound(f"no business {business_id}")
    if offer_id is not None:
        owner = session.execute(
            sa.select(Offer.business_id).where(Offer.id == offer_id)
        ).scalar_one_or_none()
        if owner is None or (business_id is not None and owner != business_id):
            raise NotFound(f"no offer {offer_id} for this business", code="unknown_offer")
    if variant is not None and offer_id is None:
        raise Unprocessable("a variant is asked for with its offer", code="variant_without_offer")
    return Scope(business_id, Period(first_day, last_day), offer_id, variant)
