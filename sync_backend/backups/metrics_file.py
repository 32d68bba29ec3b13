"""The backups' state for Prometheus: a node_exporter textfile written by each backup run.

``pika-backend backup`` runs from a timer and exits, so nothing is there to scrape; the
textfile collector of node_exporter reads a ``.prom`` file instead. The alert "backups older
than 7 h" is ``time() - pika_backup_last_success_timestamp_seconds > 7 * 3600``. Written
atomically (a temporary name, then a rename), so the collector never reads half a file.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from sync_backend.backups import archive

_METRICS = (
    ("pika_backup_last_success_timestamp_seconds", "When the newest complete backup was taken."),
    ("pika_backup_last_size_bytes", "Size of the newest complete backup."),
    ("pika_backup_complete", "Complete backups in the folder."),
    ("pika_backup_incomplete", "Backups without their checksum file (never completed)."),
    ("pika_backup_last_attempt_timestamp_seconds", "When the last backup run ended."),
    ("pika_backup_last_attempt_ok", "1 if the last backup run succeeded (or none was due)."),
)


def write_metrics(path: Path, folder: Path, *, now: datetime, ok: bool) -> None:
    backups = archive.list_backups(folder)
    complete = [b for b in backups if b.complete]
    newest = complete[-1] if complete else None
    values = (
        newest.taken_at.timestamp() if newest else 0,
        newest.path.stat().st_size if newest else 0,
        len(complete),
        len(backups) - len(complete),
        now.timestamp(),
        1 if ok else 0,
    )
    lines = []
    for (name, text), value in zip(_METRICS, values, strict=True):
        lines += [f"# HELP {name} {text}", f"# TYPE {name} gauge", f"{name} {value}"]
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(temporary, path)
