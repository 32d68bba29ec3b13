"""The settings room (``store.settings``): the kiosk's own key/value settings.

Settings are what the kiosk knows about itself and writes itself: its device identity
(:class:`SettingKey`), the sync cursor and key-rotation date, the manager PIN's hash, the
kiosk's preferences (:mod:`app.core.kiosk_settings`). They are not reference data: head office
never sends a setting, so they are a room of their own rather than part of
``store.reference`` (which holds what sync delivers: signing keys, offers, vouchers,
revocations). They are few and read on every scan (the device name goes into each
redemption), so all of them are kept in memory, loaded once when the store opens and updated
only after a write commits.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.core.store import schema
from app.core.store.database import Database
from app.core.store.errors import InvalidRecordError


class SettingKey:
    """Names of the settings the kiosk itself relies on (any other key may be stored too)."""

    DEVICE_ID = "device_id"
    DEVICE_NAME = "device_name"
    BUSINESS_ID = "business_id"


class Settings:
    """Text settings by key, read from memory, written through to the store."""

    def __init__(self, db: Database) -> None:
        self._db = db
        with db.transaction() as conn:
            rows = conn.execute(select(schema.settings.c.key, schema.settings.c.value))
            self._values: dict[str, str] = {key: value for key, value in rows}

    def get(self, key: str) -> str | None:
        with self._db.lock:
            return self._values.get(key)

    def set(self, key: str, value: str) -> None:
        if not isinstance(key, str) or not key or not isinstance(value, str):
            raise InvalidRecordError("a setting needs a non-empty text key and a text value")
        stmt = sqlite_insert(schema.settings).values(key=key, value=value)
        stmt = stmt.on_conflict_do_update(index_elements=["key"], set_={"value": value})
        with self._db.lock:
            with self._db.transaction() as conn:
                conn.execute(stmt)
            self._values[key] = value  # only once committed
