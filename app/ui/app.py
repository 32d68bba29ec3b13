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
from app.ui.resources import resources_dir

log = logging.getLogger(__name__)
TRANSLATIONS = resources_dir() / "translations"


class Language:
    """The screen language, switchable while the kiosk runs (Qt re-labels every widget)."""

    def __init__(self, app: QApplication) -> None:
        self._app = app
        self._translator: QTranslator | None = None
        self.current = "en"

    def switch(self, language: str) -> bool:
        """Show ``language`` ('es' or 'en'); False if its translation file is missing."""
        if self._translator is not None:
            self._app.removeTranslator(self._translator)
            self._translator = None
        self.current = "en"
        if language == "en":  # English is the source text and needs no file
            return True
        translator = QTranslator(self._app)
        if not translator.load(QLocale(language), "pika", "_", str(TRANSLATIONS)):
            log.warning("no %s translation found in %s; showing English", language, TRANSLATIONS)
            return False
        self._app.installTranslator(translator)
        self._translator = translator
        self.current = language
        return True

    def reset(self) -> None:
        self.switch("en")


def run_kiosk(*, data_dir: Path, demo: bool, video: Path | None, language: str) -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    lang = Language(app)
    lang.switch(language)
    try:
        return _run(app, data_dir=data_dir, demo=demo, video=video)
    finally:
        lang.reset()


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
