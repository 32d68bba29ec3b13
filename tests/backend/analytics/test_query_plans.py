"""Every query of one business's dashboard reads the rollups through an index: checked with
EXPLAIN on Postgres, over a generated year big enough for the planner to care."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from sync_backend.analytics.dashboard import dashboard
from sync_backend.analytics.demo_year import generate
from sync_backend.analytics.lifecycle import BusinessCalendar
from sync_backend.analytics.scope import make_scope

pytestmark = pytest.mark.time_machine(date(2026, 6, 15), tick=False)
ROLLUPS = ("analytics_daily", "analytics_hourly", "analytics_refusals")


def test_one_business_dashboard_uses_indexes_only(session: Session, engine: sa.Engine) -> None:
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
    seen: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if any(table in statement for table in ROLLUPS):
            seen.append((statement, parameters))

    bind = session.get_bind()
    sa.event.listen(bind, "before_cursor_execute", capture)
    try:
        scope = make_scope(
            session,
            business_id=year.ab_winner_business,
            first_day=year.first_day,
            last_day=year.last_day,
        )
        dashboard(session, scope)
    finally:
        sa.event.remove(bind, "before_cursor_execute", capture)
    assert len(seen) >= 5
    raw = session.connection().connection.driver_connection
    assert raw is not None
    for statement, parameters in seen:
        with raw.cursor() as cursor:
            cursor.execute("EXPLAIN " + statement, parameters)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        for table in ROLLUPS:
            assert f"Seq Scan on {table}" not in plan, f"{statement}\n{plan}"
