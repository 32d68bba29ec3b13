"""The demo year: realistic shapes, both A/B tests read as designed, rollups equal the events."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from sync_backend.analytics import rollups
from sync_backend.analytics.ab_test import Verdict
from sync_backend.analytics.dashboard import dashboard
from sync_backend.analytics.demo_year import generate
from sync_backend.analytics.lifecycle import BusinessCalendar
from sync_backend.analytics.runner import run_once
from sync_backend.analytics.scope import make_scope
from sync_backend.db import make_sessionmaker

pytestmark = pytest.mark.time_machine(date(2026, 6, 15), tick=False)
CALENDAR = BusinessCalendar.named("America/Asuncion")


def test_a_small_year_on_postgres(session: Session, engine: sa.Engine) -> None:
    year = generate(session, CALENDAR, businesses=6, events=60_000, seed=7, today=date(2026, 6, 15))
    session.commit()
    assert year.last_day == date(2026, 6, 14) and (year.last_day - year.first_day).days == 364
    assert 50_000 < year.events < 75_000
    # a server's projector on this database finds nothing left to roll up (it once added the
    # year's print runs and distributions a second time)
    assert run_once(make_sessionmaker(engine), CALENDAR) == 0
    assert rollups.differences(session) == []

    def figures(business: int):  # type: ignore[no-untyped-def]
        scope = make_scope(
            session, business_id=business, first_day=year.first_day, last_day=year.last_day
        )
        return dashboard(session, scope)

    winner = figures(year.ab_winner_business)
    (ab,) = winner.ab_tests
    assert (ab.verdict, ab.winner) == (Verdict.WINNER.value, "B")
    (even,) = figures(year.ab_even_business).ab_tests
    assert even.verdict == Verdict.NO_CLEAR_WINNER.value
    # Saturdays are busier than Sundays
    grid = winner.hour_weekday.redeemed
    assert sum(grid[5]) > 1.5 * sum(grid[6])
    steps = {s.name: s.value for s in winner.funnel.steps}
    assert steps["distributed"] > steps["redeemed"] > 0
    assert winner.roi is not None and winner.roi.estimated_roi is not None
