"""Every query of a dashboard reads the rollups through an index: checked with EXPLAIN on
Postgres, over a generated year big enough for the planner to care. Head office's view of every
business reads the small rollups (per business and kiosk, per day and hour, per day and reason),
never the per-offer ones summed over every business."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from sync_backend.analytics.dashboard import dashboard
from sync_backend.analytics.demo_year import DemoYear, generate
from sync_backend.analytics.lifecycle import BusinessCalendar
from sync_backend.analytics.scope import Scope, make_scope

pytestmark = pytest.mark.time_machine(date(2026, 6, 15), tick=False)
#: the per-offer (and per-kiosk hour) rollups: one business's dashboard reads some of them
ROLLUPS = ("analytics_daily", "analytics_hourly", "analytics_refusals", "analytics_business_hourly")
#: head office's: the same counters without the dimensions it sums over
ALL_BUSINESS = (
    "analytics_kiosk_daily",
    "analytics_day_totals",
    "analytics_hourly_totals",
    "analytics_refusal_totals",
)


def _year(session: Session, engine: sa.Engine) -> DemoYear:
    year = generate(
        session,
        BusinessCalendar.named("America/Asuncion"),
        businesses=30,
        events=150_000,
        today=date(2026, 6, 15),
    )
    session.commit()
    with engine.connect() as conn:
        conn.execute(sa.text("ANALYZE"))
        conn.commit()
    return year


def _plans(session: Session, scope: Scope) -> list[tuple[str, str]]:
    """(statement, EXPLAIN) of every rollup query the dashboard of ``scope`` runs."""
    seen: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if any(table in statement for table in (*ROLLUPS, *ALL_BUSINESS)):
            seen.append((statement, parameters))

    bind = session.get_bind()
    sa.event.listen(bind, "before_cursor_execute", capture)
    try:
        dashboard(session, scope)
    finally:
        sa.event.remove(bind, "before_cursor_execute", capture)
    raw = session.connection().connection.driver_connection
    assert raw is not None
    out = []
    for statement, parameters in seen:
        with raw.cursor() as cursor:
            cursor.execute("EXPLAIN " + statement, parameters)
            out.append((statement, "\n".join(row[0] for row in cursor.fetchall())))
    return out


def test_one_business_dashboard_uses_indexes_only(session: Session, engine: sa.Engine) -> None:
    year = _year(session, engine)
    scope = make_scope(
        session,
        business_id=year.ab_winner_business,
        first_day=year.first_day,
        last_day=year.last_day,
    )
    plans = _plans(session, scope)
    assert len(plans) >= 5
    for statement, plan in plans:
        for table in (*ROLLUPS, *ALL_BUSINESS):
            assert not re.search(rf"Seq Scan on {table}\b", plan), f"{statement}\n{plan}"


def test_every_business_dashboard_reads_the_small_rollups_by_index(
    session: Session, engine: sa.Engine
) -> None:
    """Head office's last 30 days: every read of a rollup goes through an index, but one: the
    funnel's copies printed and handed out count from the first day on, so it sums the whole
    day-totals table, one row per day whatever the number of businesses."""
    year = _year(session, engine)
    month = make_scope(
        session,
        business_id=None,
        first_day=year.last_day - timedelta(days=30),
        last_day=year.last_day,
    )
    plans = _plans(session, month)
    read = {t for statement, _ in plans for t in ALL_BUSINESS if t in statement}
    assert read == set(ALL_BUSINESS)
    whole: list[str] = []
    for statement, plan in plans:
        # the per-offer rollups only for the A/B tests, one offer of one business at a time
        for table in ROLLUPS:
            if re.search(rf"\b{table}\b", statement):
                assert "analytics_daily.business_id = " in statement, statement
        for table in (*ROLLUPS, *ALL_BUSINESS):
            if re.search(rf"Seq Scan on {table}\b", plan):
                whole.append(table)
                assert table == "analytics_day_totals", f"{statement}\n{plan}"
    assert whole == ["analytics_day_totals"]
    days = session.execute(sa.text("SELECT count(*) FROM analytics_day_totals")).scalar_one()
    assert days <= (year.last_day - year.first_day).days + 40  # print runs came a bit before
