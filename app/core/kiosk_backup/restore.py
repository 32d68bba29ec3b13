"""Restoring a kiosk export on a replacement PC, after that PC was enrolled again.

Why after enrolling: the export holds no API key (a copied file must never carry a working
key), so the new PC gets its own device id and key from head office first. The restore then
brings back everything the old kiosk held, under the new identity:

* :func:`describe` reads the header (no passphrase): whose export, when, how many unsent items,
  for the manager to confirm.
* :func:`check_can_restore` (store thread) refuses a kiosk that is not enrolled, or that has
  already scanned or queued anything: a restore replaces the store, and must not lose or mix
  work done here.
* :func:`unseal` (background thread) checks the passphrase and writes the old store, still
  encrypted under its one-time key, to a scratch file beside the store; used only when every
  part of the file authenticated (a damaged or cut file is refused, the scratch deleted).
* :func:`adopt` (store thread) opens the old store (proving every page, migrating an older
  schema), gives it this PC's identity and server settings, names this device in every unsent
  item (the backend takes items only from the device they name; each item keeps its id, so one
  the old PC managed to send is answered as a duplicate, never counted twice), starts the pull
  feed from the beginning, notes the restore in the event log, copies it under this PC's
  store key and swaps it in for the (blank) store, which it closes. Reopen the store after.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.core.device import DeviceIdentity, NotEnrolledError, read_identity, write_identity
from app.core.kiosk_backup import sealed_file
from app.core.kiosk_backup.errors import DamagedExportError, RestoreRefusedError
from app.core.kiosk_backup.export import sidecars
from app.core.store import KioskStore, SchemaTooNewError, StoreError
from app.core.store.connection import KEY_BYTES
from app.core.sync.enrolment import KEY_ROTATE_AFTER_SETTING, SERVER_URL_SETTING
from app.core.sync.pull import CURSOR_SETTING

SCRATCH_SUFFIX = ".restore-copy"
PLACED_SUFFIX = ".restored"
#: What the new PC keeps of its own: who it is and where head office is.
KEPT_SETTINGS = (SERVER_URL_SETTING, KEY_ROTATE_AFTER_SETTING)


@dataclass(frozen=True, slots=True)
class Unsealed:
    path: Path
    key: bytes
    about: dict[str, Any]

    def discard(self) -> None:
        for leftover in (self.path, *sidecars(self.path)):
            leftover.unlink(missing_ok=True)


@dataclass(frozen=True, slots=True)
class RestoreReport:
    previous_device_id: str | None
    device_id: str
    unsent: int
    made_at: str


def describe(path: Path) -> dict[str, Any]:
    """What the export says about itself (device, business, when, counts)."""
    with Path(path).open("rb") as f:
        return sealed_file.read_header(f).about


def check_can_restore(store: KioskStore) -> DeviceIdentity:
    """This kiosk's identity, if a restore may replace its store."""
    try:
        identity = read_identity(store)
    except NotEnrolledError:
        raise RestoreRefusedError(
            "enrol this kiosk with head office first, then restore the export"
        ) from None
    counts = store.activity_counts()
    if any(counts.values()):
        raise RestoreRefusedError(
            "this kiosk already has scans or items of its own "
            f"({counts}); restore only onto a kiosk that has just been enrolled"
        )
    return identity


def unseal(
    export: Path,
    passphrase: str,
    store_path: Path,
    *,
    progress: sealed_file.Progress = lambda _d, _t: None,
) -> Unsealed:
    """The old store in a scratch file beside ``store_path``; any thread but the store's."""
    for leftover in store_path.parent.glob(f"*{SCRATCH_SUFFIX}*"):
        leftover.unlink(missing_ok=True)
    scratch = store_path.with_name(store_path.name + SCRATCH_SUFFIX)
    key = b""
    try:
        with Path(export).open("rb") as source, scratch.open("wb") as out:
            head = _KeySplitter(out)
            header = sealed_file.unseal(source, passphrase, head, progress=progress)
            key = head.key
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        scratch.unlink(missing_ok=True)
        raise
    if len(key) != KEY_BYTES:
        scratch.unlink(missing_ok=True)
        raise DamagedExportError("the export holds no store")
    return Unsealed(scratch, key, header.about)


class _KeySplitter:
    """Takes the first 32 plaintext bytes as the one-time key, passes the rest to the file."""

    def __init__(self, out: Any) -> None:
        self._out = out
        self.key = b""

    def write(self, data: bytes) -> None:
        missing = KEY_BYTES - len(self.key)
        if missing > 0:
            self.key += data[:missing]
            data = data[missing:]
        if data:
            self._out.write(data)


def adopt(
    store: KioskStore, unsealed: Unsealed, store_key: bytes, *, now: datetime | None = None
) -> RestoreReport:
    """Swap the unsealed store in for ``store`` (closed on return); see the module docstring."""
    now = now or datetime.now(UTC)
    try:
        identity = check_can_restore(store)
        business = unsealed.about.get("business_id")
        if business is not None and business != identity.business_id:
            raise RestoreRefusedError(
                f"the export is of business {business}; this kiosk is enrolled for "
                f"{identity.business_id}"
            )
        kept = {name: store.settings.get(name) for name in KEPT_SETTINGS}
        placed = store.path.with_name(store.path.name + PLACED_SUFFIX)
        for leftover in (placed, *sidecars(placed)):
            leftover.unlink(missing_ok=True)
        report = _rewrite(unsealed, identity, kept, store_key, placed, now)
    finally:
        unsealed.discard()
    store.close()
    wal, _shm = sidecars(store.path)
    if wal.exists() and wal.stat().st_size:
        placed.unlink(missing_ok=True)
        raise StoreError(f"the kiosk store {store.path} did not close cleanly; nothing changed")
    for leftover in sidecars(store.path):
        leftover.unlink(missing_ok=True)
    os.replace(placed, store.path)
    if os.name == "posix":
        fd = os.open(store.path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    return report


def _rewrite(
    unsealed: Unsealed,
    identity: DeviceIdentity,
    kept: dict[str, str | None],
    store_key: bytes,
    placed: Path,
    now: datetime,
) -> RestoreReport:
    try:
        old = KioskStore.open(unsealed.path, unsealed.key)
    except SchemaTooNewError as exc:
        raise RestoreRefusedError(
            "the export was made by a newer kiosk version; update this kiosk first"
        ) from exc
    except StoreError as exc:
        raise DamagedExportError(f"the store inside the export does not open: {exc}") from exc
    try:
        try:
            previous: str | None = read_identity(old).device_id
        except NotEnrolledError:
            previous = None
        write_identity(old, identity)
        for name, value in kept.items():
            if value is not None:
                old.settings.set(name, value)
        old.settings.set(CURSOR_SETTING, "")  # this device pulls the whole feed once
        unsent = old.reassign_unsent(identity.device_id)
        old.activity.record_event(
            "store.restored",
            {
                "previous_device_id": previous,
                "device_id": identity.device_id,
                "unsent_items": unsent,
                "export_made_at": unsealed.about.get("made_at"),
            },
            at=now,
        )
        old.copy_to(placed, store_key)
    finally:
        old.close()
    return RestoreReport(previous, identity.device_id, unsent, str(unsealed.about.get("made_at")))
