"""The store's database key: 32 random bytes made at first start, kept in the OS keyring.

Only the key goes to the keyring (Windows Credential Manager caps a secret at about 2.5 KB),
under service ``pika-counter`` and one entry per store file, so a kiosk and a test store on
the same machine never share a key.

The rules, each a typed error rather than a guess:

* no usable keyring (the ``fail`` or ``null`` backend, or a chainer with nothing to chain)
  -> :class:`KeyringUnavailableError` saying how to get one, unless in demo mode, which gets a
  throwaway key held only in memory (``throwaway=True``, so the UI can say nothing is kept);
* a keyring that writes secrets to disk in clear text (``keyrings.alt`` ``PlaintextKeyring``)
  -> :class:`PlaintextKeyringRefusedError`, in every mode: a key next to the database in clear
  text is no encryption at all;
* a key but no store file -> :class:`StoreFileMissingError`; a store file but no key ->
  :class:`DatabaseKeyMissingError`. A new store is never made over an existing file, and an
  existing key is never replaced.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import secrets
from dataclasses import dataclass, field
from pathlib import Path

import keyring
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null
from keyring.errors import KeyringError, PasswordDeleteError

from app.core.store.connection import KEY_BYTES
from app.core.store.errors import (
    DatabaseKeyMissingError,
    KeyringProblem,
    KeyringUnavailableError,
    PlaintextKeyringRefusedError,
    StoreError,
    StoreFileMissingError,
)
from app.core.store.kiosk_store import KioskStore

SERVICE = "pika-counter"


@dataclass(frozen=True, slots=True)
class DatabaseKey:
    key: bytes = field(repr=False)
    #: Held only in memory (demo mode without a keyring): the store dies with the process.
    throwaway: bool = False
    #: Made by this call (first start): the store file must not exist yet.
    created: bool = False


@dataclass(frozen=True, slots=True)
class OpenedStore:
    store: KioskStore
    throwaway: bool


def entry_name(store_path: Path) -> str:
    """The keyring entry of one store file (its absolute path)."""
    return f"store-key:{Path(store_path).absolute()}"


def _is_plaintext(backend: KeyringBackend) -> bool:
    """keyrings.alt's PlaintextKeyring, or anything else that calls itself plaintext."""
    try:
        from keyrings.alt.file import PlaintextKeyring
    except ImportError:  # not installed: only the name check remains
        pass
    else:
        if isinstance(backend, PlaintextKeyring):
            return True
    return any("plaintext" in cls.__name__.lower() for cls in type(backend).__mro__)


def usable_keyring() -> KeyringBackend:
    """The OS keyring to keep the key in, or a typed error saying why there is none."""
    backend = keyring.get_keyring()
    members = list(backend.backends) if isinstance(backend, chainer.ChainerBackend) else [backend]
    plaintext = [b for b in members if _is_plaintext(b)]
    if plaintext:
        name = f"{type(plaintext[0]).__module__}.{type(plaintext[0]).__name__}"
        raise PlaintextKeyringRefusedError(
            f"The keyring backend {name} stores secrets in a clear-text file, so it is refused "
            "(uninstall keyrings.alt, or set PYTHON_KEYRING_BACKEND to a real keyring).",
            KeyringProblem.PLAINTEXT,
            name,
        )
    real = [b for b in members if not isinstance(b, (fail.Keyring, null.Keyring))]
    if not real:
        raise KeyringUnavailableError(
            "No usable keyring was found on this computer.", KeyringProblem.NONE
        )
    return backend


def load_database_key(store_path: Path, *, demo: bool = False) -> DatabaseKey:
    """The key of the store at ``store_path``, made and kept on first start.

    Never returns a fresh key for a store file that already exists.
    """
    store_path = Path(store_path)
    exists = store_path.exists()
    backend: KeyringBackend | None
    try:
        backend = usable_keyring()
    except KeyringUnavailableError:  # includes the refused plaintext keyring
        if not demo:
            raise
        backend = None
    if backend is None:
        if exists:
            # A throwaway key cannot open what an earlier throwaway key made.
            raise DatabaseKeyMissingError(store_path)
        return DatabaseKey(secrets.token_bytes(KEY_BYTES), throwaway=True, created=True)

    entry = entry_name(store_path)
    try:
        stored = backend.get_password(SERVICE, entry)
    except KeyringError as exc:  # e.g. locked, or no D-Bus session for the Secret Service
        if demo and not exists:
            return DatabaseKey(secrets.token_bytes(KEY_BYTES), throwaway=True, created=True)
        raise KeyringUnavailableError(
            f"The keyring could not be read ({exc}).", KeyringProblem.UNREADABLE, str(exc)
        ) from exc
    if stored is None:
        if exists:
            raise DatabaseKeyMissingError(store_path)
        key = secrets.token_bytes(KEY_BYTES)
        encoded = base64.b64encode(key).decode("ascii")
        try:
            backend.set_password(SERVICE, entry, encoded)
            kept = backend.get_password(SERVICE, entry)
        except KeyringError as exc:
            raise KeyringUnavailableError(
                f"The keyring refused the key ({exc}).", KeyringProblem.REFUSED, str(exc)
            ) from exc
        if kept != encoded:
            raise KeyringUnavailableError(
                "The keyring did not keep the key it was given.", KeyringProblem.NOT_KEPT
            )
        return DatabaseKey(key, created=True)
    if not exists:
        raise StoreFileMissingError(store_path)
    return DatabaseKey(_decode(stored, store_path))


def _decode(stored: str, store_path: Path) -> bytes:
    try:
        key = base64.b64decode(stored, validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != KEY_BYTES:
        raise StoreError(
            f"The keyring entry for the kiosk store {store_path} is not a database key "
            f"(service {SERVICE!r}, entry {entry_name(store_path)!r}); it was left untouched."
        )
    return key


def forget_database_key(store_path: Path) -> None:
    """Delete the keyring entry of a store whose file has been moved away (explicit reset).

    Refused while the file is still there: forgetting its key would make it unreadable.
    """
    store_path = Path(store_path)
    if store_path.exists():
        raise StoreError(
            f"The kiosk store {store_path} still exists; move it away before forgetting its key."
        )
    with contextlib.suppress(PasswordDeleteError):  # nothing to forget is fine
        usable_keyring().delete_password(SERVICE, entry_name(store_path))


def open_kiosk_store(store_path: Path, *, demo: bool = False) -> OpenedStore:
    """Load or make the key, then open or create the store: the kiosk's one way in.

    If the store cannot be created right after a new key was made, the key is taken back out
    of the keyring, so the next start is a clean first start rather than "key without file".
    """
    database_key = load_database_key(store_path, demo=demo)
    try:
        store = KioskStore.open(store_path, database_key.key)
    except BaseException:
        if database_key.created and not database_key.throwaway and not Path(store_path).exists():
            forget_database_key(store_path)
        raise
    return OpenedStore(store=store, throwaway=database_key.throwaway)
