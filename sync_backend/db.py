"""Engine, per-request session and the change-feed helpers (SQLAlchemy 2, psycopg 3).

The session dependency is the only place that commits or rolls back (polar habit): a handler
either returns (commit) or raises (rollback), so a request never half-writes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import Depends, Request
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from sync_backend.settings import Settings

#: Postgres expression for "the transaction writing this row", as a bigint.
PG_TXID = "(pg_current_xact_id()::text)::bigint"
#: Oldest transaction still running *in this database* (as a 64-bit txid), or the next txid
#: when none is: rows of transactions below it are final. ``pg_snapshot_xmin`` alone would be
#: cluster-wide, so one long transaction in any other database would stall every kiosk's pull.
#: ``backend_xid`` is 32-bit; the epoch is taken from the next txid (a running xid above the
#: next one's low half belongs to the previous epoch).
PG_HORIZON = """
    WITH nxt AS (SELECT (pg_snapshot_xmax(pg_current_snapshot())::text)::bigint AS x)
    SELECT LEAST(
        x,
        (SELECT min(((x >> 32) << 32) + (a.backend_xid::text)::bigint
                    - CASE WHEN (a.backend_xid::text)::bigint > (x & 4294967295)
                           THEN 4294967296 ELSE 0 END)
           FROM pg_stat_activity a
          WHERE a.datname = current_database() AND a.backend_xid IS NOT NULL)
    ) FROM nxt
"""
#: A txid larger than any real one: on SQLite every row is final as soon as it is visible.
NO_HORIZON = 2**62


def make_engine(settings: Settings) -> Engine:
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
    return sa.create_engine(
        settings.database_url,
        # A transaction left open (a hung client of the pool) is ended by Postgres instead of
        # holding the change-feed horizon, and its locks, for ever.
        connect_args={
            "options": "-c idle_in_transaction_session_timeout="
            f"{settings.db_idle_in_transaction_timeout_s * 1000}"
        },
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        # No pre-ping: it costs a round trip per request. A connection that died with a
        # database restart fails one request (kiosks retry any 5xx) and is then replaced.
        pool_recycle=1800,
    )


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)


def get_session(request: Request) -> Iterator[Session]:
    factory: sessionmaker[Session] = request.app.state.sessionmaker
    with factory() as session:
        try:
            yield session
        except BaseException:
            session.rollback()
            raise
        else:
            session.commit()


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
    """Rows with ``txid`` below this are final: no running transaction can add one before them."""
    if is_postgres(session):
        return int(session.execute(sa.text(PG_HORIZON)).scalar_one())
    return NO_HORIZON
