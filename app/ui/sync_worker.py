"""The kiosk's sync, seen from Qt: one object the window and the manager view wire to.

The sync itself runs on its own plain thread (:class:`app.core.sync.SyncLoop`), its store work
on the store thread (``Operations.store_call``). Nothing here emits a Qt signal from those
threads: a timer on the GUI thread reads the loop's status snapshot and emits
``status_changed`` only when it changed, so widgets are only ever touched on the GUI thread.

Wiring (for the integrator):

* ``status_changed(SyncStatus)``: online/waiting to send/offline badge (``status.online``,
  ``status.connection``, ``status.send_after``), pending count (``status.pending``), last sync time
  (``status.last_sync_at``), clock skew warning (``status.clock_skewed``, ``clock_skew_s``),
  items for review (``status.needs_review``), items set aside (``status.set_aside``), last
  error text (``status.last_error``);
* ``sync_now()``: the manager's button (a whole pass, pull included);
* ``retry_set_aside()``: the manager's button to try the set-aside items again now;
* ``send_soon()``: after each redemption, to push it soon (pulls keep the backend's pace);
* ``revoked(str)``: head office revoked this kiosk and its local data was wiped; the store is
  closed: show the message and end the counter (the next start asks for enrolment);
* ``start()`` after the window is shown, ``stop()`` before the store is closed.
"""

from __future__ import annotations

import logging

import httpx
from PySide6.QtCore import QObject, QTimer, Signal

from app.core.session import KioskSession
from app.core.sync import (
    SERVER_URL_SETTING,
    CredentialStoreError,
    DeviceRevokedError,
    NotEnrolledForSyncError,
    SyncApi,
    SyncEngine,
    SyncLoop,
    SyncStatus,
    wipe_local_data,
)
from app.core.sync.credentials import load_api_key
from app.ui.operations import Operations

log = logging.getLogger(__name__)

POLL_MS = 500


class SyncWorker(QObject):
    status_changed = Signal(object)  # SyncStatus
    revoked = Signal(str)

    def __init__(self, loop: SyncLoop, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.loop = loop
        self._last: SyncStatus | None = None
        #: Set on the sync thread once a revoked kiosk was wiped (True) or wiping failed
        #: (False); worded and emitted on the GUI thread, in the screen's language.
        self._revoked_wiped: bool | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)

    @classmethod
    def for_session(
        cls,
        session: KioskSession,
        ops: Operations,
        parent: QObject | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
    ) -> SyncWorker:
        """The worker of an enrolled kiosk: server address from the store, key from the keyring.

        Raises :class:`NotEnrolledForSyncError` when either is missing or the keyring cannot be
        read (demo kiosks, a kiosk whose keyring lost its key): it keeps working offline.
        """
        store = session.store
        server_url = ops.store_call(lambda: store.settings.get(SERVER_URL_SETTING))
        try:
            api_key = load_api_key(store.path)
        except CredentialStoreError as exc:  # the kiosk still works, offline, and says why
            raise NotEnrolledForSyncError(f"the device key cannot be read: {exc}") from exc
        if not server_url or not api_key:
            raise NotEnrolledForSyncError(
                "this kiosk has no server address or device key; it works offline until it "
                "is enrolled again"
            )
        api = SyncApi(server_url, api_key=api_key, transport=transport)
        engine = SyncEngine(store, api, session.device, run_on_store=ops.store_call)
        worker: SyncWorker

        def wipe(exc: DeviceRevokedError) -> None:  # on the sync thread
            try:
                ops.store_call(lambda: wipe_local_data(store, reason=exc.code))
                wiped = True
            except Exception:  # keep the kiosk saying why, whatever failed (the log says how)
                log.exception("wiping the revoked kiosk failed")
                wiped = False
            worker._revoked_wiped = wiped

        loop = SyncLoop(engine, on_revoked=wipe)
        worker = cls(loop, parent)
        return worker

    def start(self) -> None:
        self.loop.start()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        self.loop.stop()
        self.loop.engine.api.close()

    def sync_now(self) -> None:
        self.loop.sync_now()

    def send_soon(self) -> None:
        self.loop.send_soon()

    def retry_set_aside(self) -> None:
        """The manager's button: try the set-aside items again (each alone) now."""
        self.loop.retry_set_aside()

    def status(self) -> SyncStatus:
        return self.loop.status()

    def _poll(self) -> None:
        status = self.loop.status()
        if status != self._last:
            self._last = status
            self.status_changed.emit(status)
        if self._revoked_wiped is not None:
            wiped, self._revoked_wiped = self._revoked_wiped, None
            self._timer.stop()
            self.revoked.emit(self.revoked_text(wiped))

    def revoked_text(self, wiped: bool) -> str:
        if wiped:
            return self.tr(
                "Head office revoked this kiosk. Its local data was wiped; "
                "ask head office for a new enrolment code."
            )
        return self.tr(
            "Head office revoked this kiosk, but its local data could not be wiped. "
            "Call IT before using this computer again."
        )
