"""The dashboard question is checked before any request: reversed or over-long ranges, a
variant without its offer; presets end today."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.core.dashboard.question import MAX_DAYS, QuestionError, build_question, preset_range

# the days below are data given to pure functions; no clock is read, pinned all the same
pytestmark = pytest.mark.time_machine("2025-04-02 12:00:00+00:00", tick=False)

DAY = date(2025, 3, 31)


def test_a_good_question_carries_every_pick() -> None:
    query = build_question(7, date(2025, 3, 1), DAY, offer_id=3, variant=2, bucket="week")
    assert (query.business_id, query.offer_id, query.variant, query.bucket) == (7, 3, 2, "week")
    assert query.cache_key() == "7:2025-03-01:2025-03-31:3:2:week"


@pytest.mark.parametrize(
    ("first", "last", "offer", "variant", "codes"),
    [
        (DAY, DAY - timedelta(days=1), None, None, ["reversed_range"]),
        (DAY - timedelta(days=MAX_DAYS), DAY, None, None, ["range_too_long"]),
        (DAY, DAY, None, 1, ["variant_without_offer"]),
        (DAY, DAY - timedelta(days=3), None, 1, ["reversed_range", "variant_without_offer"]),
    ],
)
def test_bad_questions_are_never_sent(
    first: date, last: date, offer: int | None, variant: int | None, codes: list[str]
) -> None:
    with pytest.raises(QuestionError) as caught:
        build_question(7, first, last, offer_id=offer, variant=variant)
    assert caught.value.codes == codes


def test_three_years_and_a_leap_day_is_the_longest_range() -> None:
    build_question(None, DAY - timedelta(days=MAX_DAYS - 1), DAY)


def test_presets_end_today() -> None:
    today = date(2025, 4, 2)
    assert preset_range("this_month", today) == (date(2025, 4, 1), today)
    assert preset_range("last_30_days", today) == (date(2025, 3, 4), today)
    assert preset_range("this_year", today) == (date(2025, 1, 1), today)
