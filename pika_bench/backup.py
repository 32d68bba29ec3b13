"""``pika-bench backup``: how long head office's backup and restore take on a year of data.

A throwaway database (migrated, dropped at the end) is filled like ``pika-bench analytics``
(``analytics.fill_demo_year``: ``--events`` lifecycle events by COPY, rollups rebuilt), then,
through the functions ``pika-backend backup`` and ``pika-backend restore`` call:

- ``backup_s``: ``take_backup`` (pg_dump custom format, checksum, rename) into a temporary
  folder; ``dump_bytes`` against ``database_bytes`` (``pg_database_size``) is the
  ``compression`` ratio;
- ``verify_s``: ``verify_backup``, what ``restore --verify-only`` does (checksum,
  ``pg_restore --list``, every data block read);
- ``restore_s``: ``restore_backup`` into a second, empty database (it verifies the file again
  first, as the real restore does); ``rows_match``: both databases' row counts per table,
  sequences and triggers are the same (``sync_backend.backups.fingerprint``, counts only);
  ``restored_bytes`` is the copy's size (fresh tables and indexes, no dead rows).

Both databases and the dump are removed afterwards, also on a failure or Ctrl-C; their names
are in the answer so that can be checked.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from pika_bench.analytics import fill_demo_year
from pika_bench.backend_server import DEFAULT_POSTGRES, throwaway_database
from sync_backend.backups.dump import take_backup
from sync_backend.backups.fingerprint import fingerprint
from sync_backend.backups.postgres_tools import find_tool, server_major
from sync_backend.backups.restore import restore_backup, verify_backup

#: ``pika-backend backup``'s default retention; nothing is old enough to prune here.
KEEP_DAYS = 7.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--events",
        type=int,
        default=2_000_000,
        help="lifecycle events (10000000 for head office's year)",
    )
    parser.add_argument("--businesses", type=int, default=36)
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES, help="admin URL of the server")
    parser.add_argument(
        "--dir", type=Path, default=None, help="where the dump's temporary folder goes"
    )


def _database_bytes(url: str) -> int:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            return int(
                conn.execute(sa.text("SELECT pg_database_size(current_database())")).scalar_one()
            )
    finally:
        engine.dispose()


def _timed(fn: Any, *args: Any, **kwargs: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - started


def run(args: argparse.Namespace) -> dict[str, Any]:
    with ExitStack() as cleanup:  # unwinds on any exception, KeyboardInterrupt included
        source = cleanup.enter_context(
            throwaway_database(args.postgres, prefix="pika_bench_backup")
        )
        year, fill_s = fill_demo_year(source, events=args.events, businesses=args.businesses)
        database_bytes = _database_bytes(source)
        before = fingerprint(source, checksums=False)
        folder = Path(
            cleanup.enter_context(tempfile.TemporaryDirectory(prefix="pika-bench-", dir=args.dir))
        )
        backup, backup_s = _timed(take_backup, source, folder, keep_days=KEEP_DAYS)
        pg_restore = find_tool("pg_restore", server_major(source))
        _digest, verify_s = _timed(verify_backup, backup.path, pg_restore)
        target = cleanup.enter_context(
            throwaway_database(args.postgres, prefix="pika_bench_restore", migrate=False)
        )
        restored, restore_s = _timed(restore_backup, target, backup.path)
        after = fingerprint(target, checksums=False)
        restored_bytes = _database_bytes(target)
    return {
        "events": year.events,
        "database_bytes": database_bytes,
        "dump_bytes": backup.size,
        "compression": round(database_bytes / backup.size, 2),
        "backup_s": round(backup_s, 2),
        "verify_s": round(verify_s, 2),
        "restore_s": round(restore_s, 2),
        "rows_match": after == before,
        "restored_bytes": restored_bytes,
        "tables": restored.tables,
        "rows": sum(v[0] for k, v in before.items() if k not in ("sequences", "triggers")),
        "fill_s": round(fill_s, 1),
        "databases": [sa.make_url(source).database, sa.make_url(target).database],
    }
