"""End-to-end harness: the real backend (uvicorn subprocess) on a fresh Postgres database with
Redis, head office's setup through its admin API, and kiosk cores enrolled against it.

The backend can be killed with SIGKILL and started again on the same port and database. The
server's database is read directly to check the invariants (every kiosk redemption there
exactly once, one accepted redemption per printed copy).
"""

from __future__ import annotations

import secrets
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from app.core.counter import Counter
from app.core.device import DeviceIdentity
from app.core.store import KioskStore, schema
from app.core.sync import SyncApi, SyncEngine, apply_enrolment
from pika_bench.live_backend import Backend, Database, HeadOffice, services_missing

__all__ = ["Backend", "Database", "HeadOffice", "Kiosk", "assert_invariants", "services_missing"]


@dataclass
class Kiosk:
    """A kiosk core (no Qt): its store, counter and sync engine, enrolled for real."""

    store: KioskStore
    device: DeviceIdentity
    engine: SyncEngine
    #: The store's database key, so a child process can open the same store.
    key: bytes = b""

    @classmethod
    def enrol(
        cls, directory: Path, server_url: str, code: str, name: str, *, vouchers: int = 0
    ) -> Kiosk:
        """Enrol for real, then pull until ``vouchers`` copies are cached.

        The backend serves a row once every transaction older than it has ended, on the whole
        Postgres cluster (its feed horizon); another program's open transaction can hold the
        newest rows back for a moment, so the first pull is repeated until they arrive.
        """
        directory.mkdir(parents=True, exist_ok=True)
        key = secrets.token_bytes(32)
        store = KioskStore.open(directory / "kiosk.db", key)
        api = SyncApi(server_url, timeout=httpx.Timeout(20.0, connect=2.0))
        device = apply_enrolment(
            store, api.enrol(code, name), server_url=server_url, device_name=name
        )
        from app.core.sync.credentials import load_api_key

        api.api_key = load_api_key(store.path)
        engine = SyncEngine(store, api, device, batch_size=100)
        kiosk = cls(store, device, engine, key)
        deadline = time.monotonic() + 15
        engine.pull()
        while len(kiosk.serials()) < vouchers and time.monotonic() < deadline:
            time.sleep(0.1)
            engine.pull()
        assert len(kiosk.serials()) >= vouchers, (
            "the backend's feed never showed the book: its horizon is the whole Postgres "
            "cluster's oldest open transaction; look for sessions 'idle in transaction' in "
            "pg_stat_activity (another program's stuck test run holds every pull back)"
        )
        return kiosk

    def reopen(self) -> None:
        """Open the store again (after another process used it) and rebuild the engine."""
        self.store = KioskStore.open(self.store.path, self.key)
        self.engine = SyncEngine(self.store, self.engine.api, self.device, batch_size=100)

    @property
    def counter(self) -> Counter:
        return Counter(self.store, self.device)

    def serials(self) -> list[int]:
        with self.store._transaction() as conn:
            return sorted(conn.execute(sa.select(schema.vouchers.c.serial)).scalars())

    def redeem(self, serials: list[int]) -> list[uuid.UUID]:
        """Redeem each serial at the counter (offline: nothing touches the network)."""
        ids = []
        for serial in serials:
            token = self.store.voucher_token(serial)
            assert token is not None
            outcome = self.counter.scan(token, source=_camera())
            ids.append(outcome.recorded.scan_id)
        return ids

    def local_redemption_ids(self) -> set[uuid.UUID]:
        r = schema.redemptions
        with self.store._transaction() as conn:
            query = sa.select(r.c.redemption_id).where(r.c.origin == "local")
            return set(conn.execute(query).scalars())

    def drain(self, attempts: int = 40) -> int:
        """Sync until the outbox is empty, retrying transient failures; return the tries."""
        from app.core.sync import TransientSyncError

        for attempt in range(1, attempts + 1):
            try:
                self.engine.sync_once()
                if self.store.pending_outbox_count() == 0:
                    return attempt
            except TransientSyncError:
                time.sleep(0.05)
        raise AssertionError(f"outbox not empty after {attempts} tries")

    def close(self) -> None:
        self.engine.api.close()
        self.store.close()


def _camera() -> Any:
    from app.core.store import ScanSource

    return ScanSource.CAMERA


def assert_invariants(db: Database, kiosks: list[Kiosk]) -> None:
    """Every kiosk redemption on the server exactly once; one accepted per copy; outboxes empty."""
    for kiosk in kiosks:
        local = kiosk.local_redemption_ids()
        on_server = db.rows(
            "SELECT id, count(*) AS n FROM redemptions WHERE device_id = :device GROUP BY id",
            device=kiosk.device.device_id,
        )
        counts = {row.id: row.n for row in on_server}
        missing = local - counts.keys()
        assert not missing, f"{len(missing)} kiosk redemptions never reached the server"
        assert all(n == 1 for n in counts.values())
        assert kiosk.store.pending_outbox_count() == 0
    doubled = db.rows(
        "SELECT serial FROM redemptions WHERE outcome = 'accepted' GROUP BY serial "
        "HAVING count(*) > 1"
    )
    assert not doubled, f"accepted twice: {doubled}"
