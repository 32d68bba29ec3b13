"""Starting ``pika-manager``: Qt application, language, session, sign-in, dashboard window.

The composition root: the session (``app.core.dashboard.session``) and the operations are made
here and handed to the windows. At start the kept sign-in is checked with head office on the
store thread; without one (or when head office refuses it) the sign-in dialog comes first.
The demo (:func:`run_manager_demo`) starts its own head office and signs in to it instead.
"""

from __future__ import annotations

import logging
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from PySide6.QtWidgets import QApplication

from app.core.dashboard.demo_backend import (
    BUSINESSES,
    EVENTS,
    LOG_FILE,
    DemoBackend,
    DemoBackendError,
    default_demo_dir,
)
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
        admin_token: str | None = None,
        first_range: tuple[date, date] | None = None,
    ) -> None:
        self.session = session
        self.operations = operations
        self.server = server
        #: the demo signs in as head office with this (its own backend's token)
        self.admin_token = admin_token
        self.first_range = first_range
        self.window = DashboardWindow(session, operations, language, today)
        self.window.sign_in_needed.connect(self.ask_sign_in)
        self.dialog: SignInDialog | None = None

    def start(self) -> None:
        self.window.show()
        self.operations.store_op(self._first_sign_in, self._resumed, self._resume_failed)

    def _first_sign_in(self) -> SignedIn | None:
        """The kept sign-in (store thread); the demo's is head office's, with its token."""
        if self.admin_token is not None and self.server is not None:
            return self.session.sign_in_with_admin_token(self.server, self.admin_token)
        return self.session.resume()

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
        if self.first_range is not None:
            self.window.pickers.set_range(*self.first_range)
            self.first_range = None
        self.window.pickers.ask()


def run_manager(
    *,
    config_dir: Path,
    data_dir: Path,
    server: str | None = None,
    language: str = "es",
    demo: DemoSignIn | None = None,
) -> int:
    """Run the manager app until its window is closed."""
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("pika-manager")
    lang = Language(app)
    lang.switch(language)
    stop = StopOnSignals(app)
    operations = Operations()
    session = ManagerSession(config_dir, data_dir, demo=demo is not None)

    def close_store() -> None:
        if demo is not None:  # the demo keeps nothing: its key leaves the keyring
            session.sign_out()
        session.close()

    try:
        manager = ManagerApp(
            session,
            operations,
            lang,
            server=server,
            admin_token=demo.admin_token if demo else None,
            first_range=demo.first_range if demo else None,
        )
        manager.start()
        return app.exec()
    finally:
        operations.shutdown(close_store=close_store)
        stop.close()
        lang.reset()


@dataclass(frozen=True)
class DemoSignIn:
    admin_token: str = field(repr=False)
    first_range: tuple[date, date]


def run_manager_demo(
    *,
    folder: Path | None = None,
    language: str = "es",
    events: int = EVENTS,
    businesses: int = BUSINESSES,
) -> int:
    """``pika-manager --demo``: fill (once) and start a demo head office, open the app on it
    signed in as head office, and stop the head office when the app closes."""
    backend = DemoBackend(folder or default_demo_dir(), events=events, businesses=businesses)
    try:
        year = backend.fill(date.today(), progress=sys.stderr)
        url = backend.start()
    except DemoBackendError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"demo head office on {url} (log: {backend.folder / LOG_FILE})", file=sys.stderr)
    try:
        with tempfile.TemporaryDirectory(prefix="pika-manager-demo-") as kept:
            return run_manager(
                config_dir=Path(kept) / "config",
                data_dir=Path(kept) / "data",
                server=url,
                language=language,
                demo=DemoSignIn(backend.admin_token, (year.first_day, year.last_day)),
            )
    finally:
        backend.stop()
