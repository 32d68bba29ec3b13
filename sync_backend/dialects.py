"""What differs between Postgres (production) and SQLite (the demo), in one place.

Every query that the two databases write differently asks the session's :class:`Dialect`
(``dialect_of(session)``) instead of testing which database it runs on. The rest of the
backend is SQLAlchemy Core that both run as is. ``Postgres`` also lends the push path its
psycopg connection (:meth:`Postgres.driver`): the same transaction without SQLAlchemy's
per-statement cost, with server-side prepared statements and pipelined round trips.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

import sqlalchemy as sa
from pydantic_core import to_json
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Row
from sqlalchemy.orm import Session
from typing_extensions import Unpack

from sync_backend.models import Voucher

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
#: A one-statement read.
Query = sa.Select[Unpack[tuple[Any, ...]]]  # noqa: UP044 (mypy reads this form)
#: Rows to insert: the same keys in each, values as the column takes them (or JSON-ready).
Rows = Sequence[Mapping[str, Any]]
#: A txid larger than any real one: on SQLite every row is final as soon as it is visible.
NO_HORIZON = 2**62


class Dialect(Protocol):
    """The operations whose SQL differs between the two databases."""

    name: str
    #: Whether ``SELECT ... FOR UPDATE`` means anything (SQLite has one writer anyway).
    locks_rows: bool

    def next_seqs(self, session: Session, count: int) -> list[int]:
        """Reserve ``count`` positions in the change feed."""
        ...

    def txid(self) -> sa.ColumnElement[int]:
        """The value to store in ``txid`` when a row changes."""
        ...

    def feed_horizon(self, session: Session) -> int:
        """Rows with ``txid`` below this are final (see :meth:`Postgres.feed_horizon`)."""
        ...

    def reserve_serials(self, session: Session, count: int, *, above: int = 0) -> list[int]:
        """Serials for a new book of ``count`` copies, each greater than ``above``."""
        ...

    def insert(self, table: Any) -> Any:
        """An ``INSERT`` that can say ``on_conflict_do_nothing()``."""
        ...

    def try_lock(self, session: Session, lock_id: int) -> bool:
        """Take a lock held until the transaction ends, without waiting; False if taken."""
        ...

    def first(
        self, session: Session, query: Query, params: Mapping[str, Any]
    ) -> Sequence[Any] | None:
        """The first row of a one-statement read (raw column values, SQLAlchemy's result
        processing skipped), the cheapest way the database offers."""
        ...

    def insert_rows(self, session: Session, table: sa.Table, rows: Rows) -> None:
        """Insert ``rows`` (same keys each, JSON-ready or Python values) in one statement."""
        ...

    def bulk_load(
        self, session: Session, table: sa.Table, columns: Sequence[str], rows: Iterable[Rows]
    ) -> int:
        """Load very many rows (batches of them) the fastest way; how many were written."""
        ...


class Postgres:
    name = "postgresql"
    locks_rows = True

    def __init__(self) -> None:
        self._sql: dict[object, str] = {}

    @staticmethod
    def driver(session: Session) -> Any:
        """The psycopg connection under the session's transaction."""
        return session.connection().connection.driver_connection

    def next_seqs(self, session: Session, count: int) -> list[int]:
        if count <= 0:
            return []
        rows = session.execute(
            sa.text("SELECT nextval('sync_seq') FROM generate_series(1, :n)"), {"n": count}
        )
        return [r[0] for r in rows]

    def txid(self) -> sa.ColumnElement[int]:
        return sa.literal_column(PG_TXID)

    def feed_horizon(self, session: Session) -> int:
        """The oldest transaction still running *in this database*, or the next txid when
        none is. (``pg_snapshot_xmin`` would be cluster-wide: one long transaction in any other
        database would stall every kiosk's pull.) The next txid is read first and the running
        ones after, from a fresh activity snapshot: a transaction that gets its id in between
        gets one above the next txid read, so none can slip under the horizon unseen.
        """
        next_txid = int(session.execute(sa.text(PG_NEXT_TXID)).scalar_one())
        session.execute(sa.text("SELECT pg_stat_clear_snapshot()"))
        running = session.execute(sa.text(PG_RUNNING_XIDS)).scalars().all()
        # backend_xid is 32-bit; live xids lie within 2**31 of each other, so each one is the
        # 64-bit id nearest to next_txid (it may be above it: next_txid is the snapshot's
        # xmax, one past the latest *completed* transaction, and later ones may still run).
        running64 = [next_txid + ((xid - next_txid + 2**31) % 2**32) - 2**31 for xid in running]
        return min([next_txid, *running64])

    def reserve_serials(self, session: Session, count: int, *, above: int = 0) -> list[int]:
        """A sequence: two books printed at the same time never wait for or collide with
        each other (a serial may be skipped, never reused); it is past ``above`` already."""
        rows = session.execute(
            sa.text("SELECT nextval('voucher_serial_seq') FROM generate_series(1, :n)"),
            {"n": count},
        )
        return [r[0] for r in rows]

    def insert(self, table: Any) -> Any:
        return pg_insert(table)

    def try_lock(self, session: Session, lock_id: int) -> bool:
        return bool(
            session.execute(
                sa.text("SELECT pg_try_advisory_xact_lock(:id)"), {"id": lock_id}
            ).scalar_one()
        )

    def first(
        self, session: Session, query: Query, params: Mapping[str, Any]
    ) -> Sequence[Any] | None:
        """Prepared server-side; in a pipeline, so a transaction's BEGIN travels with it (one
        round trip where SQLAlchemy takes two)."""
        sql = self._compiled(session, query)
        driver = self.driver(session)
        with driver.pipeline():
            cursor = driver.execute(sql, params, prepare=True)
        found: Sequence[Any] | None = cursor.fetchone()
        return found

    def insert_rows(self, session: Session, table: sa.Table, rows: Rows) -> None:
        """One JSON document through ``json_to_recordset`` (encoding it is one Rust call,
        where per-value parameters cost psycopg a Python call each), in the rows' order.
        Queued, not waited for, when the caller has the connection in a pipeline."""
        if not rows:
            return
        names = tuple(rows[0])
        key = (table.name, names)
        sql = self._sql.get(key)
        if sql is None:
            dialect = session.get_bind().dialect
            typed = ", ".join(f"{n} {table.c[n].type.compile(dialect=dialect)}" for n in names)
            cols = ", ".join(names)
            sql = self._sql[key] = (
                f"INSERT INTO {table.name} ({cols}) SELECT {cols}"
                f" FROM ROWS FROM (json_to_recordset(CAST(%(rows)s AS json)) AS ({typed}))"
                f" WITH ORDINALITY AS r({cols}, ord) ORDER BY ord"
            )
        self.driver(session).execute(sql, {"rows": to_json(rows).decode()}, prepare=True)

    def bulk_load(
        self, session: Session, table: sa.Table, columns: Sequence[str], rows: Iterable[Rows]
    ) -> int:
        """COPY: millions of rows in seconds."""
        written = 0
        names = ", ".join(columns)
        with (
            self.driver(session).cursor() as cursor,
            cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy,
        ):
            for batch in rows:
                for row in batch:
                    copy.write_row([row[c] for c in columns])
                written += len(batch)
        return written

    def _compiled(self, session: Session, query: Query) -> str:
        sql = self._sql.get(query)
        if sql is None:
            sql = self._sql[query] = str(query.compile(dialect=session.get_bind().dialect))
        return sql


class SQLite:
    name = "sqlite"
    locks_rows = False

    def next_seqs(self, session: Session, count: int) -> list[int]:
        if count <= 0:
            return []
        top = session.execute(
            sa.text("UPDATE sync_counter SET value = value + :n WHERE id = 1 RETURNING value"),
            {"n": count},
        ).scalar_one()
        return list(range(top - count + 1, top + 1))

    def txid(self) -> sa.ColumnElement[int]:
        return sa.literal(0)

    def feed_horizon(self, session: Session) -> int:
        return NO_HORIZON

    def reserve_serials(self, session: Session, count: int, *, above: int = 0) -> list[int]:
        written = session.execute(sa.select(sa.func.max(Voucher.serial))).scalar_one() or 0
        top = max(written, above)
        return list(range(top + 1, top + count + 1))

    def insert(self, table: Any) -> Any:
        return sqlite_insert(table)

    def try_lock(self, session: Session, lock_id: int) -> bool:
        return True  # one writer at a time anyway

    def first(
        self, session: Session, query: Query, params: Mapping[str, Any]
    ) -> Sequence[Any] | None:
        row: Row[Any] | None = session.execute(query, dict(params)).first()
        return row

    def insert_rows(self, session: Session, table: sa.Table, rows: Rows) -> None:
        if rows:
            session.execute(sa.insert(table), [dict(r) for r in rows])

    def bulk_load(
        self, session: Session, table: sa.Table, columns: Sequence[str], rows: Iterable[Rows]
    ) -> int:
        written = 0
        for batch in rows:
            self.insert_rows(session, table, batch)
            written += len(batch)
        return written


POSTGRES = Postgres()
SQLITE = SQLite()
_BY_NAME: dict[str, Dialect] = {POSTGRES.name: POSTGRES, SQLITE.name: SQLITE}


def dialect_of(conn: Session | Connection) -> Dialect:
    """The dialect of the database ``conn`` talks to."""
    bind = conn.get_bind() if isinstance(conn, Session) else conn
    return _BY_NAME[bind.dialect.name]
