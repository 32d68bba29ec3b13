"""The Qt face of sync: status reaches the GUI thread; a revoked kiosk is wiped and says so."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.core.device import DeviceIdentity, write_identity
from app.core.kiosk_settings import KioskSettings
from app.core.session import KioskSession
from app.core.store.database_key import open_kiosk_store
from app.core.sync import SERVER_URL_SETTING, Connection, SyncStatus
from app.core.sync.credentials import save_api_key
from app.ui.operations import Operations
from app.ui.sync_worker import SyncWorker
from tests.support.head_office import HeadOffice


@pytest.fixture
def ops() -> Iterator[Operations]:
    operations = Operations()
    yield operations
    operations.shutdown()


@pytest.fixture
def backend(tmp_path: Path, head_office_template: Path) -> Iterator[HeadOffice]:
    with HeadOffice.running(tmp_path, head_office_template) as office:
        yield office


def enrolled_session(tmp_path: Path, ops: Operations, backend: HeadOffice) -> KioskSession:
    path = tmp_path / "kiosk.db"
    store = ops.store_call(lambda: open_kiosk_store(path).store)
    device = DeviceIdentity(backend.device_id, "Caja 1", backend.business_id, "Chipería")

    def enrol() -> None:
        write_identity(store, device)
        store.settings.set(SERVER_URL_SETTING, "http://backend.test")
        save_api_key(store.path, backend.api_key)

    ops.store_call(enrol)
    settings = ops.store_call(lambda: KioskSettings.load(store))
    return KioskSession(store, device, throwaway_key=False, demo=None, settings=settings)


def test_status_reaches_the_gui_thread(
    qtbot: QtBot, tmp_path: Path, ops: Operations, backend: HeadOffice
) -> None:
    session = enrolled_session(tmp_path, ops, backend)
    worker = SyncWorker.for_session(session, ops, transport=backend.transport())
    seen: list[SyncStatus] = []
    worker.status_changed.connect(seen.append)
    worker.start()
    try:
        qtbot.waitUntil(lambda: any(s.online for s in seen), timeout=5000)
    finally:
        worker.stop()
        ops.store_call(session.store.close)
    assert seen[-1].last_sync_at is not None and seen[-1].pending == 0


def test_a_revoked_kiosk_is_wiped_and_says_why(
    qtbot: QtBot, tmp_path: Path, ops: Operations, backend: HeadOffice
) -> None:
    backend.revoke_device()
    session = enrolled_session(tmp_path, ops, backend)
    worker = SyncWorker.for_session(session, ops, transport=backend.transport())
    with qtbot.waitSignal(worker.revoked, timeout=5000) as revoked:
        worker.start()
    worker.stop()
    assert "revoked" in revoked.args[0] and "wiped" in revoked.args[0]
    assert session.store.closed and not (tmp_path / "kiosk.db").exists()
    assert worker.status().connection is Connection.REVOKED
