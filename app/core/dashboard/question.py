"""The dashboard question the pickers build, checked before any request.

The backend refuses the same bad questions (``sync_backend/analytics/scope.py``); checking them
here too means a manager gets the message at once, offline as well, instead of after a round
trip. Problems are codes; the screen words them in the manager's language.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

from app.core.dashboard.client import DashboardQuery

#: Longest range a dashboard asks for at once (three years and a leap day), as the backend.
MAX_DAYS = 3 * 365 + 1
BUCKETS = ("month", "week", "day")
Preset = Literal["this_month", "last_30_days", "this_year"]
PRESETS: tuple[Preset, ...] = ("this_month", "last_30_days", "this_year")


def preset_range(preset: Preset, today: date) -> tuple[date, date]:
    """First and last day of a preset, ending today (the shops' calendar)."""
    if preset == "this_month":
        return today.replace(day=1), today
    if preset == "last_30_days":
        return today - timedelta(days=29), today
    return today.replace(month=1, day=1), today


def problems(
    first_day: date, last_day: date, *, offer_id: int | None, variant: int | None, bucket: str
) -> list[str]:
    """What is wrong with a question (codes as the backend's), empty when it can be asked."""
    found = []
    if last_day < first_day:
        found.append("reversed_range")
    elif (last_day - first_day).days + 1 > MAX_DAYS:
        found.append("range_too_long")
    if variant is not None and offer_id is None:
        found.append("variant_without_offer")
    if bucket not in BUCKETS:
        found.append("unknown_bucket")
    return found


class QuestionError(ValueError):
    """A question that must not be sent; ``codes`` says why."""

    def __init__(self, codes: list[str]) -> None:
        super().__init__(", ".join(codes))
        self.codes = codes


def build_question(
    business_id: int | None,
    first_day: date,
    last_day: date,
    *,
    offer_id: int | None = None,
    variant: int | None = None,
    bucket: str = "month",
) -> DashboardQuery:
    """The question, or :class:`QuestionError` naming every problem found."""
    found = problems(first_day, last_day, offer_id=offer_id, variant=variant, bucket=bucket)
    if found:
        raise QuestionError(found)
    return DashboardQuery(business_id, first_day, last_day, offer_id, variant, bucket)
