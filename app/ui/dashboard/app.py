"""Starting ``pika-manager``: Qt application, language, session, sign-in, dashboard window.

The composition root: the session (``app.core.dashboard.session``) and the operations are made
here and handed to the windows. At start the kept sign-in is checked with head office on the
store thread; without one (or when head office refuses it) the sign-in dialog comes first.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtWidgets import QApplication

from app.core.dashboard.session import ManagerSession
from app.core.dashboard.sign_in import SignedIn
from app.ui.dashboard.sign_in_dialog import SignInDialog
from app.ui.dashboard.window import DashboardWindow
from app.ui.language import Language
from app.ui.operations import Operations
from app.ui.stop_signals import StopOnSignals

log = logging.getLogger(__name__)


class ManagerApp:
    """The window and the sign-in dialog around one session."""

    def __init__(
        self,
        session: ManagerSession,
        operations: Operations,
        language: Language,
        *,
        server: str | None = None,
        today: Callable[[], date] = date.today,
    ) -> None:
        self.session = session
        self.operations = operations
        self.server = server
        self.window = DashboardWindow(session, operations, language, today)
        self.window.sign_in_needed.connect(self.ask_sign_in)
        self.dialog: SignInDialog | None = None

    def start(self) -> None:
        self.window.show()
        self.operations.store_op(self.session.resume, self._resumed, self._resume_failed)

    def _resumed(self, signed_in: SignedIn | None) -> None:
        if signed_in is None:
            self.ask_sign_in()
        else:
            self.show_dashboard(signed_in)

    def _resume_failed(self, error: BaseException) -> None:
        log.warning("the kept sign-in could not be read: %s", error)
        self.ask_sign_in()

    def ask_sign_in(self) -> None:
        if self.dialog is not None and self.dialog.isVisible():
            return
        self.dialog = SignInDialog(self.session, self.operations, self.server, self.window)
        self.dialog.accepted.connect(self._dialog_accepted)
        self.dialog.rejected.connect(self._dialog_rejected)
        self.dialog.open()

    def _dialog_accepted(self) -> None:
        assert self.dialog is not None
        if self.dialog.signed_in is not None:
            self.show_dashboard(self.dialog.signed_in)

    def _dialog_rejected(self) -> None:
        if self.session.signed_in is None:
            self.window.close()

    def show_dashboard(self, signed_in: SignedIn) -> None:
        self.window.set_viewer(signed_in)
        self.window.pickers.ask()


def run_manager(
    *,
    config_dir: Path,
    data_dir: Path,
    server: str | None = None,
    language: str = "es",
) -> int:
    """Run the manager app until its window is closed."""
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("pika-manager")
    lang = Language(app)
    lang.switch(language)
    stop = StopOnSignals(app)
    operations = Operations()
    session = ManagerSession(config_dir, data_dir)
    try:
        manager = ManagerApp(session, operations, lang, server=server)
        manager.start()
        return app.exec()
    finally:
        operations.shutdown(close_store=session.close)
        stop.close()
        lang.reset()
