"""Starting the kiosk: Qt application, language, database key, store, window.

This is the composition root: the store session, the counter, corrections, manager PIN,
settings, cameras and sync are built here and handed to the window (:func:`parts_for`,
:func:`build_window`, :func:`start_sync`); the window builds only its own widgets.

Failures a user can fix (no keyring, wrong key, damaged store) end in a dialog that says what
to do, never a traceback and never a silently recreated store.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication, QMessageBox

from app.core.corrections import Corrections
from app.core.counter import Counter
from app.core.device import NotEnrolledError
from app.core.manager_pin import ManagerPin
from app.core.session import STORE_FILE, KioskSession, open_session
from app.core.store import StoreError
from app.core.sync import NotEnrolledForSyncError
from app.ui.enrolment_dialog import EnrolmentDialog
from app.ui.heap_trimmer import HeapTrimmer
from app.ui.kiosk_parts import KioskParts
from app.ui.kiosk_window import KioskWindow
from app.ui.language import Language
from app.ui.operations import Operations
from app.ui.startup_errors import startup_error_text, startup_title, technical_detail
from app.ui.stop_signals import StopOnSignals
from app.ui.sync_worker import SyncWorker

log = logging.getLogger(__name__)


def run_kiosk(
    *,
    data_dir: Path,
    demo: bool,
    video: Path | None,
    language: str | None = None,
    kiosk_mode: bool | None = None,
) -> int:
    """Run the kiosk until it is closed. ``language`` overrides the kiosk's own setting."""
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    lang = Language(app)
    lang.switch(language or "es")  # until the store says otherwise
    stop = StopOnSignals(app)
    try:
        full_screen = (not demo) if kiosk_mode is None else kiosk_mode
        return _run(
            app,
            lang,
            stop,
            data_dir=data_dir,
            demo=demo,
            video=video,
            forced=language,
            kiosk_mode=full_screen,
        )
    finally:
        stop.close()
        lang.reset()


def _run(
    app: QApplication,
    lang: Language,
    stop: StopOnSignals,
    *,
    data_dir: Path,
    demo: bool,
    video: Path | None,
    forced: str | None,
    kiosk_mode: bool,
) -> int:
    ops = Operations()
    try:
        # The store is opened on its own thread: it may only be used there. No window exists
        # yet, so waiting blocks nothing; the failures are answered right here.
        session: KioskSession = ops.store_call(lambda: open_session(data_dir, demo=demo))
    except NotEnrolledError:
        if not enrol(ops, data_dir / STORE_FILE):
            ops.shutdown()
            return 3
        return _run(
            app,
            lang,
            stop,
            data_dir=data_dir,
            demo=demo,
            video=video,
            forced=forced,
            kiosk_mode=kiosk_mode,
        )
    except StoreError as exc:
        refuse_to_start(exc)
        ops.shutdown()
        return 2
    for problem in session.settings.problems:
        log.warning("setting replaced by its default: %s", problem)
    lang.switch(forced or session.settings.settings.language)
    window = build_window(session, ops, lang)
    if kiosk_mode:
        window.enter_kiosk_mode()
    else:
        window.show()
    sync = start_sync(session, ops, window)
    # Freed C heap back to the system now and then, in quiet moments (app/core/heap.py).
    trimmer = HeapTrimmer(window)
    window.outcome_shown.connect(trimmer.activity)
    trimmer.start()
    if video is not None:
        window.start_video(video)
    else:
        window.start_configured_camera()
    log.info("counter window open (%s)", "kiosk mode" if kiosk_mode else "windowed")
    # A stop signal that came while starting is answered now rather than ignored.
    code = app.exec() if stop.received is None else 0
    trimmer.stop()
    window.stop_camera()
    if sync is not None:
        sync.stop()
    ops.shutdown(close_store=None if window.revoked_message else session.store.close)
    return code


def refuse_to_start(error: StoreError) -> None:
    """Say once, in the screen's language, why the kiosk cannot start and what to do: on the
    terminal (or the service's log) for IT, and in a dialog for whoever stands at the screen."""
    message = startup_error_text(error)
    # The technical detail (the keyring backend, SQLite's words) once, for IT, in the log; a
    # traceback would add nothing: the error's type and text say what failed.
    log.error("the kiosk cannot start: %s: %s", type(error).__name__, technical_detail(error))
    print(f"pika-kiosk: {message}", file=sys.stderr)
    QMessageBox.critical(None, startup_title(), message)


def enrol(ops: Operations, store_path: Path) -> bool:
    """Show the enrolment screen until the kiosk is enrolled (True) or the user quits."""
    dialog = EnrolmentDialog(ops, store_path)
    dialog.showMaximized()
    return dialog.exec() == EnrolmentDialog.DialogCode.Accepted


def start_sync(session: KioskSession, ops: Operations, window: KioskWindow) -> SyncWorker | None:
    """Sync an enrolled kiosk in the background; a demo or unenrolled one works offline."""
    if session.demo is not None:
        return None
    try:
        sync = SyncWorker.for_session(session, ops, window)
    except NotEnrolledForSyncError as exc:
        log.warning("working offline: %s", exc)
        return None
    window.attach_sync(sync)
    sync.start()
    return sync


def parts_for(session: KioskSession) -> KioskParts:
    """The counter window's collaborators for an open session, with the real cameras and
    clock (a test replaces what it needs with :func:`dataclasses.replace`)."""
    store, device = session.store, session.device
    return KioskParts(
        counter=Counter(store, device, ask_sale_total=True),
        corrections=Corrections(store, device),
        pin=ManagerPin(store),
        settings=session.settings.settings,
        demo=session.demo is not None,
        throwaway_key=session.throwaway_key,
        demo_catalogue=session.demo,
    )


def build_window(
    session: KioskSession, ops: Operations, language: Language | None = None
) -> KioskWindow:
    return KioskWindow(parts_for(session), ops, language=language)
