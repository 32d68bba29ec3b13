"""Restoring a backup into an empty database, after proving the file whole.

Before anything connects to the target database, the file is checked three ways, each a
:class:`BackupDamaged` refusal: its sha256 against its checksum file (catches a truncated copy
and a flipped byte), ``pg_restore --list`` (the archive's table of contents reads), and a full
read of every data block by ``pg_restore`` into nowhere (the compressed data decompresses).
Then the target must be empty (:class:`DatabaseNotEmpty`): a restore never mixes with or
replaces live data. pg_restore runs in one transaction and stops at the first error, so a
failed restore leaves the database as empty as it was.

Roles are not in a database's dump: the roles the dump grants to (the backend's role that cannot
drop triggers) must exist on the target server first (README "Backups").
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from sync_backend.backups import archive
from sync_backend.backups.errors import BackupDamaged, DatabaseNotEmpty, RestoreFailed
from sync_backend.backups.postgres_tools import find_tool, server_major, target_of

RESTORE_TIMEOUT_S = 12 * 3600
CHECK_TIMEOUT_S = 3600

#: Anything of the user's in the target: tables, sequences, views, types, functions.
_USER_OBJECTS = """
    SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
               AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%')
         + (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE n.nspname NOT IN ('pg_catalog', 'information_schema'))
"""


@dataclass(frozen=True, slots=True)
class RestoreResult:
    path: Path
    sha256: str
    database: str
    tables: int


def verify_backup(dump: Path, pg_restore: Path) -> str:
    """The three checks of the module docstring; the file's sha256. Touches no database."""
    digest = archive.verify_checksum(dump)
    listed = _run(pg_restore, ["--list", str(dump)], timeout=CHECK_TIMEOUT_S)
    if listed.returncode != 0 or "TABLE DATA" not in listed.stdout:
        raise BackupDamaged(
            f"pg_restore cannot read the contents of {dump}: "
            f"{listed.stderr.strip() or 'no table data listed'}",
            extra={"file": str(dump)},
        )
    read = _run(pg_restore, [f"--file={os.devnull}", str(dump)], timeout=CHECK_TIMEOUT_S)
    if read.returncode != 0:
        raise BackupDamaged(
            f"pg_restore cannot read all of {dump}: {read.stderr.strip()}",
            extra={"file": str(dump)},
        )
    return digest


def user_objects(database_url: str) -> int:
    engine = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.text(_USER_OBJECTS)).scalar_one())
    finally:
        engine.dispose()


def restore_backup(database_url: str, dump: Path, *, bin_dir: str = "") -> RestoreResult:
    """Restore ``dump`` into the empty database of ``database_url``; see the module docstring.

    The file is checked with the pg_restore of the server's version before the database is
    asked anything but its version."""
    target = target_of(database_url)
    pg_restore = find_tool("pg_restore", server_major(database_url), bin_dir)
    digest = verify_backup(dump, pg_restore)
    found = user_objects(database_url)
    if found:
        raise DatabaseNotEmpty(
            f"database {target.name!r} already holds {found} table(s), sequence(s) or "
            "function(s); restore into a new empty database (createdb) instead",
            extra={"database": target.name, "objects": found},
        )
    done = _run(
        pg_restore,
        [
            "--single-transaction",
            "--exit-on-error",
            "--no-password",
            f"--dbname={target.uri}",
            str(dump),
        ],
        env=target.env(),
        timeout=RESTORE_TIMEOUT_S,
    )
    if done.returncode != 0:
        raise RestoreFailed(
            f"pg_restore failed (the database was left empty): {done.stderr.strip()}",
            extra={"database": target.name},
        )
    engine = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
    try:
        tables = len(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()
    return RestoreResult(dump, digest, target.name, tables)


def _run(
    tool: Path, args: list[str], *, timeout: float, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            [str(tool), *args], env=env, capture_output=True, text=True, timeout=timeout
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise RestoreFailed(f"{tool.name} could not run: {exc}") from exc
