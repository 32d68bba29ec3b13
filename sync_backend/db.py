"""Engine, per-request session and the change-feed helpers (SQLAlchemy 2, psycopg 3).

The session dependency is the only place that commits or rolls back (polar habit): a handler
either returns (commit) or raises (rollback), so a request never half-writes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import Depends, Request
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from sync_backend.db_bounds import ANSWER_GRACE_S, bound_answers, postgres_connect_args
from sync_backend.settings import Settings

#: Postgres expression for "the transaction writing this row", as a bigint.
PG_TXID = "(pg_current_xact_id()::text)::bigint"
#: The next transaction id (64-bit): every transaction that starts after this statement
#: gets one at least this large.
PG_NEXT_TXID = "SELECT (pg_snapshot_xmax(pg_current_snapshot())::text)::bigint"
#: Client transactions of this database that hold an id (have written) right now, 32-bit.
#: Autovacuum's ANALYZE also takes an id (it writes pg_statistic, never our tables): counting
#: it would hold pulls back for the length of an ANALYZE.
PG_RUNNING_XIDS = """
    SELECT (backend_xid::text)::bigint FROM pg_stat_activity
     WHERE datname = current_database() AND backend_xid IS NOT NULL
       AND backend_type = 'client backend'
"""
#: A txid larger than any real one: on SQLite every row is final as soon as it is visible.
NO_HORIZON = 2**62


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
            settings.database_url, connect_args={"check_same_thread": False, "timeout": 30}
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
        # No pre-ping: it costs a round trip per request. A connection that died with a
        # database restart fails one request (kiosks retry any 5xx) and is then replaced.
        pool_recycle=1800,
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


def get_session(request: Request) -> Iterator[Session]:
    with transaction(request.app.state.sessionmaker) as session:
        yield session


#: ``scope="function"``: commit (or roll back) before the response is sent, so a client never
#: sees an answer for writes that then fail to commit.
DbSession = Annotated[Session, Depends(get_session, scope="function")]


def is_postgres(conn: Connection | Session) -> bool:
    bind = conn.get_bind() if isinstance(conn, Session) else conn
    return bind.dialect.name == "postgresql"


def pg_driver(session: Session) -> Any | None:
    """The psycopg connection under the session's transaction, or None off Postgres.

    Only the push path uses it: the same transaction as the session, minus SQLAlchemy's
    per-statement overhead, with server-side prepared statements (``prepare=True``).
    """
    if not is_postgres(session):
        return None
    return session.connection().connection.driver_connection


def next_seqs(session: Session, count: int) -> list[int]:
    """Reserve ``count`` positions in the change feed."""
    if count <= 0:
        return []
    if is_postgres(session):
        rows = session.execute(
            sa.text("SELECT nextval('sync_seq') FROM generate_series(1, :n)"), {"n": count}
        )
        return [r[0] for r in rows]
    top = session.execute(
        sa.text("UPDATE sync_counter SET value = value + :n WHERE id = 1 RETURNING value"),
        {"n": count},
    ).scalar_one()
    return list(range(top - count + 1, top + 1))


def txid_expr(session: Session) -> sa.ColumnElement[int]:
    """The value to store in ``txid`` when a row changes."""
    return sa.literal_column(PG_TXID) if is_postgres(session) else sa.literal(0)


def feed_horizon(session: Session) -> int:
    """Rows with ``txid`` below this are final: no running transaction can add one before them.

    The oldest transaction still running *in this database*, or the next txid when none is.
    (``pg_snapshot_xmin`` would be cluster-wide: one long transaction in any other database
    would stall every kiosk's pull.) The next txid is read first and the running ones after,
    from a fresh activity snapshot: a transaction that gets its id in between gets one above
    the next txid read, so none can slip under the horizon unseen.
    """
    if not is_postgres(session):
        return NO_HORIZON
    next_txid = int(session.execute(sa.text(PG_NEXT_TXID)).scalar_one())
    session.execute(sa.text("SELECT pg_stat_clear_snapshot()"))
    running = session.execute(sa.text(PG_RUNNING_XIDS)).scalars().all()
    # backend_xid is 32-bit; live xids lie within 2**31 of each other, so each one is the
    # 64-bit id nearest to next_txid (it may be above it: next_txid is the snapshot's xmax,
    # one past the latest *completed* transaction, and later ones may still be running).
    running64 = [next_txid + ((xid - next_txid + 2**31) % 2**32) - 2**31 for xid in running]
    return min([next_txid, *running64])
