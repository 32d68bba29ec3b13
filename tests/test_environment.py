"""tests/conftest.py: a plain ``pytest`` never touches the OS keyring, draws Qt offscreen, and
never skips the backend tests silently; tests/support/ci.py: what counts as CI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import keyring
import pytest

from tests.support.ci import running_in_ci
from tests.support.memory_keyring import MemoryKeyring

ROOT = Path(__file__).resolve().parents[1]
PROBE = "tests/support/environment_probe.py"


def plain_pytest(tmp_path: Path, **env: str) -> str:
    """Run the probes in a child ``pytest`` without scripts/test's environment, with a real
    file keyring asked for and HOME moved into ``tmp_path``; return its report."""
    child_env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"CI", "QT_QPA_PLATFORM"} and not name.startswith("PIKA_TEST_")
    }
    child_env.update(
        PYTHON_KEYRING_BACKEND="keyrings.alt.file.PlaintextKeyring",
        HOME=str(tmp_path),
        XDG_DATA_HOME=str(tmp_path / "data"),
        **env,
    )
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-rA", "-p", "no:cacheprovider", PROBE],
        cwd=ROOT,
        env=child_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.stdout + done.stderr


def test_plain_pytest_uses_the_memory_keyring_and_offscreen_qt_and_skips_only_when_told(
    tmp_path: Path,
) -> None:
    report = plain_pytest(tmp_path, PIKA_TEST_NO_SERVICES="1")
    assert "PASSED tests/support/environment_probe.py::test_keyring_and_qt" in report, report
    assert "PIKA_TEST_NO_SERVICES is set" in report, report
    assert "1 passed, 1 skipped" in report, report
    written = [path for path in tmp_path.rglob("*") if path.is_file()]
    assert written == [], f"the probe's password reached a file keyring: {written}"


def test_in_ci_the_opt_out_is_refused(tmp_path: Path) -> None:
    report = plain_pytest(tmp_path, PIKA_TEST_NO_SERVICES="1", CI="Yes")
    assert "CI requires the backend and end-to-end tests" in report, report
    assert "1 passed, 1 error" in report, report


def test_a_named_server_that_does_not_answer_fails_instead_of_skipping(tmp_path: Path) -> None:
    report = plain_pytest(
        tmp_path, PIKA_TEST_POSTGRES="postgresql+psycopg://postgres@127.0.0.1:1/x"
    )
    assert (
        "PIKA_TEST_POSTGRES=postgresql+psycopg://postgres@127.0.0.1:1/x does not answer" in report
    )
    assert "1 passed, 1 error" in report, report


def test_this_process_has_the_memory_keyring() -> None:
    assert isinstance(keyring.get_keyring(), MemoryKeyring)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", True),
        ("true", True),
        ("TRUE", True),
        ("Yes", True),
        ("", False),
        ("0", False),
        ("false", False),
        ("no", False),
    ],
)
def test_any_truthy_ci_counts(monkeypatch: pytest.MonkeyPatch, value: str, expected: bool) -> None:
    monkeypatch.setenv("CI", value)
    assert running_in_ci() is expected
