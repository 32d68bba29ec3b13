"""The alert rules are valid Prometheus rules, and each one has unit tests that pass.

``promtool`` comes with Debian's ``prometheus`` package (scripts/setup.sh installs it). A
machine without it fails here, saying so: the rules are only trusted when their tests run.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

PROMETHEUS = Path(__file__).parents[2] / "deploy" / "prometheus"
RULES = PROMETHEUS / "alerts.yml"
RULE_TESTS = PROMETHEUS / "alerts_test.yml"


def promtool() -> str:
    found = shutil.which("promtool")
    if found is None:
        pytest.fail(
            "promtool is not installed: it comes with Debian's 'prometheus' package "
            "(scripts/setup.sh installs it when run as root: apt-get install prometheus)",
            pytrace=False,
        )
    return found


def run_promtool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [promtool(), *args], capture_output=True, text=True, timeout=120, cwd=PROMETHEUS
    )


def alert_names() -> list[str]:
    groups = yaml.safe_load(RULES.read_text(encoding="utf-8"))["groups"]
    return [rule["alert"] for group in groups for rule in group["rules"] if "alert" in rule]


def alert_cases() -> list[dict[str, Any]]:
    tests = yaml.safe_load(RULE_TESTS.read_text(encoding="utf-8"))["tests"]
    return [case for test in tests for case in test.get("alert_rule_test", [])]


def test_the_rules_pass_promtool_check() -> None:
    checked = run_promtool("check", "rules", RULES.name)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert f"SUCCESS: {len(alert_names())} rules found" in checked.stdout


def test_every_rule_is_tested_firing_and_quiet() -> None:
    """Each alert has a case where it fires and one where it must not."""
    cases = alert_cases()
    for name in alert_names():
        mine = [case for case in cases if case["alertname"] == name]
        assert any(case.get("exp_alerts") for case in mine), f"{name}: no case where it fires"
        assert any(not case.get("exp_alerts") for case in mine), f"{name}: no quiet case"


def test_the_rules_unit_tests_pass() -> None:
    tested = run_promtool("test", "rules", RULE_TESTS.name)
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "SUCCESS" in tested.stdout


def test_a_wrong_threshold_fails_the_unit_tests(tmp_path: Path) -> None:
    """The unit tests can fail: the same tests against rules with the error threshold moved
    from 5 % to 15 % report the missing alert."""
    moved = RULES.read_text(encoding="utf-8").replace("> 0.05", "> 0.15")
    assert moved != RULES.read_text(encoding="utf-8")
    (tmp_path / "alerts.yml").write_text(moved, encoding="utf-8")
    tests = yaml.safe_load(RULE_TESTS.read_text(encoding="utf-8"))
    tests["tests"] = [  # the error rate's own cases: quicker than all of them
        test
        for test in tests["tests"]
        if {c["alertname"] for c in test["alert_rule_test"]} == {"PikaHighErrorRate"}
    ]
    assert len(tests["tests"]) == 2
    (tmp_path / "alerts_test.yml").write_text(yaml.safe_dump(tests), encoding="utf-8")
    tested = subprocess.run(
        [promtool(), "test", "rules", "alerts_test.yml"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert tested.returncode != 0
    assert "PikaHighErrorRate" in tested.stdout + tested.stderr
