"""The database key lives in the OS keyring, never in clear text, never silently replaced."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null
from keyring.errors import KeyringLocked
from keyrings.alt.file import PlaintextKeyring

from app.core.store import (
    DatabaseKeyMissingError,
    KeyringUnavailableError,
    KioskStore,
    PlaintextKeyringRefusedError,
    StoreError,
    StoreFileMissingError,
)
from app.core.store import database_key as database_key_module
from app.core.store.database_key import (
    SERVICE,
    entry_name,
    forget_database_key,
    load_database_key,
    open_kiosk_store,
)
from tests.support.memory_keyring import MemoryKeyring


@pytest.fixture
def use_keyring() -> Iterator[object]:
    """Set a keyring backend for one test and put the previous one back afterwards."""
    previous = keyring.get_keyring()

    def use(backend: KeyringBackend) -> KeyringBackend:
        keyring.set_keyring(backend)
        return backend

    yield use
    keyring.set_keyring(previous)


@pytest.fixture
def memory(use_keyring) -> MemoryKeyring:
    return use_keyring(MemoryKeyring())


def test_first_start_makes_a_key_and_later_starts_reuse_it(
    memory: MemoryKeyring, store_path: Path
) -> None:
    opened = open_kiosk_store(store_path)
    assert not opened.throwaway
    opened.store.settings.set("device_id", "dev-1")
    opened.store.close()
    stored = memory.get_password(SERVICE, entry_name(store_path))
    assert stored is not None and len(stored) == 44  # base64 of 32 bytes

    again = open_kiosk_store(store_path)
    assert again.store.settings.get("device_id") == "dev-1"
    again.store.close()
    assert memory.get_password(SERVICE, entry_name(store_path)) == stored


def test_each_store_file_has_its_own_key(memory: MemoryKeyring, tmp_path: Path) -> None:
    a = load_database_key(tmp_path / "a.db")
    b = load_database_key(tmp_path / "b.db")
    assert a.key != b.key and len(a.key) == len(b.key) == 32


@pytest.mark.parametrize(
    "backend",
    [fail.Keyring(), null.Keyring()],
    ids=["fail", "null"],
)
def test_no_keyring_is_a_typed_error_that_says_how_to_fix_it(
    use_keyring, backend: KeyringBackend, store_path: Path
) -> None:
    use_keyring(backend)
    with pytest.raises(KeyringUnavailableError) as raised:
        open_kiosk_store(store_path)
    message = str(raised.value)
    assert "gnome-keyring" in message and "KWallet" in message
    assert "Credential Manager" in message and "Keychain" in message
    assert not store_path.exists()


def test_chainer_with_nothing_to_chain_is_no_keyring(
    use_keyring, monkeypatch: pytest.MonkeyPatch, store_path: Path
) -> None:
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [])
    use_keyring(chainer.ChainerBackend())
    with pytest.raises(KeyringUnavailableError):
        load_database_key(store_path)


def test_demo_mode_without_keyring_gets_a_throwaway_key(use_keyring, store_path: Path) -> None:
    use_keyring(fail.Keyring())
    opened = open_kiosk_store(store_path, demo=True)
    assert opened.throwaway
    opened.store.close()
    # The throwaway key is gone with the process: the old demo file cannot be reopened.
    with pytest.raises(DatabaseKeyMissingError):
        open_kiosk_store(store_path, demo=True)


def test_plaintext_keyring_is_refused_in_every_mode(
    use_keyring, tmp_path: Path, store_path: Path
) -> None:
    plaintext = PlaintextKeyring()
    plaintext.file_path = str(tmp_path / "keyring_pass.cfg")  # never the user's real file
    use_keyring(plaintext)
    with pytest.raises(PlaintextKeyringRefusedError, match="clear-text"):
        open_kiosk_store(store_path)
    assert not Path(plaintext.file_path).exists()
    demo = open_kiosk_store(store_path, demo=True)
    assert demo.throwaway  # never the plaintext file, even for a demo
    demo.store.close()
    assert not Path(plaintext.file_path).exists()


def test_plaintext_keyring_inside_a_chain_is_refused(
    use_keyring, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, store_path: Path
) -> None:
    plaintext = PlaintextKeyring()
    plaintext.file_path = str(tmp_path / "keyring_pass.cfg")
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [MemoryKeyring(), plaintext])
    use_keyring(chainer.ChainerBackend())
    with pytest.raises(PlaintextKeyringRefusedError):
        load_database_key(store_path)


def test_key_without_store_file_is_a_typed_error(memory: MemoryKeyring, store_path: Path) -> None:
    open_kiosk_store(store_path).store.close()
    store_path.rename(store_path.with_name("moved.db"))
    with pytest.raises(StoreFileMissingError):
        open_kiosk_store(store_path)
    assert not store_path.exists()  # no new store made in its place


def test_store_file_without_key_is_a_typed_error_and_the_file_is_untouched(
    memory: MemoryKeyring, store_path: Path
) -> None:
    open_kiosk_store(store_path).store.close()
    memory.delete_password(SERVICE, entry_name(store_path))
    before = store_path.read_bytes()
    with pytest.raises(DatabaseKeyMissingError):
        open_kiosk_store(store_path)
    assert store_path.read_bytes() == before
    assert memory.get_password(SERVICE, entry_name(store_path)) is None


def test_damaged_keyring_entry_is_refused(memory: MemoryKeyring, store_path: Path) -> None:
    open_kiosk_store(store_path).store.close()
    memory.set_password(SERVICE, entry_name(store_path), "not base64 at all!")
    with pytest.raises(StoreError, match="not a database key"):
        open_kiosk_store(store_path)


def test_reset_forgets_the_key_only_once_the_file_is_gone(
    memory: MemoryKeyring, store_path: Path
) -> None:
    open_kiosk_store(store_path).store.close()
    with pytest.raises(StoreError, match="move it away"):
        forget_database_key(store_path)
    store_path.unlink()
    forget_database_key(store_path)
    forget_database_key(store_path)  # nothing left to forget: fine
    opened = open_kiosk_store(store_path)  # a clean first start again
    opened.store.close()


def test_failed_first_creation_takes_the_new_key_back(
    memory: MemoryKeyring, store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_open(path: Path, key: bytes) -> KioskStore:
        raise StoreError("disk full")

    monkeypatch.setattr(database_key_module.KioskStore, "open", broken_open)
    with pytest.raises(StoreError, match="disk full"):
        open_kiosk_store(store_path)
    assert memory.get_password(SERVICE, entry_name(store_path)) is None


class LockedKeyring(KeyringBackend):
    """A keyring that exists but cannot be used right now (locked, no D-Bus session)."""

    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringLocked("the login keyring is locked")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringLocked("the login keyring is locked")

    def delete_password(self, service: str, username: str) -> None:
        raise KeyringLocked("the login keyring is locked")


def test_locked_keyring_is_unavailable_with_the_fix(use_keyring, store_path: Path) -> None:
    use_keyring(LockedKeyring())
    with pytest.raises(KeyringUnavailableError, match="locked") as raised:
        open_kiosk_store(store_path)
    assert "unlock" in str(raised.value)
    assert not store_path.exists()
    demo = open_kiosk_store(store_path, demo=True)
    assert demo.throwaway
    demo.store.close()
