"""The one connection and the one lock of a kiosk store, shared by its rooms.

A :class:`~app.core.store.kiosk_store.KioskStore` opens one SQLCipher connection for its whole
life (see :mod:`app.core.store.connection` for why) and hands this :class:`Database` to each of
its rooms (settings, reference data, counter activity, outbox). Every room method runs inside
:meth:`Database.transaction`, which holds the lock for the whole transaction: calls from two
threads are serialised, never interleaved on the shared connection, whichever room they use.
A room never opens a connection or a lock of its own.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

from app.core.store import schema
from app.core.store.connection import SQLITE_BUSY, SQLITE_CORRUPT, SQLITE_LOCKED, SQLITE_NOTADB
from app.core.store.errors import (
    CorruptStoreError,
    InvalidRecordError,
    StoreBusyError,
    StoreClosedError,
    StoreError,
    StoreIOError,
)

_U64 = 2**64 - 1
_IN_CHUNK = 500  # rows per IN (...) query: far below SQLite's bound-parameter limit

#: Appending to the event log, built once (SQLAlchemy caches its compiled form). Every room
#: that logs writes through it, inside its own transaction.
INSERT_EVENT = schema.events.insert()


class Database:
    """The store's connection, its lock and the typed-error transaction every room uses."""

    def __init__(self, path: Path, engine: Engine, connection: Connection) -> None:
        self.path = path
        self.engine = engine
        self._conn: Connection | None = connection
        #: Re-entrant: a room may read a cache under the lock and then open a transaction.
        self.lock = threading.RLock()

    @property
    def closed(self) -> bool:
        return self._conn is None

    def close(self) -> None:
        """Close the connection (WAL is checkpointed by SQLite). Calling it twice is harmless."""
        with self.lock:
            if self._conn is None:
                return
            conn, self._conn = self._conn, None
            conn.close()
            self.engine.dispose()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One serialised transaction on the store's connection, errors made typed."""
        with self.lock:
            conn = self._conn
            if conn is None:
                raise StoreClosedError(f"the kiosk store {self.path} is closed")
            try:
                with conn.begin():
                    yield conn
            except DBAPIError as exc:
                raise translate(self.path, exc) from exc


    @contextmanager
    def exclusive(self) -> Iterator[Any]:
        """The driver's connection under the lock, outside any transaction: for the few
        statements SQLite refuses inside one (ATTACH for a copy, :mod:`app.core.store.snapshot`)."""
        with self.lock:
            conn = self._conn
            if conn is None:
                raise StoreClosedError(f"the kiosk store {self.path} is closed")
            raw = conn.connection.dbapi_connection
            assert raw is not None
            yield raw


def translate(path: Path, exc: DBAPIError) -> StoreError:
    """A driver error as the store's typed error (corrupt, busy, or plain I/O)."""
    code = getattr(exc.orig, "sqlite_errorcode", None)
    code = None if code is None else int(code) & 0xFF
    if code in (SQLITE_CORRUPT, SQLITE_NOTADB):
        return CorruptStoreError(path, str(exc.orig))
    if code in (SQLITE_BUSY, SQLITE_LOCKED):
        return StoreBusyError(f"the kiosk store {path} is locked by another program: {exc.orig}")
    return StoreIOError(f"the kiosk store {path} failed: {exc.orig}")


def utc_now() -> datetime:
    return datetime.now(UTC)


def chunks(items: list[Any]) -> Iterator[list[Any]]:
    """``items`` in slices small enough for one ``IN (...)`` query."""
    for start in range(0, len(items), _IN_CHUNK):
        yield items[start : start + _IN_CHUNK]


def require_serial(serial: int) -> None:
    if not isinstance(serial, int) or not 0 <= serial <= _U64:
        raise InvalidRecordError(f"a serial is an unsigned 64-bit integer, got {serial!r}")
