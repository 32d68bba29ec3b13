"""The backup folder's rules without a database: names, completeness, retention, when due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sync_backend.backups import archive
from sync_backend.backups.errors import BackupDamaged

NOW = datetime.now(UTC).replace(microsecond=0)
KEEP = timedelta(days=7)


def make(folder: Path, age: timedelta, *, complete: bool = True) -> Path:
    dump = folder / archive.name_for(NOW - age)
    dump.write_bytes(b"PGDMP" + dump.name.encode())
    if complete:
        archive.checksum_path(dump).write_text(
            archive.checksum_line(dump, archive.sha256_of(dump)), encoding="ascii"
        )
    return dump


def test_names_sort_by_time_and_partial_files_are_never_backups(tmp_path: Path) -> None:
    old = make(tmp_path, timedelta(hours=12))
    new = make(tmp_path, timedelta(hours=6))
    partial = archive.partial_path(tmp_path / archive.name_for(NOW))
    partial.write_bytes(b"PGDMP half")
    (tmp_path / "notes.txt").write_text("not ours")
    found = archive.list_backups(tmp_path)
    assert [b.path for b in found] == [old, new]
    assert found[0].taken_at == NOW - timedelta(hours=12)
    assert partial.name.startswith(".") and partial.name.endswith(".partial")


def test_retention_drops_complete_backups_past_the_window_only(tmp_path: Path) -> None:
    kept = [make(tmp_path, timedelta(hours=h)) for h in (1, 7 * 24 - 1)]
    dropped = [make(tmp_path, timedelta(days=d)) for d in (8, 30)]
    incomplete_old = make(tmp_path, timedelta(days=9), complete=False)
    removed = archive.prune(tmp_path, NOW, KEEP)
    assert sorted(removed) == sorted(dropped)
    for path in dropped:
        assert not path.exists() and not archive.checksum_path(path).exists()
    for path in [*kept, incomplete_old]:
        assert path.exists()


def test_the_newest_complete_backup_is_never_pruned_however_old(tmp_path: Path) -> None:
    older = make(tmp_path, timedelta(days=40))
    newest = make(tmp_path, timedelta(days=20))
    newer_but_incomplete = make(tmp_path, timedelta(days=1), complete=False)
    assert archive.prune(tmp_path, NOW, KEEP) == [older]
    assert newest.exists() and archive.checksum_path(newest).exists()
    assert newer_but_incomplete.exists()
    assert archive.prune(tmp_path, NOW, KEEP) == []


def test_a_backup_is_due_after_the_interval_since_the_newest_complete_one(tmp_path: Path) -> None:
    interval = timedelta(hours=6)
    assert archive.is_due(tmp_path, NOW, interval)  # none yet
    make(tmp_path, timedelta(hours=2))
    assert not archive.is_due(tmp_path, NOW, interval)
    make(tmp_path, timedelta(minutes=1), complete=False)  # a failed run does not count
    assert not archive.is_due(tmp_path, NOW, interval)
    assert archive.is_due(tmp_path, NOW + timedelta(hours=4), interval)  # hourly timer, 6 h


def test_checksum_refusals_say_what_is_wrong(tmp_path: Path) -> None:
    dump = make(tmp_path, timedelta(hours=1))
    assert archive.verify_checksum(dump) == archive.sha256_of(dump)
    cut = make(tmp_path, timedelta(hours=2))
    cut.write_bytes(cut.read_bytes()[:-3])
    with pytest.raises(BackupDamaged, match="truncated or altered"):
        archive.verify_checksum(cut)
    lone = make(tmp_path, timedelta(hours=3), complete=False)
    with pytest.raises(BackupDamaged, match="no checksum file"):
        archive.verify_checksum(lone)
    other = make(tmp_path, timedelta(hours=4))
    archive.checksum_path(other).write_text(archive.checksum_line(dump, "0" * 64))
    with pytest.raises(BackupDamaged, match="not a checksum line"):
        archive.verify_checksum(other)
