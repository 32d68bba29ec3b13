"""The settings room: the kiosk's own settings, kept in memory, written through."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.store import InvalidRecordError, KioskStore, StoreClosedError


def test_settings_persist_across_reopen(store_path: Path, key: bytes, store: KioskStore) -> None:
    store.settings.set("device_name", "Caja 2")
    store.settings.set("device_name", "Caja 3")
    assert store.settings.get("device_name") == "Caja 3"
    assert store.settings.get("missing") is None
    with pytest.raises(InvalidRecordError):
        store.settings.set("", "x")
    store.close()
    with KioskStore.open(store_path, key) as again:
        assert again.settings.get("device_name") == "Caja 3"


def test_a_setting_is_kept_only_once_its_write_committed(store: KioskStore) -> None:
    store.settings.set("device_name", "Caja 1")
    store.close()
    with pytest.raises(StoreClosedError):  # nothing is written, so nothing is remembered
        store.settings.set("device_name", "Caja 9")
    assert store.settings.get("device_name") == "Caja 1"
