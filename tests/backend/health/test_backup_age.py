"""``pika_backup_last_success_timestamp_seconds``: the newest complete backup in the folder."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from prometheus_client import generate_latest

from sync_backend.backups import archive
from sync_backend.health.metrics_access import scraped_at_request
from sync_backend.observability.backup_age import METRIC, BackupAge
from sync_backend.observability.metrics import scrape_registry
from sync_backend.settings import Settings


def backup(folder: Path, taken_at: datetime, *, complete: bool = True) -> None:
    """A backup as ``pika-backend backup`` leaves it: the dump, then its checksum file."""
    dump = folder / archive.name_for(taken_at)
    dump.write_bytes(b"PGDMP")
    if complete:
        archive.checksum_path(dump).write_text(
            archive.checksum_line(dump, archive.sha256_of(dump)), encoding="ascii"
        )


def reported(settings: Settings) -> float:
    text = generate_latest(scrape_registry(*scraped_at_request(settings))).decode()
    assert "# TYPE pika_http_requests_total counter" in text  # and the rest, as before
    return float(next(line for line in text.splitlines() if line.startswith(METRIC)).split()[1])


def test_the_newest_complete_backup_is_reported(settings: Settings, tmp_path: Path) -> None:
    mine = settings.model_copy(update={"backup_dir": str(tmp_path)})
    assert reported(mine) == 0.0  # none yet: "too old"
    now = datetime.now(UTC).replace(microsecond=0)
    backup(tmp_path, now - timedelta(hours=12))
    backup(tmp_path, now - timedelta(hours=6))
    backup(tmp_path, now - timedelta(minutes=5), complete=False)  # under way, or cut short
    assert reported(mine) == (now - timedelta(hours=6)).timestamp()


def test_no_folder_reads_as_none_and_no_setting_reports_nothing(
    settings: Settings, tmp_path: Path
) -> None:
    assert reported(settings.model_copy(update={"backup_dir": str(tmp_path / "none")})) == 0.0
    assert scraped_at_request(settings.model_copy(update={"backup_dir": ""})) == []


def test_an_unreadable_folder_reads_as_none() -> None:
    def refused() -> float:
        raise PermissionError("backup folder")

    [metric] = BackupAge(refused).collect()
    assert metric.samples[0].value == 0.0
