"""The backup folder: file names, checksum files, which backups are complete, and retention.

A backup is ``pika-<UTC time>.dump`` (pg_dump custom format) and ``pika-<UTC time>.dump.sha256``
(``sha256sum`` format, so ``sha256sum -c`` checks it by hand too). The checksum file is written
last, after the dump is whole and on disk: a backup is *complete* only when both are there.
Work in progress has a hidden ``.partial`` name that never matches, so a dump cut short (a full
disk, a crash, a kill) can never be taken for a backup, and pruning never counts it.

Retention (``backup_keep_days``): complete backups older than that are deleted, except the
newest complete one, whatever its age (backups that stopped must not delete the last one).
Nothing else is ever deleted: not incomplete pairs, not files of other names.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sync_backend.backups.errors import BackupDamaged

PREFIX = "pika-"
SUFFIX = ".dump"
CHECKSUM_SUFFIX = ".sha256"
PARTIAL_SUFFIX = ".partial"
TIME_FORMAT = "%Y%m%dT%H%M%SZ"
_NAME = re.compile(r"^pika-(\d{8}T\d{6}Z)\.dump$")
_CHECKSUM_LINE = re.compile(r"^([0-9a-f]{64}) [ *](\S+)\n?$")
_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class Backup:
    """One ``pika-<time>.dump`` in the folder, and whether its checksum file is there."""

    path: Path
    taken_at: datetime
    complete: bool

    @property
    def checksum_path(self) -> Path:
        return checksum_path(self.path)


def name_for(taken_at: datetime) -> str:
    return f"{PREFIX}{taken_at.astimezone(UTC).strftime(TIME_FORMAT)}{SUFFIX}"


def checksum_path(dump: Path) -> Path:
    return dump.with_name(dump.name + CHECKSUM_SUFFIX)


def partial_path(final: Path) -> Path:
    """The hidden name a file has while it is written (never matches a backup's name)."""
    return final.with_name(f".{final.name}{PARTIAL_SUFFIX}")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def checksum_line(dump: Path, hex_digest: str) -> str:
    return f"{hex_digest}  {dump.name}\n"


def verify_checksum(dump: Path) -> str:
    """The dump's sha256, after proving it is the one its checksum file names."""
    sums = checksum_path(dump)
    if not dump.is_file():
        raise BackupDamaged(f"{dump} does not exist", code="backup_missing")
    if not sums.is_file():
        raise BackupDamaged(
            f"{dump} has no checksum file {sums.name}: the backup never completed (or the "
            "file was copied without it); it is not restored",
            extra={"file": str(dump)},
        )
    match = _CHECKSUM_LINE.match(sums.read_text(encoding="ascii", errors="replace"))
    if match is None or match.group(2) != dump.name:
        raise BackupDamaged(
            f"{sums} is not a checksum line for {dump.name}", extra={"file": str(dump)}
        )
    actual = sha256_of(dump)
    if actual != match.group(1):
        raise BackupDamaged(
            f"{dump} does not match its checksum (truncated or altered): expected "
            f"{match.group(1)}, found {actual}; nothing was restored",
            extra={"file": str(dump), "expected": match.group(1), "actual": actual},
        )
    return actual


def list_backups(folder: Path) -> list[Backup]:
    """Every ``pika-<time>.dump`` in ``folder``, oldest first."""
    found = []
    if not folder.is_dir():
        return []
    for path in folder.iterdir():
        match = _NAME.match(path.name)
        if match is None or not path.is_file():
            continue
        taken_at = datetime.strptime(match.group(1), TIME_FORMAT).replace(tzinfo=UTC)
        found.append(Backup(path, taken_at, checksum_path(path).is_file()))
    return sorted(found, key=lambda b: b.taken_at)


def newest_complete(folder: Path) -> Backup | None:
    complete = [b for b in list_backups(folder) if b.complete]
    return complete[-1] if complete else None


def is_due(folder: Path, now: datetime, interval: timedelta) -> bool:
    """Whether a backup should run now: none yet, or the newest complete one is ``interval``
    old. A tenth of the interval is forgiven, so an hourly timer that fires a few seconds early
    does not wait a whole extra hour."""
    newest = newest_complete(folder)
    return newest is None or now - newest.taken_at >= interval * 0.9


def to_prune(backups: list[Backup], now: datetime, keep: timedelta) -> list[Backup]:
    """The complete backups the retention rule drops: older than ``keep``, never the newest
    complete one. Incomplete ones are never pruned (someone should look at them)."""
    complete = [b for b in backups if b.complete]
    if not complete:
        return []
    newest = max(complete, key=lambda b: b.taken_at)
    return [b for b in complete if b is not newest and now - b.taken_at > keep]


def prune(folder: Path, now: datetime, keep: timedelta) -> list[Path]:
    """Delete what :func:`to_prune` names: the checksum file first, so a prune cut short
    leaves an incomplete backup (kept, visible) rather than a checksum without its dump."""
    removed = []
    for backup in to_prune(list_backups(folder), now, keep):
        backup.checksum_path.unlink(missing_ok=True)
        backup.path.unlink(missing_ok=True)
        removed.append(backup.path)
    if removed:
        fsync_directory(folder)
    return removed


def fsync_directory(folder: Path) -> None:
    """Make renames and deletions in ``folder`` durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_file(path: Path) -> None:
    with path.open("rb+") as f:
        os.fsync(f.fileno())
