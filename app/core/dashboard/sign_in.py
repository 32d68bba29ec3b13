"""Who the manager app signs in as: the server and manager id in a small settings file, the
key only in the OS keyring.

The key (a manager key from an invitation, or head office's admin token) follows the kiosk's
rules (``app.core.sync.credentials``): service ``pika-counter``, the plaintext keyring
refused, one entry per settings file so a test and a real install never share a key. The
settings file holds nothing secret: a copied file opens nothing. In the demo
(``pika-manager --demo``) a machine without a usable keyring keeps the key in memory only, as
the demo kiosk keeps its store key (``app.core.store.database_key``): it dies with the process.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from keyring.errors import KeyringError, PasswordDeleteError

from app.core.store import KeyringUnavailableError
from app.core.store.database_key import SERVICE, usable_keyring
from app.core.sync.errors import CredentialStoreError

SETTINGS_FILE = "manager.json"


def default_config_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "pika-manager"


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "pika-manager"


@dataclass(frozen=True)
class SignedIn:
    """What is remembered between starts (no secret): enough to show the kept figures offline."""

    server_url: str
    role: str  # "manager" | "head_office"
    manager_id: str | None = None
    business_id: int | None = None
    business_name: str | None = None


class _MemoryKey:
    """The demo's stand-in when there is no usable keyring: one key, held in this process."""

    def __init__(self) -> None:
        self.key: str | None = None

    def get_password(self, service: str, entry: str) -> str | None:
        return self.key

    def set_password(self, service: str, entry: str, key: str) -> None:
        self.key = key

    def delete_password(self, service: str, entry: str) -> None:
        self.key = None


class Credentials:
    """The settings file in ``config_dir`` and its key in the keyring."""

    def __init__(self, config_dir: Path, *, demo: bool = False) -> None:
        self.config_dir = Path(config_dir)
        self.settings_path = self.config_dir / SETTINGS_FILE
        self._memory = _MemoryKey() if demo else None
        #: True once the demo kept its key in memory (no usable keyring on this machine)
        self.throwaway = False

    def _entry(self) -> str:
        return f"manager-api-key:{self.settings_path.absolute()}"

    def _keyring(self) -> Any:
        try:
            return usable_keyring()
        except KeyringUnavailableError:  # the refused plaintext keyring too
            if self._memory is None:
                raise
            self.throwaway = True
            return self._memory

    def load(self) -> tuple[SignedIn, str] | None:
        """Who signed in and their key, or None (never signed in, or the key is gone)."""
        try:
            data = json.loads(self.settings_path.read_text(encoding="utf-8"))
            signed_in = SignedIn(**data)
        except (OSError, ValueError, TypeError):
            return None
        try:
            key = self._keyring().get_password(SERVICE, self._entry())
        except (KeyringError, KeyringUnavailableError) as exc:
            raise CredentialStoreError(f"the manager key could not be read: {exc}") from exc
        return (signed_in, key) if key else None

    def save(self, signed_in: SignedIn, key: str) -> None:
        """Keep the key (read back to check), then the settings that point to it."""
        self.save_key(key)
        self.config_dir.mkdir(parents=True, exist_ok=True)
        temporary = self.settings_path.with_suffix(".tmp")
        temporary.write_text(json.dumps(asdict(signed_in), indent=1), encoding="utf-8")
        temporary.replace(self.settings_path)

    def save_key(self, key: str) -> None:
        if not key:
            raise CredentialStoreError("refusing to keep an empty manager key")
        try:
            backend = self._keyring()
            backend.set_password(SERVICE, self._entry(), key)
            kept = backend.get_password(SERVICE, self._entry())
        except (KeyringError, KeyringUnavailableError) as exc:
            raise CredentialStoreError(f"the keyring refused the manager key: {exc}") from exc
        if kept != key:
            raise CredentialStoreError("the keyring did not keep the manager key it was given")

    def forget(self) -> None:
        """Sign out: the key leaves the keyring, the settings file goes."""
        try:
            with contextlib.suppress(PasswordDeleteError):
                self._keyring().delete_password(SERVICE, self._entry())
        except (KeyringError, KeyringUnavailableError) as exc:
            raise CredentialStoreError(f"the manager key could not be deleted: {exc}") from exc
        self.settings_path.unlink(missing_ok=True)
