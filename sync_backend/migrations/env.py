"""Alembic environment: the URL comes from the backend settings, never from alembic.ini."""

from __future__ import annotations

from alembic import context
from sqlalchemy import engine_from_config, pool, text

from sync_backend.models import Base
from sync_backend.settings import get_settings

config = context.config
url = config.attributes.get("database_url") or get_settings().database_url
#: Session advisory lock around migrating: every ``pika-backend serve`` migrates at start, and
#: several processes on several hosts start together; one migrates, the others wait for it
#: and then find the head applied. Beside the fraud checks' "PIKA" and the projector's "PIKB".
MIGRATION_LOCK_ID = 0x50494B4D  # "PIKM"


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = engine_from_config(
        {"sqlalchemy.url": url}, prefix="sqlalchemy.", poolclass=pool.NullPool
    )
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_lock(:id)"), {"id": MIGRATION_LOCK_ID})
            conn.commit()  # the lock is the session's; Alembic then runs its own transaction
        _run(conn)


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=Base.metadata,
        render_as_batch=True,  # SQLite needs batch mode for ALTERs
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    context.configure(url=url, target_metadata=Base.metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations()
