"""What backup and restore refuse: damaged files (before touching the database), a full disk
(earlier backups kept), the wrong pg_dump, a database that is not empty; and the CLI's exits."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from pika_bench.backend_server import free_port, settings_env
from sync_backend.backups import archive
from sync_backend.backups.dump import take_backup
from sync_backend.backups.errors import (
    BackupDamaged,
    BackupFailed,
    DatabaseNotEmpty,
    DatabaseUnreachable,
    PostgresToolsMismatch,
)
from sync_backend.backups.restore import restore_backup, user_objects
from sync_backend.settings import Settings
from tests.backend.backups.support import empty_database, small_disk
from tests.backend.support import Kit

pytestmark = pytest.mark.postgres


@pytest.fixture
def backup(database_url: str, kit: Kit, tmp_path: Path) -> Path:
    business = kit.business("Damaged Drill")
    kit.vouchers(business, copies=30)
    return take_backup(database_url, tmp_path / "backups", keep_days=7).path


def _copy(dump: Path, folder: Path, data: bytes) -> Path:
    """``data`` under the backup's name in ``folder``, beside the original checksum file."""
    folder.mkdir()
    copy = folder / dump.name
    copy.write_bytes(data)
    shutil.copy(archive.checksum_path(dump), archive.checksum_path(copy))
    return copy


@pytest.mark.parametrize("damage", ["truncated", "flipped byte"])
def test_a_damaged_backup_is_refused_before_the_database_is_touched(
    backup: Path, postgres_server: str, tmp_path: Path, damage: str
) -> None:
    data = bytearray(backup.read_bytes())
    if damage == "truncated":
        data = data[: len(data) * 2 // 3]
    else:
        data[len(data) // 2] ^= 0x01
    bad = _copy(backup, tmp_path / "copy", bytes(data))
    with empty_database(postgres_server) as target:
        with pytest.raises(BackupDamaged, match="truncated or altered"):
            restore_backup(target, bad)
        assert user_objects(target) == 0


def test_a_backup_without_its_checksum_or_not_a_dump_is_refused(
    backup: Path, postgres_server: str, tmp_path: Path
) -> None:
    lone = tmp_path / "lone"
    lone.mkdir()
    shutil.copy(backup, lone / backup.name)
    # Not a dump at all, with a checksum that matches it: pg_restore's own check refuses it.
    fake = tmp_path / "fake" / backup.name
    fake.parent.mkdir()
    fake.write_bytes(b"PGDMP" + os.urandom(4096))
    archive.checksum_path(fake).write_text(archive.checksum_line(fake, archive.sha256_of(fake)))
    with empty_database(postgres_server) as target:
        with pytest.raises(BackupDamaged, match="no checksum file"):
            restore_backup(target, lone / backup.name)
        with pytest.raises(BackupDamaged, match="pg_restore cannot read"):
            restore_backup(target, fake)
        assert user_objects(target) == 0


def test_a_restore_into_a_database_with_tables_is_refused(backup: Path, database_url: str) -> None:
    with pytest.raises(DatabaseNotEmpty) as refused:
        restore_backup(database_url, backup)
    assert refused.value.extra["objects"] > 0 and refused.value.status_code == 409


def test_a_full_disk_fails_the_backup_clearly_and_keeps_the_earlier_ones(
    database_url: str, kit: Kit, tmp_path: Path
) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    with small_disk(tmp_path / "disk", "1m") as disk:
        earlier = take_backup(database_url, disk, keep_days=7, now=now - timedelta(hours=6))
        business = kit.business("Grows past the disk")
        kit.vouchers(business, copies=60)
        # Leave less room than the next dump needs (it is no smaller than the last one).
        stats = os.statvfs(disk)
        filler = disk / "other-files"
        filler.write_bytes(b"\0" * max(0, stats.f_bavail * stats.f_frsize - earlier.size // 2))
        with pytest.raises(BackupFailed, match="No space left on device") as failed:
            take_backup(database_url, disk, keep_days=7, now=now)
        assert "earlier backups were kept" in failed.value.message
        left = sorted(p.name for p in disk.iterdir())
        assert left == sorted(
            [
                earlier.path.name,
                archive.checksum_path(earlier.path).name,
                filler.name,
                ".pika-backup.lock",
            ]
        )
        assert archive.verify_checksum(earlier.path) == earlier.sha256


def test_a_pg_dump_of_another_major_version_is_refused_with_what_to_install(
    database_url: str, tmp_path: Path
) -> None:
    fake = tmp_path / "bin" / "pg_dump"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
    fake.chmod(0o755)
    with pytest.raises(PostgresToolsMismatch, match=r"postgresql-client-\d+") as refused:
        take_backup(database_url, tmp_path / "backups", keep_days=7, bin_dir=str(fake.parent))
    assert refused.value.extra["tool_major"] == 9
    assert not list((tmp_path / "backups").glob("pika-*"))


def _metrics(path: Path) -> dict[str, float]:
    """The textfile as Prometheus reads it."""
    families = text_string_to_metric_families(path.read_text(encoding="utf-8"))
    return {f.name: f.samples[0].value for f in families}


def _cli(settings: Settings, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sync_backend.cli", *args],
        env={**settings_env(settings), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_cli_backs_up_when_due_and_exits_non_zero_on_a_damaged_file(
    settings: Settings, kit: Kit, postgres_server: str, tmp_path: Path
) -> None:
    kit.business("CLI Drill")
    folder = tmp_path / "backups"
    prom = tmp_path / "pika_backup.prom"
    env = {
        "PIKA_BACKUP_DIR": str(folder),
        "PIKA_BACKUP_INTERVAL_HOURS": "6",
        "PIKA_BACKUP_METRICS_FILE": str(prom),
    }
    first = _cli(settings, "backup", "--if-due", **env)
    assert first.returncode == 0, first.stderr
    taken = json.loads(first.stdout)
    assert taken["taken"] is True and Path(taken["backup"]).exists()
    again = _cli(settings, "backup", "--if-due", **env)
    assert again.returncode == 0 and json.loads(again.stdout)["taken"] is False
    metrics = _metrics(prom)
    taken_at = archive.list_backups(folder)[-1].taken_at.timestamp()
    assert metrics["pika_backup_last_success_timestamp_seconds"] == taken_at
    assert metrics["pika_backup_complete"] == 1 and metrics["pika_backup_last_attempt_ok"] == 1
    fake = tmp_path / "bin" / "pg_dump"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
    fake.chmod(0o755)
    failed = _cli(settings, "backup", **env, PIKA_PG_BIN_DIR=str(fake.parent))
    assert failed.returncode == 2
    assert json.loads(failed.stderr)["error"]["code"] == "postgres_tools_mismatch"
    metrics = _metrics(prom)
    assert metrics["pika_backup_last_attempt_ok"] == 0
    assert metrics["pika_backup_last_success_timestamp_seconds"] == taken_at

    dump = Path(taken["backup"])
    checked = _cli(settings, "restore", str(dump), "--verify-only")
    assert checked.returncode == 0, checked.stderr
    assert json.loads(checked.stdout)["sha256"] == taken["sha256"]
    with empty_database(postgres_server) as target:
        restored = _cli(settings, "restore", str(dump), "--database-url", target)
        assert restored.returncode == 0, restored.stderr
        assert json.loads(restored.stdout)["tables"] > 20 and user_objects(target) > 0
    dump.write_bytes(dump.read_bytes()[:-100])
    with empty_database(postgres_server) as target:
        refused = _cli(settings, "restore", str(dump), "--database-url", target)
        assert refused.returncode == 2
        assert json.loads(refused.stderr)["error"]["code"] == "backup_damaged"
        assert user_objects(target) == 0
    assert settings.signing_key_secret not in first.stdout + first.stderr + refused.stderr


def test_an_unreachable_database_is_a_typed_refusal(tmp_path: Path) -> None:
    nowhere = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/pika?connect_timeout=2"
    with pytest.raises(DatabaseUnreachable, match="did not answer"):
        take_backup(nowhere, tmp_path / "backups", keep_days=7)
    with pytest.raises(DatabaseUnreachable, match="did not answer"):
        restore_backup(nowhere, tmp_path / "pika-x.dump")
    assert not list((tmp_path / "backups").iterdir())
