"""Typed refusals of the backup commands (the CLI prints their JSON body and exits 2)."""

from __future__ import annotations

from sync_backend.errors import PikaError


class BackupFailed(PikaError):
    """pg_dump (or writing its file) failed: nothing new is kept, earlier backups are intact."""

    status_code = 500
    code = "backup_failed"


class BackupDamaged(PikaError):
    """The backup file is incomplete, altered or unreadable; nothing was touched."""

    status_code = 422
    code = "backup_damaged"


class DatabaseNotEmpty(PikaError):
    """A restore goes into an empty database only, never over live data."""

    status_code = 409
    code = "database_not_empty"


class RestoreFailed(PikaError):
    """pg_restore failed inside its one transaction: the database was left empty."""

    status_code = 500
    code = "restore_failed"


class PostgresToolsMismatch(PikaError):
    """pg_dump/pg_restore are missing or of another major version than the server."""

    status_code = 500
    code = "postgres_tools_mismatch"


class DatabaseUnreachable(PikaError):
    """The database did not answer: nothing was dumped or restored."""

    status_code = 503
    code = "database_unavailable"
