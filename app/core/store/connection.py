"""The one long-lived SQLCipher connection behind a store, and how it is opened safely.

Why these choices:

* **Raw 256-bit key** (``PRAGMA key = "x'…'"``): the key is 32 random bytes from the keyring,
  not a passphrase, so SQLCipher's PBKDF2 stretching (256 000 rounds in SQLCipher 4) would add
  time to every open and no security. Page encryption (AES-256) and the per-page HMAC-SHA512
  that detects tampering stay on.
* **``cipher_compatibility = 4``**: pins the file format, so a later SQLCipher major release
  keeps reading today's stores instead of silently needing ``cipher_migrate``.
* **One connection, ``StaticPool``**: an open costs a key setup, and there must be one writer.
  ``StaticPool`` hands out the very same DBAPI connection to every checkout whatever the
  thread; ``SingletonThreadPool`` would quietly open a second connection the first time the
  UI's worker thread (not the thread that opened the store) touched it. Thread safety is the
  store's job (:class:`KioskStore` serialises calls), hence ``check_same_thread=False``.
* **Transactions are explicit**: the driver's own implicit BEGIN is switched off and every
  SQLAlchemy transaction starts with ``BEGIN IMMEDIATE``, which takes the write lock up front
  (no deadlock-prone upgrade from a read lock) and makes Alembic's DDL transactional.
* **WAL with ``synchronous = NORMAL``**: a commit appends to the WAL without an fsync; the WAL
  is fsynced at checkpoints. The database can never be corrupted by a crash or power cut this
  way; the cost is that the last few commits before a *power cut* (not a process crash, whose
  writes the OS still flushes) may be rolled back, atomically. For a counter, a redemption lost
  to a power cut in the same instant is the same as one not yet recorded: the cashier saw the
  screen go dark. Readers never block the writer in WAL either.

Opening never writes to an existing file before the key has been proven right and the file
proven whole (``cipher_integrity_check`` verifies every page's HMAC): a wrong key or a damaged
file raises :class:`WrongKeyError` / :class:`CorruptStoreError` and leaves the bytes as found.
"""

from __future__ import annotations

from pathlib import Path

import sqlcipher3
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.pool import StaticPool

from app.core.store.errors import CorruptStoreError, StoreBusyError, StoreIOError, WrongKeyError

KEY_BYTES = 32
PAGE_SIZE = 4096  # SQLCipher 4 default; pinned so the page-count check below holds
BUSY_TIMEOUT_MS = 5000
_PLAIN_SQLITE_HEADER = b"SQLite format 3\x00"

# SQLite primary result codes that mean "this file is not what it should be".
SQLITE_CORRUPT = 11
SQLITE_NOTADB = 26
SQLITE_BUSY = 5
SQLITE_LOCKED = 6


def _key_pragma(key: bytes) -> str:
    if not isinstance(key, bytes) or len(key) != KEY_BYTES:
        raise ValueError(f"the database key must be {KEY_BYTES} bytes")
    return f"PRAGMA key = \"x'{key.hex()}'\""


def _error_code(exc: BaseException) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return None if code is None else int(code) & 0xFF


def _connect(path: Path, key: bytes, mode: str) -> sqlcipher3.Connection:
    uri = f"{path.absolute().as_uri()}?mode={mode}"
    try:
        conn = sqlcipher3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    except sqlcipher3.Error as exc:
        raise StoreIOError(f"cannot open the kiosk store {path}: {exc}") from exc
    try:
        conn.execute(_key_pragma(key))
        conn.execute("PRAGMA cipher_compatibility = 4")
        conn.execute(f"PRAGMA cipher_page_size = {PAGE_SIZE}")
    except BaseException:
        conn.close()
        raise
    return conn


def verify_existing(path: Path, key: bytes) -> None:
    """Prove the key right and every page intact through a READ-ONLY connection.

    Read-only matters: a read-write connection that finds a WAL left by a crash checkpoints it
    into the main file when it closes, even when the key was wrong. Only after this check
    passes may a writable connection touch the file.
    """
    _key_pragma(key)  # refuse a malformed key before touching anything
    size = path.stat().st_size
    with path.open("rb") as f:
        head = f.read(len(_PLAIN_SQLITE_HEADER))
    if size == 0:
        raise CorruptStoreError(path, "the file is empty")
    if head == _PLAIN_SQLITE_HEADER:
        raise CorruptStoreError(path, "it is an unencrypted SQLite file")
    if size % PAGE_SIZE:
        raise CorruptStoreError(path, f"its size {size} is not a whole number of pages")
    sidecars = [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm")]
    found = {sidecar for sidecar in sidecars if sidecar.exists()}
    conn = _connect(path, key, "ro")
    # With a wrong key SQLCipher logs three lines per page to stderr as the HMAC check walks
    # the file (tens of thousands for a big store); the typed error says it all, so its log is
    # muted for the check. The level is process-wide, hence restored right after.
    (log_level,) = conn.execute("PRAGMA cipher_log_level").fetchone()
    conn.execute("PRAGMA cipher_log_level = NONE")
    try:
        _prove_readable(conn, path, pages=size // PAGE_SIZE)
    finally:
        conn.execute(f"PRAGMA cipher_log_level = {log_level}")
        conn.close()
        # A read-only reader of a WAL database leaves an empty WAL and an index behind; remove
        # the ones it made, so a failed open leaves the directory as it was found.
        wal, shm = sidecars
        if wal not in found and wal.exists() and wal.stat().st_size == 0:
            wal.unlink()
            if shm not in found:
                shm.unlink(missing_ok=True)


def _prove_readable(conn: sqlcipher3.Connection, path: Path, *, pages: int) -> None:
    """Read the schema, then check every page's HMAC.

    SQLCipher cannot tell a wrong key from a damaged first page by the error alone; the HMAC
    check can: with a wrong key every page fails, with damage only some do.
    """
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher3.DatabaseError as exc:
        code = _error_code(exc)
        if code in (SQLITE_BUSY, SQLITE_LOCKED):
            raise StoreBusyError(
                f"the kiosk store {path} is locked by another program (is a second kiosk "
                "window open?)"
            ) from exc
        if code not in (SQLITE_NOTADB, SQLITE_CORRUPT):
            raise StoreIOError(f"cannot read the kiosk store {path}: {exc}") from exc
        failures = conn.execute("PRAGMA cipher_integrity_check").fetchall()
        if len(failures) >= pages:
            raise WrongKeyError(path) from exc
        raise _damaged(path, failures) from exc
    failures = conn.execute("PRAGMA cipher_integrity_check").fetchall()
    if failures:
        raise _damaged(path, failures)


def _damaged(path: Path, failures: list[tuple[str]]) -> CorruptStoreError:
    return CorruptStoreError(path, f"{len(failures)} damaged page(s), first: {failures[0][0]}")


def _connect_writable(path: Path, key: bytes, *, create: bool) -> sqlcipher3.Connection:
    """The store's connection; ``mode=rw`` guarantees an existing file is never created."""
    conn = _connect(path, key, "rwc" if create else "rw")
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
    except BaseException:
        conn.close()
        raise
    return conn


def open_engine(path: Path, key: bytes, *, create: bool) -> tuple[Engine, Connection]:
    """The store's engine and its single SQLAlchemy connection, held for the store's life.

    The file is keyed and checked before the engine exists, so all failures above surface
    here as typed errors; ``create=False`` refuses to make a file that is not there.
    """
    if not create:
        verify_existing(path, key)
    raw = _connect_writable(path, key, create=create)
    engine = create_engine(
        "sqlite://",
        module=sqlcipher3,  # the pysqlite dialect over sqlcipher3's DBAPI (its error classes)
        creator=lambda: raw,
        poolclass=StaticPool,
    )

    @event.listens_for(engine, "begin")
    def _begin_immediate(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    try:
        connection = engine.connect()
    except BaseException:
        raw.close()
        engine.dispose()
        raise
    return engine, connection
