"""The device API key, kept in the OS keyring and nowhere else.

Never in the store (a copied database must not carry a working key) and never in a clear-text
file: the same keyring rules as the store's own key apply (``usable_keyring`` refuses the
plaintext backend). One entry per store file, beside the store key, so test stores and a real
kiosk on one machine never share a key.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from keyring.errors import KeyringError, PasswordDeleteError

from app.core.store import KeyringUnavailableError
from app.core.store.database_key import SERVICE, usable_keyring
from app.core.sync.errors import CredentialStoreError


def entry_name(store_path: Path) -> str:
    return f"device-api-key:{Path(store_path).absolute()}"


def load_api_key(store_path: Path) -> str | None:
    """The device API key of the kiosk whose store is at ``store_path``, if enrolled."""
    try:
        return usable_keyring().get_password(SERVICE, entry_name(store_path))
    except (KeyringError, KeyringUnavailableError) as exc:
        raise CredentialStoreError(f"the device API key could not be read: {exc}") from exc


def save_api_key(store_path: Path, api_key: str) -> None:
    """Keep ``api_key``, replacing the previous one (enrolment, rotation); read back to check."""
    if not api_key:
        raise CredentialStoreError("refusing to keep an empty device API key")
    entry = entry_name(store_path)
    try:
        backend = usable_keyring()
        backend.set_password(SERVICE, entry, api_key)
        kept = backend.get_password(SERVICE, entry)
    except (KeyringError, KeyringUnavailableError) as exc:
        raise CredentialStoreError(f"the keyring refused the device API key: {exc}") from exc
    if kept != api_key:
        raise CredentialStoreError("the keyring did not keep the device API key it was given")


def forget_api_key(store_path: Path) -> None:
    """Delete the key (wipe after revocation). Nothing to delete is fine."""
    try:
        with contextlib.suppress(PasswordDeleteError):
            usable_keyring().delete_password(SERVICE, entry_name(store_path))
    except (KeyringError, KeyringUnavailableError) as exc:
        raise CredentialStoreError(f"the device API key could not be deleted: {exc}") from exc
