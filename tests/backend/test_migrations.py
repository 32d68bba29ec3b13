"""Migrations: the models match the head revision, both ways work, the event log is append-only."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from sync_backend.migrate import alembic_config, upgrade
from sync_backend.models import Base, Event, utcnow


def test_models_match_the_migrated_schema(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_sqlite_upgrades_downgrades_and_upgrades_again(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade(url)
    command.downgrade(alembic_config(url), "base")
    upgrade(url)
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == "0004"
        assert conn.execute(sa.text("SELECT value FROM sync_counter")).scalar_one() == 0
    engine.dispose()


def test_events_are_append_only_on_postgres(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        conn.execute(
            sa.insert(Event).values(
                occurred_at=utcnow(), kind="k", actor="a", subject="s", payload={}
            )
        )
    for statement in ("UPDATE events SET kind = 'x'", "DELETE FROM events", "TRUNCATE events"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(sa.text(statement))
