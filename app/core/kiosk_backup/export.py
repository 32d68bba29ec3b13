"""Exporting the kiosk's store to a folder (a USB stick), sealed with the manager's passphrase.

Two steps, split at the thread boundary like enrolment:

1. :func:`take_snapshot` on the store thread: a consistent copy of the whole store under a
   one-time random key, in the store's own folder (encrypted from its first byte; SQLCipher's
   export, ``KioskStore.copy_to``). It takes a moment, so the counter barely waits.
2. :func:`write_export` on a background thread: the one-time key and the copy, sealed with the
   passphrase (:mod:`app.core.kiosk_backup.sealed_file`), written as a hidden ``.partial`` file
   that is fsynced and renamed to its final name only when whole. A process killed half way
   leaves only the ``.partial`` (and the format refuses a cut file anyway); the copy is deleted.

The file holds what the kiosk holds, including unsent items; it does not hold the device API
key (it stays in the keyring: a replacement PC enrols again) nor the store's own key.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from app.core.device import NotEnrolledError, read_identity
from app.core.kiosk_backup import sealed_file
from app.core.kiosk_backup.errors import ExportWriteError, WeakPassphraseError
from app.core.store import KioskStore
from app.core.store.connection import KEY_BYTES

SUFFIX = ".pikabackup"
MIN_PASSPHRASE = 10
SCRATCH_SUFFIX = ".export-copy"


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A copy of the store waiting to be sealed; ``key`` opens it (never written anywhere but
    inside the sealed file)."""

    path: Path
    key: bytes
    about: dict[str, Any]

    def discard(self) -> None:
        for leftover in (self.path, *sidecars(self.path)):
            leftover.unlink(missing_ok=True)


def sidecars(path: Path) -> tuple[Path, Path]:
    return path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")


def check_passphrase(passphrase: str) -> None:
    """The store leaves the building on a stick: a passphrase of at least 10 characters."""
    if len(passphrase.strip()) < MIN_PASSPHRASE:
        raise WeakPassphraseError(f"a passphrase needs at least {MIN_PASSPHRASE} characters")


def take_snapshot(store: KioskStore, *, now: datetime | None = None) -> Snapshot:
    """Step 1, on the store thread. Earlier copies of a run that died are removed first."""
    now = now or datetime.now(UTC)
    for leftover in store.path.parent.glob(f"*{SCRATCH_SUFFIX}*"):
        leftover.unlink(missing_ok=True)
    try:
        identity = read_identity(store)
        who: dict[str, Any] = {
            "device_id": identity.device_id,
            "device_name": identity.device_name,
            "business_id": identity.business_id,
            "business_name": identity.business_name,
        }
    except NotEnrolledError:
        who = {"device_id": None, "device_name": "", "business_id": None, "business_name": ""}
    counts = store.activity_counts()
    path = store.path.with_name(f"{store.path.name}.{secrets.token_hex(4)}{SCRATCH_SUFFIX}")
    key = secrets.token_bytes(KEY_BYTES)
    store.copy_to(path, key)
    about = {**who, **counts, "made_at": now.astimezone(UTC).isoformat()}
    return Snapshot(path, key, about)


def export_name(about: dict[str, Any], now: datetime) -> str:
    device = "".join(ch for ch in str(about.get("device_id") or "kiosk") if ch.isalnum())[:12]
    return f"pika-kiosk-{device}-{now.astimezone(UTC):%Y%m%dT%H%M%SZ}{SUFFIX}"


class _KeyThenFile:
    """Reads the one-time key, then the copy's bytes: the sealed plaintext."""

    def __init__(self, key: bytes, f: BinaryIO) -> None:
        self._head = key
        self._file = f

    def read(self, n: int) -> bytes:
        head, self._head = self._head[:n], self._head[n:]
        return head + self._file.read(n - len(head)) if len(head) < n else head


def write_export(
    snapshot: Snapshot,
    folder: Path,
    passphrase: str,
    *,
    now: datetime | None = None,
    progress: sealed_file.Progress = lambda _d, _t: None,
    chunk_size: int = sealed_file.CHUNK_SIZE,
) -> Path:
    """Step 2, on any thread but the store's; the export's path. The copy is deleted whatever
    happens."""
    now = now or datetime.now(UTC)
    try:
        check_passphrase(passphrase)
        final = Path(folder) / export_name(snapshot.about, now)
        partial = final.with_name(f".{final.name}.partial")
        try:
            size = snapshot.path.stat().st_size
            with snapshot.path.open("rb") as copy, partial.open("wb") as out:
                sealed_file.seal(
                    _KeyThenFile(snapshot.key, copy),
                    KEY_BYTES + size,
                    out,
                    passphrase,
                    snapshot.about,
                    chunk_size=chunk_size,
                    progress=progress,
                )
                out.flush()
                os.fsync(out.fileno())
            os.replace(partial, final)
            _fsync_directory(final.parent)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise ExportWriteError(f"the export could not be written to {folder}: {exc}") from exc
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        return final
    finally:
        snapshot.discard()


def _fsync_directory(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
