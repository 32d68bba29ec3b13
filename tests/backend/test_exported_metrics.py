"""The alert rules and the Grafana dashboard use only metrics the backend really exports.

A backend serves a day's traffic (tests/backend/test_no_secrets_in_logs.py's: pushes of every
outcome, refusals, a rate limit, fraud checks, a key rotation, a manager), its fleet watch
runs, a complete backup lies in its backup folder; then every metric name in every PromQL
expression of ``deploy/`` must be among the sample names of a real ``/metrics`` scrape.
"""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from sync_backend.app import create_app
from tests.backend.health.test_backup_age import backup
from tests.backend.support import make_settings
from tests.backend.test_no_secrets_in_logs import METRICS_TOKEN, bearer, run_the_day

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

DEPLOY = Path(__file__).parents[2] / "deploy"
DASHBOARD = DEPLOY / "grafana" / "pika-backend.json"
RULES = DEPLOY / "prometheus" / "alerts.yml"

#: PromQL words that are no metric (operators, modifiers, literals).
_WORDS = {
    "and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right",
    "offset", "bool", "inf", "nan", "atan2",
}  # fmt: skip


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression reads (functions, labels and ranges left out)."""
    expr = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)  # strings
    expr = re.sub(r"\{[^}]*\}", "", expr)  # label matchers
    expr = re.sub(r"\[[^\]]*\]", "", expr)  # ranges, with Grafana's $__rate_interval
    expr = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", expr)
    words = re.findall(r"(?<![\w.$])([A-Za-z_:][A-Za-z0-9_:]*)\b(?!\s*\()", expr)
    return {word for word in words if word.lower() not in _WORDS}


def test_metric_names_reads_promql() -> None:
    expr = (
        'histogram_quantile(0.95, sum by (le) (rate(pika_a_bucket{route="/x", le=~"1e-9"}'
        "[$__rate_interval]))) > 1e-9 and on() sum without (instance) (pika_b offset 1h) "
        "/ clamp_min(pika_c, 1) or vector(0) > bool time() - pika_d"
    )
    assert metric_names(expr) == {"pika_a_bucket", "pika_b", "pika_c", "pika_d"}


def dashboard_exprs() -> list[str]:
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    exprs = [
        target["expr"]
        for panel in dashboard["panels"]
        for target in panel.get("targets", [])
        if "expr" in target
    ]
    assert dashboard["uid"] and dashboard["title"] and len(exprs) >= 10
    return exprs


def rule_exprs() -> list[str]:
    groups = yaml.safe_load(RULES.read_text(encoding="utf-8"))["groups"]
    return [rule["expr"] for group in groups for rule in group["rules"]]


def test_the_dashboard_is_valid_grafana_json() -> None:
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    for panel in dashboard["panels"]:
        assert panel["type"] in {"timeseries", "stat"} and panel["title"]
        assert {"x", "y", "w", "h"} <= set(panel["gridPos"])
        assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
    assert [v["name"] for v in dashboard["templating"]["list"]] == ["datasource"]


def scraped_names(text: str) -> set[str]:
    return {
        sample.name for family in text_string_to_metric_families(text) for sample in family.samples
    }


def test_rules_and_dashboard_use_only_what_a_scrape_shows(
    database_url: str, redis_url: str, tmp_path: Path
) -> None:
    taken_at = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    backup(tmp_path, taken_at)
    settings = make_settings(
        database_url,
        redis_url=redis_url,
        metrics_token=METRICS_TOKEN,
        tier_limits={"BASIC": "4/hour", "PREMIUM": "100000/hour", "ENTERPRISE": "100000/hour"},
        backup_dir=str(tmp_path),
        fleet_interval_s=0.2,
    )
    with TestClient(create_app(settings)) as client:
        run_the_day(client)
        deadline = time.monotonic() + 10
        while True:
            scrape = client.get("/metrics", headers=bearer(METRICS_TOKEN))
            assert scrape.status_code == 200
            exported = scraped_names(scrape.text)
            if "pika_kiosks_silent" in exported or time.monotonic() > deadline:
                break
            time.sleep(0.2)

    used = {name for expr in [*rule_exprs(), *dashboard_exprs()] for name in metric_names(expr)}
    assert len(used) >= 15
    assert used <= exported, sorted(used - exported)
    newest = next(
        sample.value
        for family in text_string_to_metric_families(scrape.text)
        for sample in family.samples
        if sample.name == "pika_backup_last_success_timestamp_seconds"
    )
    assert newest == taken_at.timestamp()
