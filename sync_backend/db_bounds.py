"""Every wait on Postgres ends: connect, statement, lock and answer timeouts (issue 12).

Server-side timeouts (``statement_timeout``, ``lock_timeout``) only help while the server
runs; a frozen or unreachable server (SIGSTOP, a dead VM, a dropped route) never sends the
error, and the kernel still acknowledges our packets, so TCP keepalives do not fire either.
libpq has no client-side query timeout, so psycopg would wait for ever. :class:`BoundedConnection`
gives every psycopg wait (execute, fetch, commit, pipeline sync) a deadline a little longer
than ``statement_timeout``: a server that is alive has answered by then (at worst with its own
timeout error); one that has not is taken for gone and the connection is closed, which
SQLAlchemy then discards from its pool.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import psycopg
from psycopg import errors
from psycopg.abc import PQGen
from sqlalchemy.engine import Engine

#: Time the server gets past its own ``statement_timeout`` to report it, before the client
#: gives up on the connection.
ANSWER_GRACE_S = 1.0


class DatabaseNotAnswering(psycopg.OperationalError):
    """The server did not answer one round trip in time; the connection was closed."""


class BoundedConnection(psycopg.Connection[Any]):
    """A psycopg connection whose every wait for the server ends after ``answer_timeout_s``."""

    answer_timeout_s: float = 6.0

    def wait(self, gen: PQGen[Any], interval: float = 0.1, timeout: float | None = None) -> Any:
        try:
            return super().wait(
                gen, interval, self.answer_timeout_s if timeout is None else timeout
            )
        except errors._WaitTimeout:  # psycopg's own "deadline passed" (3.3: no public name)
            # The round trip is half done and the server silent: nothing more can be sent on
            # this connection. Closing it makes SQLAlchemy invalidate it (is_disconnect).
            self.pgconn.finish()
            raise DatabaseNotAnswering(
                f"the database did not answer within {self.answer_timeout_s:g} s"
            ) from None


def postgres_connect_args(
    *,
    connect_timeout_s: int,
    statement_timeout_s: float,
    lock_timeout_s: float,
    idle_in_transaction_timeout_s: int,
) -> dict[str, Any]:
    """libpq parameters: a bounded connect, server-side statement/lock/idle timeouts, and TCP
    keepalives (they catch a peer whose host is gone, which no server timeout can)."""
    options = {
        "statement_timeout": int(statement_timeout_s * 1000),
        "lock_timeout": int(lock_timeout_s * 1000),
        # A transaction left open (a hung client of the pool) is ended by Postgres instead of
        # holding the change-feed horizon, and its locks, for ever.
        "idle_in_transaction_session_timeout": idle_in_transaction_timeout_s * 1000,
    }
    return {
        # libpq's minimum is 2 s (smaller values are raised to 2).
        "connect_timeout": max(2, connect_timeout_s),
        "options": " ".join(f"-c {name}={value}" for name, value in options.items()),
        "keepalives": 1,
        "keepalives_idle": 5,
        "keepalives_interval": 2,
        "keepalives_count": 3,
        # Unacknowledged data for this long: the peer's host is gone (the kernel gives up).
        "tcp_user_timeout": int((statement_timeout_s + ANSWER_GRACE_S) * 1000),
    }


def bound_answers(
    engine: Engine, answer_timeout_s: float, before_connect: Callable[[], None] | None = None
) -> None:
    """Make ``engine`` open :class:`BoundedConnection` s that wait at most ``answer_timeout_s``
    for any one answer. ``before_connect`` may refuse a new connection by raising (the
    readiness probe's gate: no connect timeout to wait out while the database is known down).
    """
    from sqlalchemy import event

    @event.listens_for(engine, "do_connect")
    def _connect(_dialect: Any, _record: Any, cargs: Any, cparams: Any) -> BoundedConnection:
        if before_connect is not None:
            before_connect()
        connection = BoundedConnection.connect(*cargs, **cparams)
        connection.answer_timeout_s = answer_timeout_s
        return connection
