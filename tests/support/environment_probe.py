"""Probes that tests/test_environment.py runs in a plain ``pytest`` child process.

Not collected on their own (the name does not start with ``test_``): they only mean something
in a child started without scripts/test's environment.
"""

from __future__ import annotations

import os

import keyring

from tests.support.memory_keyring import MemoryKeyring


def test_keyring_and_qt_platform_are_set_by_the_conftest() -> None:
    assert os.environ["QT_QPA_PLATFORM"] == "offscreen"
    assert os.environ["PYTHON_KEYRING_BACKEND"] == "tests.support.memory_keyring.MemoryKeyring"
    assert isinstance(keyring.get_keyring(), MemoryKeyring)
    keyring.set_password("pika-environment-probe", "probe", "secret")  # must stay in memory


def test_postgres_is_there(postgres_server: str) -> None:
    assert postgres_server
