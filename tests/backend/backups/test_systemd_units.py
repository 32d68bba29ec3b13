"""The systemd unit and timer in deploy/systemd run the backup the README describes."""

from __future__ import annotations

import configparser
import re
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
UNITS = ROOT / "deploy" / "systemd"


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(UNITS / name, encoding="utf-8")
    return parser


def test_the_service_runs_the_backup_when_due_as_a_oneshot() -> None:
    service = _unit("pika-backup.service")
    assert service["Service"]["Type"] == "oneshot"
    assert service["Service"]["ExecStart"].endswith("pika-backend backup --if-due")
    assert service["Service"]["UMask"] == "0077"  # dumps readable by their owner only
    assert "EnvironmentFile" in service["Service"]


def test_the_timer_fires_hourly_and_catches_up_after_downtime() -> None:
    timer = _unit("pika-backup.timer")
    assert timer["Timer"]["Persistent"] == "true"
    calendar = timer["Timer"]["OnCalendar"]
    analyze = shutil.which("systemd-analyze")
    assert analyze, "systemd-analyze (Debian's systemd package) checks the timer's calendar"
    parsed = subprocess.run([analyze, "calendar", calendar], capture_output=True, text=True)
    assert parsed.returncode == 0, parsed.stderr
    assert "*-*-* *:00:00" in parsed.stdout


def test_the_readme_shows_the_cron_line_of_the_same_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "pika-backend backup --if-due" in readme
    assert "0 * * * *" in readme


def test_the_example_environment_names_only_real_settings() -> None:
    """A mistyped variable in /etc/pika/backend.env is silently ignored by the settings."""
    from sync_backend.settings import Settings

    text = (ROOT / "deploy" / "backend.env.example").read_text(encoding="utf-8")
    named = set(re.findall(r"^#?(PIKA_[A-Z0-9_]+)=", text, flags=re.M))
    assert {"PIKA_BACKUP_DATABASE_URL", "PIKA_BACKUP_DIR"} <= named
    assert named <= {f"PIKA_{name.upper()}" for name in Settings.model_fields}
