"""deploy/'s backend unit, environment example and proxy config say what docs/operations.md
says, and name only settings that exist."""

from __future__ import annotations

import configparser
import re
from pathlib import Path

from sync_backend.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def test_every_variable_of_the_environment_example_is_a_setting() -> None:
    """A misspelt variable is silently ignored by the settings (extra="ignore"): here it is
    caught."""
    text = (DEPLOY / "backend.env.example").read_text()
    names = re.findall(r"^#?(PIKA_[A-Z0-9_]+)=", text, flags=re.M)
    assert len(names) >= 10
    fields = {f"PIKA_{name.upper()}" for name in Settings.model_fields}
    assert [n for n in names if n not in fields] == []


def test_the_service_serves_as_an_unprivileged_user_with_every_workers_metrics() -> None:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read(DEPLOY / "systemd" / "pika-backend.service", encoding="utf-8")
    service = unit["Service"]
    assert re.search(r"pika-backend serve .*--workers \d+", service["ExecStart"])
    assert service["User"] not in {"", "root"}
    assert service["EnvironmentFile"] == "/etc/pika/backend.env"
    assert service["Environment"].startswith("PROMETHEUS_MULTIPROC_DIR=")
    assert service["Restart"] == "on-failure"


def test_the_proxy_sets_x_forwarded_for_and_keeps_detail_and_metrics_inside() -> None:
    conf = (DEPLOY / "nginx" / "pika-backend.conf").read_text()
    # Set to the peer's address: with one proxy in front, the header holds the shop's
    # address alone, whatever a client sent.
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in conf
    assert "location = /health/detail { deny all; }" in conf
    assert "location = /metrics { deny all; }" in conf
