"""The kiosk's local encrypted store, one connection with a room per kind of data.

Like a collection with ``col.decks`` and ``col.models``, a :class:`KioskStore` owns the one
SQLCipher connection and its lock (:class:`~app.core.store.database.Database`) and reaches its
data through rooms that share them:

* ``store.settings`` (:mod:`~app.core.store.settings`): the kiosk's own settings (identity,
  sync cursor, manager PIN, preferences), kept in memory;
* ``store.reference`` (:mod:`~app.core.store.reference`): what head office sends to judge
  scans: signing keys, offers, the voucher cache, revocations;
* ``store.activity`` (:mod:`~app.core.store.activity`): what happened at the counter: scans,
  redemptions, voids, other kiosks' redemptions, the manager's reports, the event log;
* ``store.outbox`` (:mod:`~app.core.store.outbox`): what waits to be pushed, and the answers;
* ``store.sale_totals`` (:mod:`~app.core.store.sale_totals`): the sale total a cashier types
  after a valid scan, settled into the held redemption.

The store is meant to be used from one thread at a time (the UI routes every call through one
worker) but does not rely on it: each room method holds the shared lock for its whole
transaction. This module opens the store: creating a new one crash-safely, refusing a wrong
key, a damaged file or a schema newer than this code, and migrating an older one.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Self

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

from app.core.store import snapshot
from app.core.store.activity import CounterActivity
from app.core.store.connection import open_engine
from app.core.store.database import Database, translate
from app.core.store.errors import SchemaTooNewError, StoreIOError
from app.core.store.migrate import current_revisions, unknown_revisions, upgrade_to_head
from app.core.store.outbox import Outbox
from app.core.store.reference import ReferenceData
from app.core.store.sale_totals import SaleTotals
from app.core.store.settings import Settings


class KioskStore:
    """The encrypted local store of one kiosk. Open with :meth:`open`, end with :meth:`close`."""

    def __init__(self, path: Path, engine: Engine, connection: Connection) -> None:
        """Use :meth:`open`; this only wires an already opened, migrated connection (the
        benchmark also wires an unencrypted one here, to price the encryption)."""
        self.path = path
        self._db = Database(path, engine, connection)
        self.settings = Settings(self._db)
        self.reference = ReferenceData(self._db)
        self.activity = CounterActivity(self._db, self.settings)
        self.outbox = Outbox(self._db, self.settings)
        self.sale_totals = SaleTotals(self._db)

    @classmethod
    def open(cls, path: Path, key: bytes) -> KioskStore:
        """Open the store at ``path`` with its 32-byte key; create and migrate it if new.

        A new store is built under a temporary name and renamed into place once migrated, so
        ``path`` either does not exist or is a complete store. An existing file is opened only
        if the key is right and every page is intact; otherwise a typed :class:`StoreError` is
        raised and the file is left exactly as it was.
        """
        path = Path(path)
        try:
            if not path.exists():
                _create(path, key)
            engine, connection = open_engine(path, key, create=False)
        except DBAPIError as exc:
            raise translate(path, exc) from exc
        try:
            unknown = unknown_revisions(current_revisions(connection))
            if unknown:
                raise SchemaTooNewError(path, unknown)
            upgrade_to_head(connection)
            return cls(path, engine, connection)
        except BaseException as exc:
            connection.close()
            engine.dispose()
            if isinstance(exc, DBAPIError):
                raise translate(path, exc) from exc
            raise

    def close(self) -> None:
        """Close the connection (WAL is checkpointed by SQLite). Calling it twice is harmless."""
        self._db.close()

    @property
    def closed(self) -> bool:
        return self._db.closed

    def copy_to(self, dest: Path, key: bytes) -> None:
        """A consistent copy of the whole store, encrypted with ``key`` (kiosk export)."""
        snapshot.copy_to(self._db, dest, key)

    def activity_counts(self) -> dict[str, int]:
        """Scans, redemptions and unsent items held (a restore goes onto a blank kiosk only)."""
        return snapshot.activity_counts(self._db)

    def reassign_unsent(self, device_id: str) -> int:
        """Name ``device_id`` in every unsent item (a restore onto a replacement PC)."""
        return snapshot.reassign_unsent(self._db, device_id)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _create(path: Path, key: bytes) -> None:
    """Build a migrated store beside ``path`` and rename it into place.

    The half-built file has its own name, so a crash during creation never leaves something
    at ``path`` that a later start would take for a store. A leftover half-built file is ours
    by construction and is discarded.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    building = path.with_name(path.name + ".creating")
    for leftover in (building, *_sidecars(building)):
        leftover.unlink(missing_ok=True)
    engine, connection = open_engine(building, key, create=True)
    try:
        upgrade_to_head(connection)
        # Fold the WAL into the main file so the rename below moves the whole store.
        raw = connection.connection.dbapi_connection
        assert raw is not None
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
        engine.dispose()
    wal, shm = _sidecars(building)
    if wal.exists() and wal.stat().st_size:
        raise StoreIOError(f"could not finish creating the kiosk store {path}")
    wal.unlink(missing_ok=True)
    shm.unlink(missing_ok=True)
    os.replace(building, path)
    _fsync_directory(path.parent)


def _sidecars(path: Path) -> tuple[Path, Path]:
    return path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")


def _fsync_directory(directory: Path) -> None:
    """Make the rename durable on POSIX; Windows cannot open directories and needs none."""
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
