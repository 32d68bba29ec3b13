"""The sync thread: runs :class:`SyncEngine` passes by itself, online or not, and says how it
is going as a :class:`SyncStatus` snapshot anyone can read at any time.

Offline is normal (README "Kiosk sync"): a failed pass only moves the kiosk to "offline" and
schedules the next try with backoff; no cashier action is ever needed, and a redemption never
waits for this thread (the counter records into the store; this thread only reads the outbox
later). ``send_soon()`` (the kiosk after recording) cuts the wait short for a push;
``sync_now()`` (the manager's button) for a whole pass, pull included.

The pace is the backend's: an idle kiosk pulls every ``poll_interval_s`` the latest pull answer
asked for (its own ``interval_s`` until one did), and a push never brings a pull with it
before that is due, so a busy counter does not poll faster than an idle one. Pulls are charged
to the device's own budget, sized by the backend for that pace, never to the shop's tier.
When head office asks to wait (429: the business is over its tier), the kiosk shows "waiting to
send", not "offline": it keeps its items and redeeming, goes on pulling, and pushes again at
the Retry-After.

A revoked device stops the loop and hands the wipe to ``on_revoked`` (which must run it on the
store thread); a rejected API key (401) keeps the loop alive but slow, and says so.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from app.core import error_kinds  # a module: error_kinds imports this package's errors
from app.core.store import StoreError
from app.core.sync.backoff import Backoff
from app.core.sync.engine import DEFAULT_CLOCK_SKEW_LIMIT_S, SyncEngine, SyncReport
from app.core.sync.errors import (
    DeviceRevokedError,
    NotAuthorisedError,
    RateLimitedError,
    SyncError,
    TransientSyncError,
)

log = logging.getLogger(__name__)


class Connection(StrEnum):
    """What the kiosk shows beside the pending count."""

    UNKNOWN = "unknown"  # no pass has finished yet
    ONLINE = "online"
    #: Head office answered but asked to wait (429): items stay queued, the counter works.
    WAITING_TO_SEND = "waiting_to_send"
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
    #: Why the latest pass failed, the exception's own (English) words for the log and IT
    #: (None after a success); the screen shows :attr:`last_error_kind`'s message instead.
    last_error: str | None = None
    last_error_kind: error_kinds.ErrorKind | None = None
    #: Kiosk clock minus server clock, seconds (from the latest pull).
    clock_skew_s: float | None = None
    #: The skew beyond which head office flags this kiosk's items (it says so in its pulls).
    clock_skew_limit_s: float = DEFAULT_CLOCK_SKEW_LIMIT_S
    #: While waiting to send: when the kiosk pushes again (head office's Retry-After).
    send_after: datetime | None = None
    #: Items the server flagged or refused during the latest pass (conflicts, rejections).
    needs_review: int = 0
    #: Items set aside: the server fails on each of them alone, so they wait outside the queue
    #: (not in ``pending``) for a try alone, daily or when the manager asks.
    set_aside: int = 0
    last_report: SyncReport | None = None

    @property
    def online(self) -> bool:
        return self.connection is Connection.ONLINE

    @property
    def clock_skewed(self) -> bool:
        return self.clock_skew_s is not None and abs(self.clock_skew_s) > self.clock_skew_limit_s


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
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.engine = engine
        self.interval_s = interval_s
        self.busy_interval_s = busy_interval_s
        self.backoff = backoff or Backoff()
        self.on_revoked = on_revoked
        #: One kiosk, one clock: the engine's unless told otherwise (holds are in its time).
        self.clock = clock or engine.clock
        self._status = SyncStatus()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._full_pass = threading.Event()
        self._stopping = threading.Event()
        self._last_pull_at: datetime | None = None
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
        """Start a whole pass now, pull included (the manager's "Sync now")."""
        self._full_pass.set()
        self._wake.set()

    def send_soon(self) -> None:
        """Push now (after each redemption); the pass pulls only if a pull is due anyway."""
        self._wake.set()

    def retry_set_aside(self) -> None:
        """Try the set-aside items again, each alone, in a whole pass now (the manager's
        button)."""
        self.engine.retry_set_aside()
        self.sync_now()

    @property
    def poll_interval_s(self) -> float:
        """How long an idle kiosk waits between pulls: the backend's figure, else ours."""
        advised = self.engine.poll_interval_s
        return self.interval_s if advised is None else advised

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
        full = self._full_pass.is_set()
        self._full_pass.clear()
        try:
            report = self.engine.sync_once(pull=full or self._pull_due(started))
        except DeviceRevokedError as exc:
            log.error("device revoked by head office: %s", exc)
            self._update(
                syncing=False,
                connection=Connection.REVOKED,
                last_error=str(exc),
                last_error_kind=error_kinds.kind_of(exc),
            )
            if self.on_revoked is not None:
                self.on_revoked(exc)
            return None
        except NotAuthorisedError as exc:
            log.error("the backend refuses this kiosk's API key: %s", exc)
            self._update(
                syncing=False,
                connection=Connection.NOT_AUTHORISED,
                last_error=str(exc),
                last_error_kind=error_kinds.kind_of(exc),
            )
            return self.backoff.next_delay(self.backoff.cap_s)
        except RateLimitedError as exc:
            # A pull or key rotation over the device's own budget: not offline, and not for
            # long (an obedient kiosk stays well inside it).
            log.warning("head office asked this kiosk to wait: %s", exc)
            delay = self.backoff.next_delay(exc.retry_after)
            self._refresh_pending()
            self._update(
                syncing=False,
                connection=Connection.WAITING_TO_SEND,
                last_error=str(exc),
                last_error_kind=error_kinds.kind_of(exc),
                send_after=self.clock() + timedelta(seconds=delay),
            )
            return delay
        except TransientSyncError as exc:
            log.info("sync failed, will retry: %s", exc)
            self._refresh_pending()
            self._update(
                syncing=False,
                connection=Connection.OFFLINE,
                last_error=str(exc),
                last_error_kind=error_kinds.kind_of(exc),
                clock_skew_s=self.engine.clock_skew_s,
            )
            return self.backoff.next_delay(exc.retry_after)
        except (SyncError, StoreError) as exc:
            log.error("sync pass failed: %s", exc)
            self._refresh_pending()
            self._update(
                syncing=False,
                connection=Connection.OFFLINE,
                last_error=str(exc),
                last_error_kind=error_kinds.kind_of(exc),
            )
            return self.backoff.next_delay()
        except Exception as exc:  # the sync thread must never die of a bug
            log.exception("sync pass crashed")
            self._update(
                syncing=False,
                connection=Connection.OFFLINE,
                last_error=repr(exc),
                last_error_kind=error_kinds.kind_of(exc),
            )
            return self.backoff.next_delay()
        self.backoff.reset()
        if report.pulled:
            self._last_pull_at = started
        pending = self._refresh_pending()
        review = sum(report.push.outcomes[k] for k in ("conflict", "rejected", "refused"))
        held = report.push.held_until
        now = self.clock()
        changes: dict[str, object] = {}
        if held is None and report.pulled:
            changes["last_sync_at"] = now  # everything pushed and pulled
        self._update(
            syncing=False,
            connection=Connection.ONLINE if held is None else Connection.WAITING_TO_SEND,
            send_after=held,
            last_error=None,
            last_error_kind=None,
            clock_skew_s=self.engine.clock_skew_s,
            clock_skew_limit_s=self.engine.clock_skew_limit_s,
            needs_review=review,
            last_report=report,
            **changes,
        )
        return self._next_delay(now, pending, report)

    def _pull_due(self, now: datetime) -> bool:
        last = self._last_pull_at
        return last is None or (now - last).total_seconds() >= self.poll_interval_s

    def _next_delay(self, now: datetime, pending: int, report: SyncReport) -> float:
        """Seconds until the next pass: the next pull due, or sooner the end of a push hold,
        or (items recorded during a busy pass) the busy interval."""
        last = self._last_pull_at or now
        wake = last + timedelta(seconds=self.poll_interval_s)
        held = report.push.held_until
        if held is not None:
            wake = min(wake, held)
        elif pending and report.push.sent:
            wake = min(wake, now + timedelta(seconds=self.busy_interval_s))
        return max((wake - now).total_seconds(), 0.0)

    def _refresh_pending(self) -> int:
        try:
            store = self.engine.store
            pending = self.engine.run_on_store(store.outbox.pending_count)
            set_aside = self.engine.run_on_store(store.outbox.set_aside_count)
        except StoreError:
            return self._status.pending
        self._update(pending=pending, set_aside=set_aside)
        return pending
