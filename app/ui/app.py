"""Starting the kiosk: Qt application, language, database key, store, window.

Failures a user can fix (no keyring, wrong key, damaged store) end in a dialog that says what
to do, never a traceback and never a silently recreated store.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtCore import QLocale, QTranslator
from PySide6.QtWidgets import QApplication, QMessageBox

from app.core.counter import Counter
from app.core.session import KioskSession, open_session
from app.core.store import StoreError
from app.ui.kiosk_window import KioskWindow
from app.ui.operations import Operations

log = logging.getLogger(__name__)
TRANSLATIONS = Path(__file__).resolve().parent.parent.parent / "resources" / "translations"


def install_language(app: QApplication, language: str) -> QTranslator | None:
    """Spanish is the default; English is the source text and needs no file."""
    if language == "en":
        return None
    translator = QTranslator(app)
    if translator.load(QLocale(language), "pika", "_", str(TRANSLATIONS)):
        app.installTranslator(translator)
        return translator
    log.warning("no %s translation found in %s; showing English", language, TRANSLATIONS)
    return None


def run_kiosk(*, data_dir: Path, demo: bool, video: Path | None, language: str) -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    translator = install_language(app, language)
    try:
        return _run(app, data_dir=data_dir, demo=demo, video=video)
    finally:
        if translator is not None:
            app.removeTranslator(translator)


def _run(app: QApplication, *, data_dir: Path, demo: bool, video: Path | None) -> int:
    ops = Operations()
    try:
        # The store is opened on its own thread: it may only be used there.
        session: KioskSession = ops.store_op(lambda: open_session(data_dir, demo=demo)).result()
    except StoreError as exc:
        log.error("cannot start: %s", exc)
        print(f"pika-kiosk: {exc}", file=sys.stderr)
        QMessageBox.critical(None, app.tr("Pika Counter cannot start"), str(exc))
        ops.shutdown()
        return 2
    window = build_window(session, ops)
    window.show()
    if video is not None:
        window.start_video(video)
    code = app.exec()
    window.stop_camera()
    ops.shutdown(close_store=session.store.close)
    return code


def build_window(session: KioskSession, ops: Operations) -> KioskWindow:
    counter = Counter(session.store, session.device)
    return KioskWindow(
        counter,
        ops,
        demo=session.demo is not None,
        throwaway_key=session.throwaway_key,
        demo_catalogue=session.demo,
    )
