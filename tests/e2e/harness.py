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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from app.core.counter import Counter
from app.core.device import DeviceIdentity
from app.core.store import KioskStore, schema
from app.core.sync import SyncApi, SyncEngine, apply_enrolment
from pika_bench.live_backend import Backend, Database, HeadOffice

__all__ = [
    "Backend",
    "Database",
    "HeadOffice",
    "Kiosk",
    "assert_invariants",
    "printed_book",
]


@dataclass
class Kiosk:
    """A kiosk core (no Qt): its store, counter and sync engine, enrolled for real."""

    store: KioskStore
    device: DeviceIdentity
    engine: SyncEngine
    #: The store's database key, so a child process can open the same store.
    key: bytes = b""
    #: Serial -> printed token of the copies this kiosk's cashier will scan.
    book: dict[int, str] = field(default_factory=dict)

    @classmethod
    def enrol(
        cls,
        directory: Path,
        server_url: str,
        code: str,
        name: str,
        *,
        book: dict[int, str] | None = None,
    ) -> Kiosk:
        """Enrol for real and pull once. ``book`` is the printed tokens the cashier will scan
        (taken from head office's database, so redeeming does not depend on the pull)."""
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
        kiosk = cls(store, device, engine, key, dict(book or {}))
        engine.pull()
        return kiosk

    def wait_for_feed(self, vouchers: int, timeout_s: float = 15) -> None:
        """Pull until ``vouchers`` copies are cached.

        The backend serves a row once every older transaction on its database has ended (its
        feed horizon), so a transaction still open there holds the newest rows back a moment.
        """
        deadline = time.monotonic() + timeout_s
        while len(self.cached_serials()) < vouchers and time.monotonic() < deadline:
            time.sleep(0.1)
            self.engine.pull()
        assert len(self.cached_serials()) >= vouchers, (
            "the backend's feed never showed the book: its horizon is its database's oldest "
            "open transaction; look for sessions 'idle in transaction' in pg_stat_activity"
        )

    def reopen(self) -> None:
        """Open the store again (after another process used it) and rebuild the engine."""
        self.store = KioskStore.open(self.store.path, self.key)
        self.engine = SyncEngine(self.store, self.engine.api, self.device, batch_size=100)

    @property
    def counter(self) -> Counter:
        return Counter(self.store, self.device)

    def serials(self) -> list[int]:
        return sorted(self.book)

    def cached_serials(self) -> list[int]:
        with self.store._db.transaction() as conn:
            return sorted(conn.execute(sa.select(schema.vouchers.c.serial)).scalars())

    def redeem(self, serials: list[int]) -> list[uuid.UUID]:
        """Redeem each serial at the counter (offline: nothing touches the network)."""
        ids = []
        for serial in serials:
            outcome = self.counter.scan(self.book[serial], source=_camera())
            ids.append(outcome.recorded.scan_id)
        return ids

    def local_redemption_ids(self) -> set[uuid.UUID]:
        r = schema.redemptions
        with self.store._db.transaction() as conn:
            query = sa.select(r.c.redemption_id).where(r.c.origin == "local")
            return set(conn.execute(query).scalars())

    def drain(self, attempts: int = 40) -> int:
        """Sync until the outbox is empty, retrying transient failures and waiting out a
        429's hold as the sync loop would; return the tries."""
        from app.core.sync import TransientSyncError

        for attempt in range(1, attempts + 1):
            try:
                held = self.engine.sync_once().push.held_until
                if self.store.outbox.pending_count() == 0:
                    return attempt
                if held is not None:  # a 429: the engine pushes again at its Retry-After
                    time.sleep(min(max((held - self.engine.clock()).total_seconds(), 0), 5))
            except TransientSyncError:
                time.sleep(0.05)
        raise AssertionError(f"outbox not empty after {attempts} tries")

    def close(self) -> None:
        self.engine.api.close()
        self.store.close()


def printed_book(db: Database, business_id: int) -> dict[int, str]:
    """The tokens head office printed for ``business_id``, signed again from its database
    (which keeps claims, not tokens) with the key secret the e2e backend runs with."""
    from sqlalchemy.orm import Session

    from sync_backend.models import Voucher
    from sync_backend.settings import Settings
    from sync_backend.vouchers import copies
    from sync_backend.vouchers.signing import PrivateKeyCache

    keys = PrivateKeyCache(Settings(database_url=db.url))
    with Session(db.engine) as session:
        printed = session.scalars(sa.select(Voucher).where(Voucher.business_id == business_id))
        return copies.tokens(session, keys, list(printed))


def enrol_for_business(
    directory: Path,
    server_url: str,
    head_office: HeadOffice,
    database: Database,
    business: int,
    name: str = "Caja 1",
) -> Kiosk:
    """A kiosk enrolled for ``business`` with a fresh code, holding the book printed for it."""
    return Kiosk.enrol(
        directory,
        server_url,
        head_office.enrolment_code(business),
        name,
        book=printed_book(database, business),
    )


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
        assert kiosk.store.outbox.pending_count() == 0
    doubled = db.rows(
        "SELECT serial FROM redemptions WHERE outcome = 'accepted' GROUP BY serial "
        "HAVING count(*) > 1"
    )
    assert not doubled, f"accepted twice: {doubled}"
