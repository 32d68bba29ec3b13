"""One sync pass: push the outbox, pull what changed, rotate the API key when due.

:class:`SyncEngine` does the network work on the thread that calls it (the sync thread) and
hands every store access to ``run_on_store`` (the kiosk's store thread; a plain call in
scripts and tests). It never sleeps and never retries by itself: a transient failure is raised
as a :class:`TransientSyncError` after the items that were sent are noted as tried, and the
loop (:mod:`app.core.sync.loop`) decides when to come back.

Pushing the outbox (batches, final answers, 429 holds, finding and setting aside an item
the server fails on) is :class:`app.core.sync.push.Pusher`; this module is the rest of a pass.

What the backend says about pacing, the engine keeps and obeys:

* every pull answer says how often to poll (``poll_interval_s``, bounded here so a wrong figure
  can neither make a kiosk spin nor go deaf) and the clock skew head office flags
  (``clock_skew_limit_s``): the kiosk warns at that same figure.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial

from app.core.device import DeviceIdentity
from app.core.store import KioskStore
from app.core.sync.api import SyncApi
from app.core.sync.credentials import save_api_key
from app.core.sync.enrolment import KEY_ROTATE_AFTER_SETTING
from app.core.sync.errors import ProtocolError, ServerBusyError
from app.core.sync.pull import CURSOR_SETTING, PullApplied, apply_page
from app.core.sync.push import (
    DEFAULT_BATCH_SIZE,
    Pusher,
    PushReport,
    StoreRunner,
    item_may_be_at_fault,
    run_here,
)
from pika_protocol import sync_wire

log = logging.getLogger(__name__)

#: A kiosk clock further off than this from the server's is shown and recorded, until a pull
#: answer says head office's figure (``clock_skew_limit_s``). This is the backend's default
#: ``clock_skew_tolerance_s``, beyond which it flags the items a kiosk pushes.
DEFAULT_CLOCK_SKEW_LIMIT_S = 300.0
#: A recorded skew is recorded again only when it moved by more than this.
CLOCK_SKEW_RERECORD_S = 60.0
MAX_PULL_PAGES = 10_000
#: Bounds on the poll interval a pull answer asks for.
MIN_POLL_INTERVAL_S = 5.0
MAX_POLL_INTERVAL_S = 3600.0


@dataclass(frozen=True, slots=True)
class SyncReport:
    push: PushReport
    pull: PullApplied
    server_time: datetime | None
    clock_skew_s: float | None
    key_rotated: bool
    #: False when the pass only pushed (a pull was not due).
    pulled: bool = True


class SyncEngine:
    """Sync for one enrolled device. Not thread-safe: one sync thread calls it."""

    def __init__(
        self,
        store: KioskStore,
        api: SyncApi,
        device: DeviceIdentity,
        *,
        run_on_store: StoreRunner = run_here,
        batch_size: int = DEFAULT_BATCH_SIZE,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self.api = api
        self.device = device
        self.run_on_store = run_on_store
        self.clock = clock
        #: The push half of a pass; it reads this engine's clock, so a clock set later holds.
        self.pusher = Pusher(
            store, api, run_on_store=run_on_store, batch_size=batch_size, clock=self._now
        )
        #: Kiosk clock minus server clock, seconds, from the latest pull.
        self.clock_skew_s: float | None = None
        #: Head office's figure, from the latest pull answer that said it.
        self.clock_skew_limit_s = DEFAULT_CLOCK_SKEW_LIMIT_S
        #: How often to poll, from the latest pull answer that said it (bounded); None: the
        #: loop's own default.
        self.poll_interval_s: float | None = None
        self._skew_recorded: float | None = None
        self._rotation_due = False

    def _now(self) -> datetime:
        return self.clock()

    def retry_set_aside(self) -> None:
        """Try every set-aside item again (alone) in the next pass: the manager's button.
        Thread-safe; the request stands until a pass got through them all."""
        self.pusher.retry_set_aside()

    def push(self) -> PushReport:
        """Drain the outbox (see :meth:`Pusher.push`)."""
        return self.pusher.push()

    def sync_once(self, *, pull: bool = True) -> SyncReport:
        """Push everything queued (unless held), pull everything new (when ``pull``: the loop
        pulls at the pace the backend asks, not after every redemption), rotate the key if
        due."""
        try:
            pushed = self.push()
        except ServerBusyError as exc:
            if not (pull and item_may_be_at_fault(exc)):
                raise
            # The server answers but failed on what was sent: revocations and the other
            # kiosks' redemptions must not wait for that. The pass still fails (backoff).
            self.pull()
            raise
        server_time = None
        pulled = PullApplied()
        if pull:
            pulled, server_time = self.pull()
        rotated = False
        if self._rotation_due or self._rotation_overdue():
            self.rotate_key()
            rotated = True
        return SyncReport(pushed, pulled, server_time, self.clock_skew_s, rotated, pull)

    # -- pull -----------------------------------------------------------------------------------

    def pull(self) -> tuple[PullApplied, datetime | None]:
        """Follow the feed from the saved cursor to its end, saving the cursor per page."""
        total = PullApplied()
        server_time = None
        waiting, oldest = self.run_on_store(self.store.outbox.waiting)
        age_s = (self.clock() - oldest).total_seconds() if oldest is not None else 0.0
        report = sync_wire.outbox_report(waiting, age_s)
        for _page in range(MAX_PULL_PAGES):
            cursor = self.run_on_store(lambda: self.store.settings.get(CURSOR_SETTING)) or None
            asked = self.clock()
            page = self.api.pull(cursor, outbox=report)
            answered = self.clock()
            server_time = page.server_time
            self._obey(page)
            self._note_server_time(page.server_time, asked, answered)
            self._rotation_due = self._rotation_due or page.rotate_key
            total.add(self.run_on_store(partial(self._apply, page)))
            if not page.more:
                break
            if page.cursor == (cursor or ""):
                raise ProtocolError("the server said 'more' but did not move the cursor")
        for problem in total.problems:
            log.warning("pull: skipped %s", problem)
        return total, server_time

    def _obey(self, page: sync_wire.PullResponse) -> None:
        """Keep what the backend says about pacing; absent (an older backend): keep ours."""
        if page.poll_interval_s is not None:
            self.poll_interval_s = min(
                max(float(page.poll_interval_s), MIN_POLL_INTERVAL_S), MAX_POLL_INTERVAL_S
            )
        if page.clock_skew_limit_s is not None and page.clock_skew_limit_s > 0:
            self.clock_skew_limit_s = float(page.clock_skew_limit_s)

    def _apply(self, page: sync_wire.PullResponse) -> PullApplied:
        applied = apply_page(self.store, page, business_id=self.device.business_id)
        self.store.settings.set(CURSOR_SETTING, page.cursor)
        return applied

    def _note_server_time(self, server_time: datetime, asked: datetime, answered: datetime) -> None:
        """Kiosk minus server clock, from the middle of the round trip; record it when far off."""
        middle = asked + (answered - asked) / 2
        skew = (middle - server_time).total_seconds()
        self.clock_skew_s = skew
        if abs(skew) <= self.clock_skew_limit_s:
            if self._skew_recorded is not None:
                self._record_skew("sync.clock_skew_resolved", skew)
                self._skew_recorded = None
            return
        if self._skew_recorded is None or abs(skew - self._skew_recorded) > CLOCK_SKEW_RERECORD_S:
            log.warning("kiosk clock is %.0f s off the server's", skew)
            self._record_skew("sync.clock_skew", skew)
            self._skew_recorded = skew

    def _record_skew(self, event: str, skew: float) -> None:
        payload = {"clock_skew_s": round(skew, 3), "limit_s": self.clock_skew_limit_s}
        at = self.clock()
        self.run_on_store(lambda: self.store.activity.record_event(event, payload, at=at))

    # -- key rotation ---------------------------------------------------------------------------

    def _rotation_overdue(self) -> bool:
        """Also rotate by our own clock: if a rotation's answer was lost, the server no longer
        asks (the old key has an end date), but the old key still works until then."""
        text = self.run_on_store(lambda: self.store.settings.get(KEY_ROTATE_AFTER_SETTING))
        if not text:
            return False
        try:
            due = datetime.fromisoformat(text)
        except ValueError:
            return True
        return self.clock() >= due + timedelta(hours=1)

    def rotate_key(self) -> None:
        """Get a new API key; keep it in the keyring before using it."""
        rotation = self.api.rotate_key()

        def keep() -> None:
            save_api_key(self.store.path, rotation.api_key)
            self.store.settings.set(KEY_ROTATE_AFTER_SETTING, rotation.rotate_after.isoformat())
            self.store.activity.record_event(
                "device.key_rotated",
                {
                    "rotate_after": rotation.rotate_after.isoformat(),
                    "previous_key_expires_at": rotation.previous_key_expires_at.isoformat(),
                },
                at=self.clock(),
            )

        self.run_on_store(keep)
        self.api.api_key = rotation.api_key
        self._rotation_due = False
