"""The sync thread: runs :class:`SyncEngine` passes by itself, online or not, and says how it
is going as a :class:`SyncStatus` snapshot anyone can read at any time.

Offline is normal (DESIGN.md): a failed pass only moves the kiosk to "offline" and schedules
the next try with backoff; no cashier action is ever needed, and a redemption never waits for
this thread (the counter records into the store; this thread only reads the outbox later).
``sync_now()`` (the manager's button, or the kiosk after recording) cuts the wait short.

A revoked device stops the loop and hands the wipe to ``on_revoked`` (which must run it on the
store thread); a rejected API key (401) keeps the loop alive but slow, and says so.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from app.core.store import StoreError
from app.core.sync.backoff import Backoff
from app.core.sync.engine import CLOCK_SKEW_LIMIT_S, SyncEngine, SyncReport
from app.core.sync.errors import (
    DeviceRevokedError,
    NotAuthorisedError,
    SyncError,
    TransientSyncError,
)

log = logging.getLogger(__name__)


class Connection(StrEnum):
    """What the kiosk shows beside the pending count."""

    UNKNOWN = "unknown"  # no pass has finished yet
    ONLINE = "online"
    OFFLINE = "offline"
    NOT_AUTHORISED = "not_authorised"  # the API key is refused: enrol again
    REVOKED = "revoked"  # head office revoked this kiosk; its data is wiped


@dataclass(frozen=True, slots=True)
class SyncStatus:
    connection: Connection = Connection.UNKNOWN
    syncing: bool = False
    #: Items waiting for a final answer (as of the latest pass).
    pending: int = 0
    #: When a pass last finished with everything pushed and pulled.
    last_sync_at: datetime | None = None
    last_attempt_at: datetime | None = None
    next_attempt_at: datetime | None = None
    #: Why the latest pass failed, in words for the manager (None after a success).
    last_error: str | None = None
    #: Kiosk clock minus server clock, seconds (from the latest pull).
    clock_skew_s: float | None = None
    #: Items the server flagged or refused during the latest pass (conflicts, rejections).
    needs_review: int = 0
    last_report: SyncReport | None = None

    @property
    def online(self) -> bool:
        return self.connection is Connection.ONLINE

    @property
    def clock_skewed(self) -> bool:
        return self.clock_skew_s is not None and abs(self.clock_skew_s) > CLOCK_SKEW_LIMIT_S


class SyncLoop:
    """Owns the sync thread. ``start()`` once, ``stop()`` at exit; the rest is thread-safe."""

    def __init__(
        self,
        engine: SyncEngine,
        *,
        interval_s: float = 30.0,
        busy_interval_s: float = 2.0,
        backoff: Backoff | None = None,
        on_revoked: Callable[[DeviceRevokedError], None] | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.engine = engine
        self.interval_s = interval_s
        self.busy_interval_s = busy_interval_s
        self.backoff = backoff or Backoff()
        self.on_revoked = on_revoked
        self.clock = clock
        self._status = SyncStatus()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    # -- control (any thread) -------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="sync", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the thread to finish its current request and end; wait up to ``timeout``."""
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def sync_now(self) -> None:
        """Start a pass now (the manager's "sync now"; also fine after every redemption)."""
        self._wake.set()

    def status(self) -> SyncStatus:
        with self._lock:
            return self._status

    # -- the thread -----------------------------------------------------------------------------

    def _update(self, **changes: object) -> SyncStatus:
        with self._lock:
            self._status = replace(self._status, **changes)  # type: ignore[arg-type]
            return self._status

    def _run(self) -> None:
        while not self._stopping.is_set():
            delay = self.run_pass()
            if delay is None:
                return
            self._update(next_attempt_at=self.clock() + timedelta(seconds=delay))
            self._wake.wait(delay)
            self._wake.clear()

    def run_pass(self) -> float | None:
        """One pass and its bookkeeping; returns the wait before the next, None to end."""
        started = self.clock()
        self._update(syncing=True, last_attempt_at=started)
        try:
            report = self.engine.sync_once()
        except DeviceRevokedError as exc:
            log.error("device revoked by head office: %s", exc)
            self._update(syncing=False, connection=Connection.REVOKED, last_error=str(exc))
            if self.on_revoked is not None:
                self.on_revoked(exc)
            return None
        except NotAuthorisedError as exc:
            log.error("the backend refuses this kiosk's API key: %s", exc)
            self._update(syncing=False, connection=Connection.NOT_AUTHORISED, last_error=str(exc))
            return self.backoff.next_delay(self.backoff.cap_s)
        except TransientSyncError as exc:
            log.info("sync failed, will retry: %s", exc)
            self._refresh_pending()
            self._update(
                syncing=False,
                connection=Connection.OFFLINE,
                last_error=str(exc),
                clock_skew_s=self.engine.clock_skew_s,
            )
            return self.backoff.next_delay(exc.retry_after)
        except (SyncError, StoreError) as exc:
            log.error("sync pass failed: %s", exc)
            self._refresh_pending()
            self._update(syncing=False, connection=Connection.OFFLINE, last_error=str(exc))
            return self.backoff.next_delay()
        except Exception as exc:  # the sync thread must never die of a bug
            log.exception("sync pass crashed")
            self._update(syncing=False, connection=Connection.OFFLINE, last_error=repr(exc))
            return self.backoff.next_delay()
        self.backoff.reset()
        pending = self._refresh_pending()
        review = sum(report.push.outcomes[k] for k in ("conflict", "rejected", "refused"))
        self._update(
            syncing=False,
            connection=Connection.ONLINE,
            last_sync_at=self.clock(),
            last_error=None,
            clock_skew_s=self.engine.clock_skew_s,
            needs_review=review,
            last_report=report,
        )
        # Items recorded during a busy pass go out soon, not after the idle interval.
        return self.busy_interval_s if pending and report.push.sent else self.interval_s

    def _refresh_pending(self) -> int:
        try:
            store = self.engine.store
            pending = self.engine.run_on_store(store.pending_outbox_count)
        except StoreError:
            return self._status.pending
        self._update(pending=pending)
        return pending
