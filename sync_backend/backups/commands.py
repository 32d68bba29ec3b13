"""``pika-backend backup`` and ``pika-backend restore``: arguments and JSON answers.

    pika-backend backup [--if-due] [--dir DIR]
    pika-backend restore FILE [--database-url URL] [--verify-only]

Each handler returns its exit code and what to print as JSON; refusals are typed errors
(``sync_backend.backups.errors``) that the CLI prints and exits 2 on.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sync_backend.backups import archive
from sync_backend.backups.dump import take_backup
from sync_backend.backups.metrics_file import write_metrics
from sync_backend.backups.postgres_tools import find_tool, server_major
from sync_backend.backups.restore import restore_backup, verify_backup
from sync_backend.settings import Settings


def configure_backup(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--if-due",
        action="store_true",
        help="only when the newest complete backup is PIKA_BACKUP_INTERVAL_HOURS old (timer)",
    )
    parser.add_argument("--dir", type=Path, help="backup folder (default PIKA_BACKUP_DIR)")


def configure_restore(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="a pika-<time>.dump beside its .sha256")
    parser.add_argument(
        "--database-url",
        help="the EMPTY database to restore into (default PIKA_BACKUP_DATABASE_URL, else "
        "PIKA_DATABASE_URL)",
    )
    parser.add_argument(
        "--verify-only",
        action="store_true",
        help="check the file (checksum, contents, every data block) and touch no database",
    )


def _database_url(settings: Settings) -> str:
    return settings.backup_database_url or settings.database_url


def backup(args: argparse.Namespace, settings: Settings) -> tuple[int, dict[str, Any]]:
    """One timer run: a backup if due (or asked), and the metrics textfile either way."""
    folder = args.dir or Path(settings.backup_dir)
    ok = False
    try:
        code, answer = _backup(args, settings, folder)
        ok = True
        return code, answer
    finally:
        if settings.backup_metrics_file:
            try:
                write_metrics(
                    Path(settings.backup_metrics_file), folder, now=datetime.now(UTC), ok=ok
                )
            except OSError as exc:  # the backup's own outcome matters more: say it, go on
                print(f"pika-backend backup: metrics file not written: {exc}", file=sys.stderr)


def _backup(
    args: argparse.Namespace, settings: Settings, folder: Path
) -> tuple[int, dict[str, Any]]:
    now = datetime.now(UTC)
    if args.if_due and not archive.is_due(
        folder, now, timedelta(hours=settings.backup_interval_hours)
    ):
        newest = archive.newest_complete(folder)
        assert newest is not None
        return 0, {"taken": False, "newest": str(newest.path), "taken_at": newest.taken_at}
    result = take_backup(
        _database_url(settings),
        folder,
        keep_days=settings.backup_keep_days,
        bin_dir=settings.pg_bin_dir,
        now=now,
    )
    return 0, {
        "taken": True,
        "backup": str(result.path),
        "bytes": result.size,
        "sha256": result.sha256,
        "pruned": [str(p) for p in result.pruned],
        "incomplete": [str(p) for p in result.incomplete],
    }


def restore(args: argparse.Namespace, settings: Settings) -> tuple[int, dict[str, Any]]:
    url = args.database_url or _database_url(settings)
    if args.verify_only:
        pg_restore = find_tool("pg_restore", server_major(url), settings.pg_bin_dir)
        return 0, {"file": str(args.file), "sha256": verify_backup(args.file, pg_restore)}
    result = restore_backup(url, args.file, bin_dir=settings.pg_bin_dir)
    return 0, {
        "restored": str(result.path),
        "sha256": result.sha256,
        "database": result.database,
        "tables": result.tables,
        "next": "start the backend with the same PIKA_SIGNING_KEY_SECRET as when it was taken",
    }
