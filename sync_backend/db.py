"""Engine and transactions (SQLAlchemy 2, psycopg 3).

:func:`transaction` is the only place that commits or rolls back (polar habit); the request's
session (``deps.SessionDep``) is one, so a handler either returns (commit) or raises
(rollback), and a request never half-writes. What differs between Postgres and SQLite is in
``sync_backend.dialects``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from sync_backend.db_bounds import ANSWER_GRACE_S, bound_answers, postgres_connect_args
from sync_backend.settings import Settings


def make_engine(
    settings: Settings,
    *,
    statement_timeout_s: float | None = None,
    before_connect: Callable[[], None] | None = None,
) -> Engine:
    """The engine for ``settings``. On Postgres every wait is bounded (sync_backend/db_bounds.py):
    connect, pool checkout, statement, lock, and any one answer (``statement_timeout_s``, by
    default the settings', plus a second's grace). Head-office commands pass a longer one.
    ``before_connect`` may refuse to open a connection by raising (health/probe.py)."""
    if settings.is_sqlite:
        engine = sa.create_engine(
            settings.database_url,
            connect_args={"check_same_thread": False, "timeout": 30},
            hide_parameters=True,
        )

        @sa.event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    statement_s = statement_timeout_s or settings.db_statement_timeout_s
    engine = sa.create_engine(
        settings.database_url,
        connect_args=postgres_connect_args(
            connect_timeout_s=settings.db_connect_timeout_s,
            statement_timeout_s=statement_s,
            lock_timeout_s=settings.db_lock_timeout_s,
            idle_in_transaction_timeout_s=settings.db_idle_in_transaction_timeout_s,
        ),
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        # Every connection busy (a slow or frozen database): fail in this long (503), not 30 s.
        pool_timeout=settings.db_pool_timeout_s,
        # No pre-ping: it costs a round trip per request. After a database restart the
        # readiness probe has the pool replaced (create_app); a restart too quick for the
        # probe to see fails one request per process with 503 (kiosks retry it), and
        # SQLAlchemy then replaces every connection older than the failure.
        pool_recycle=1800,
        # Statement parameters stay out of logs and error texts (a pushed token is one).
        hide_parameters=True,
    )
    bound_answers(engine, statement_s + ANSWER_GRACE_S, before_connect)
    return engine


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session that commits when the block ends normally and rolls back when it raises."""
    with factory() as session:
        try:
            yield session
        except BaseException:
            session.rollback()
            raise
        else:
            session.commit()
