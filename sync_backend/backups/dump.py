"""Taking one backup: pg_dump to a hidden name, checksum, rename, then prune.

The steps, so that nothing that looks complete is ever half written:

1. take the folder's lock (two runs never write at once) and drop our own leftover
   ``.partial`` files of an earlier run that died;
2. ``pg_dump --format=custom`` (compressed, one consistent snapshot) into
   ``.pika-<time>.dump.partial``; fsync it;
3. hash it, write the checksum to ``.pika-<time>.dump.sha256.partial``, fsync;
4. rename the dump, then the checksum file, into place; fsync the folder;
5. only then prune old complete backups (a failed run prunes nothing).

Any failure (a full disk is the usual one) removes this run's partial files and raises
:class:`BackupFailed` with pg_dump's own words; earlier backups are never touched.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sync_backend.backups import archive
from sync_backend.backups.errors import BackupFailed
from sync_backend.backups.postgres_tools import find_tool, server_major, target_of

LOCK_NAME = ".pika-backup.lock"
COMPRESSION = 6
DUMP_TIMEOUT_S = 6 * 3600


@dataclass(frozen=True, slots=True)
class BackupResult:
    path: Path
    size: int
    sha256: str
    pruned: list[Path] = field(default_factory=list)
    incomplete: list[Path] = field(default_factory=list)


@contextlib.contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    with (folder / LOCK_NAME).open("a") as lock:
        try:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BackupFailed(
                f"another backup is running in {folder}", code="backup_running"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)


def take_backup(
    database_url: str,
    folder: Path,
    *,
    keep_days: float,
    bin_dir: str = "",
    now: datetime | None = None,
) -> BackupResult:
    """Dump ``database_url`` into ``folder`` and prune; see the module docstring."""
    now = now or datetime.now(UTC)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupFailed(f"cannot make the backup folder {folder}: {exc}") from exc
    target = target_of(database_url)
    pg_dump = find_tool("pg_dump", server_major(database_url), bin_dir)
    with folder_lock(folder):
        for leftover in folder.glob(f".{archive.PREFIX}*{archive.PARTIAL_SUFFIX}"):
            leftover.unlink(missing_ok=True)
        final = folder / archive.name_for(now)
        if final.exists():
            raise BackupFailed(f"{final} already exists", code="backup_exists")
        sums = archive.checksum_path(final)
        partial, partial_sums = archive.partial_path(final), archive.partial_path(sums)
        try:
            _dump(pg_dump, target.uri, target.env(), partial)
            archive.fsync_file(partial)
            digest = archive.sha256_of(partial)
            partial_sums.write_text(archive.checksum_line(final, digest), encoding="ascii")
            archive.fsync_file(partial_sums)
            os.replace(partial, final)
            os.replace(partial_sums, sums)
            archive.fsync_directory(folder)
        except BaseException as exc:
            partial.unlink(missing_ok=True)
            partial_sums.unlink(missing_ok=True)
            if isinstance(exc, OSError):
                raise BackupFailed(
                    f"writing the backup in {folder} failed: {exc.strerror or exc}; earlier "
                    "backups were kept",
                    extra={"folder": str(folder)},
                ) from exc
            raise
        pruned = archive.prune(folder, now, timedelta(days=keep_days))
        incomplete = [b.path for b in archive.list_backups(folder) if not b.complete]
    return BackupResult(final, final.stat().st_size, digest, pruned, incomplete)


def _dump(pg_dump: Path, uri: str, env: dict[str, str], out: Path) -> None:
    command = [
        str(pg_dump),
        "--format=custom",
        f"--compress={COMPRESSION}",
        "--no-password",
        f"--file={out}",
        f"--dbname={uri}",
    ]
    try:
        done = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=DUMP_TIMEOUT_S
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise BackupFailed(f"pg_dump could not run: {exc}; earlier backups were kept") from exc
    if done.returncode != 0:
        said = done.stderr.strip() or f"exit status {done.returncode}"
        raise BackupFailed(
            f"pg_dump failed: {said}; earlier backups were kept",
            extra={"pg_dump_exit": done.returncode},
        )
