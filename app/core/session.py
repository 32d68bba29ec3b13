"""Opening the kiosk: database key, encrypted store, and who this device is.

Runs on the store thread (see ``app.ui.operations``): the store's connection belongs to the
thread that opened it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.core import demo as demo_data
from app.core.device import DeviceIdentity, read_identity
from app.core.kiosk_settings import KioskSettings, LoadedSettings
from app.core.store import KioskStore
from app.core.store.database_key import open_kiosk_store

STORE_FILE = "kiosk.db"


@dataclass(frozen=True, slots=True)
class KioskSession:
    store: KioskStore
    device: DeviceIdentity
    throwaway_key: bool
    demo: demo_data.DemoCatalogue | None
    settings: LoadedSettings


def open_session(data_dir: Path, *, demo: bool) -> KioskSession:
    """Open (or in demo mode create) the store and read the device identity.

    Raises a :class:`StoreError` subclass with a message for the user when the keyring is
    missing (normal mode), the key is wrong or the file is damaged; never recreates a store.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / STORE_FILE
    opened = open_kiosk_store(path, demo=demo)
    store = opened.store
    try:
        catalogue = None
        if demo:
            catalogue = demo_data.make_catalogue()
            demo_data.install(store, catalogue)
        identity = read_identity(store)
        # No sale-total prompt is open at start: a redemption held when the kiosk stopped
        # (killed while the cashier could type its total) goes now, without one.
        store.outbox.release_held()
        return KioskSession(store, identity, opened.throwaway, catalogue, KioskSettings.load(store))
    except BaseException:
        store.close()
        raise
