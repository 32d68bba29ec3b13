"""The demo's data folder is gone when the demo ends, and abandoned ones at the next start."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest

from app.core.demo_folder import OWNER_FILE, PREFIX, demo_data_dir, remove_abandoned
from app.core.session import STORE_FILE
from app.core.store.database_key import SERVICE, entry_name
from tests.support.memory_keyring import MemoryKeyring


@pytest.fixture
def memory() -> Iterator[MemoryKeyring]:
    before = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(before)


def test_the_folder_is_removed_when_the_demo_ends(tmp_path: Path) -> None:
    with demo_data_dir(tmp_path) as folder:
        assert folder.parent == tmp_path and folder.name.startswith(PREFIX)
        (folder / STORE_FILE).write_bytes(b"encrypted")
        assert (folder / OWNER_FILE).read_text().strip() == str(os.getpid())
    assert list(tmp_path.iterdir()) == []


def test_the_folder_is_removed_when_the_demo_fails(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), demo_data_dir(tmp_path):
        raise RuntimeError("the kiosk crashed in Python")
    assert list(tmp_path.iterdir()) == []


def test_the_key_a_keyring_kept_for_the_demo_store_goes_too(tmp_path: Path, memory) -> None:
    with demo_data_dir(tmp_path) as folder:
        memory.set_password(SERVICE, entry_name(folder / STORE_FILE), "a-key")
    assert memory._secrets == {}


@pytest.mark.skipif(os.name != "posix", reason="process ids are asked on POSIX only")
def test_folders_of_demos_that_died_are_removed_at_the_next_start(tmp_path: Path, memory) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        text=True,
        capture_output=True,
        check=True,
    )
    abandoned = tmp_path / f"{PREFIX}killed"
    running = tmp_path / f"{PREFIX}running"
    foreign = tmp_path / f"{PREFIX}not-ours"
    for folder in (abandoned, running, foreign):
        folder.mkdir()
    (abandoned / OWNER_FILE).write_text(dead.stdout)
    (running / OWNER_FILE).write_text(str(os.getppid()))  # a live process
    memory.set_password(SERVICE, entry_name(abandoned / STORE_FILE), "a-key")
    with demo_data_dir(tmp_path) as fresh:
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
            [running.name, foreign.name, fresh.name]
        )
    assert memory._secrets == {}
    assert remove_abandoned(tmp_path) == []
