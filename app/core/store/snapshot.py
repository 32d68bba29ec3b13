"""A whole-store copy under another key, and the counts that say whether a store is blank.

The copy is SQLCipher's own ``sqlcipher_export`` into an attached new file: one statement on
the store's connection, under its lock, so it is a consistent picture (no scan lands half way)
and the copy is encrypted from its first byte: nothing readable is written on the way. The
kiosk's export (:mod:`app.core.kiosk_backup`) copies under a one-time key before sealing the
file with the manager's passphrase; its restore copies back under the new PC's keyring key.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select, update

from app.core.store import schema
from app.core.store.connection import KEY_BYTES
from app.core.store.database import Database
from app.core.store.errors import StoreIOError
from app.core.store.records import OutboxState

_ALIAS = "pika_copy"


def copy_to(db: Database, dest: Path, key: bytes) -> None:
    """Write the whole store to the new file ``dest``, encrypted with ``key``."""
    if len(key) != KEY_BYTES:
        raise ValueError(f"a store key is {KEY_BYTES} bytes")
    if dest.exists():
        raise StoreIOError(f"{dest} already exists; a copy is never written over a file")
    with db.exclusive() as raw:
        raw.execute(f"ATTACH DATABASE ? AS {_ALIAS} KEY ?", (str(dest), f"x'{key.hex()}'"))
        try:
            raw.execute(f"SELECT sqlcipher_export('{_ALIAS}')").fetchall()
        finally:
            raw.execute(f"DETACH DATABASE {_ALIAS}")


def activity_counts(db: Database) -> dict[str, int]:
    """How much this counter has done: scans, its own redemptions, unsent outbox items."""
    o, r = schema.outbox, schema.redemptions
    with db.transaction() as conn:
        scans = conn.execute(select(func.count()).select_from(schema.scans)).scalar_one()
        redemptions = conn.execute(
            select(func.count())
            .select_from(r)
            .where(r.c.origin == "local")  # not other kiosks' ones, learned from a pull
        ).scalar_one()
        unsent = conn.execute(
            select(func.count()).select_from(o).where(o.c.state == OutboxState.PENDING.value)
        ).scalar_one()
    return {"scans": int(scans), "redemptions": int(redemptions), "unsent": int(unsent)}


def reassign_unsent(db: Database, device_id: str) -> int:
    """Name ``device_id`` in every unsent outbox item (a replacement PC sends what the kiosk it
    replaces could not; the backend takes an item only from the device it names). The item's
    id, its idempotency key for ever, is kept: one the old PC did send is a duplicate."""
    o = schema.outbox
    with db.transaction() as conn:
        changed = conn.execute(
            update(o)
            .where(o.c.state == OutboxState.PENDING.value)
            .values(payload=func.json_set(o.c.payload, "$.device_id", device_id))
        ).rowcount
    return int(changed)
