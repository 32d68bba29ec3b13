"""``pika-kiosk --self-check`` says ok only where a normal start works: it opens its throwaway
store the way a normal start opens the real one, so a keyring a normal start refuses fails it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail, null

from app import selfcheck
from app.core.session import open_session
from app.core.store import KeyringUnavailableError
from tests.support.memory_keyring import MemoryKeyring

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def use_keyring() -> Iterator[object]:
    before = keyring.get_keyring()

    def use(backend: KeyringBackend) -> None:
        keyring.set_keyring(backend)

    yield use
    keyring.set_keyring(before)


@pytest.mark.slow
def test_the_program_says_not_ok_where_only_fail_and_null_keyrings_exist(tmp_path) -> None:
    env = {
        **os.environ,
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "QT_QPA_PLATFORM": "offscreen",
        "TMPDIR": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-m", "app.main", "--self-check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    report = json.loads(done.stdout)
    assert done.returncode == 1 and report["ok"] is False
    assert report["store_and_counter"]["ok"] is False
    assert "No usable keyring" in report["store_and_counter"]["detail"]
    for part in ("decoders", "qt", "keyring_backends"):
        assert report[part]["ok"] is True, report[part]
    assert list(tmp_path.iterdir()) == []  # its throwaway store is gone


@pytest.mark.parametrize("backend", [fail.Keyring(), null.Keyring()], ids=["fail", "null"])
def test_the_store_check_fails_exactly_as_a_normal_start(
    use_keyring, tmp_path, backend: KeyringBackend
) -> None:
    use_keyring(backend)
    with pytest.raises(KeyringUnavailableError) as start:
        open_session(tmp_path, demo=False)
    with pytest.raises(KeyringUnavailableError) as check:
        selfcheck._check_store_and_counter()
    assert str(check.value) == str(start.value)


def test_with_a_keyring_the_store_check_redeems_and_leaves_no_key_behind(use_keyring) -> None:
    memory = MemoryKeyring()
    use_keyring(memory)
    assert selfcheck._check_store_and_counter().startswith("valid")
    assert memory._secrets == {}
