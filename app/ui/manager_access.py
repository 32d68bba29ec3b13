"""The way into the manager panel: the PIN pad first, then the panel, one at a time.

The kiosk window needs one object and one call (``ManagerAccess.open()``, from a button or a
shortcut) and three signals; the PIN, the first-run setup, the demo PIN and keeping the undo
window in step with the settings are handled here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QWidget

from app.core.corrections import Corrections
from app.core.kiosk_settings import KioskSettings
from app.core.manager_pin import ManagerPin
from app.core.scanning.capture import CameraInfo, probe_cameras
from app.ui.manager_view import ManagerView
from app.ui.operations import Operations
from app.ui.pin_dialog import PinDialog, PinPurpose
from app.ui.sync_worker import SyncWorker

log = logging.getLogger(__name__)


class ManagerAccess(QObject):
    """Opens the PIN pad over ``window``; a right PIN opens the :class:`ManagerView`.

    Re-emits the panel's ``settings_changed(KioskSettings)``, ``exit_requested()`` and
    ``redemption_voided(str)``; ``panel_opened(ManagerView)`` says the panel is on screen.
    """

    settings_changed = Signal(object)
    exit_requested = Signal()
    redemption_voided = Signal(str)
    panel_opened = Signal(object)

    def __init__(
        self,
        ops: Operations,
        corrections: Corrections,
        pin: ManagerPin,
        settings: KioskSettings,
        window: QWidget,
        *,
        demo: bool = False,
        camera_probe: Callable[[], list[CameraInfo]] = probe_cameras,
    ) -> None:
        super().__init__(window)
        self.ops = ops
        self.corrections = corrections
        self.pin = pin
        self.settings = settings
        self.window = window
        self.demo = demo
        self._camera_probe = camera_probe
        self.pad: PinDialog | None = None
        #: Set by the window once its sync runs; the panel then has a Sync tab.
        self.sync: SyncWorker | None = None
        self.panel: ManagerView | None = None
        corrections.undo_window = timedelta(seconds=settings.undo_window_seconds)

    def open(self) -> QDialog:
        """Ask for the PIN (or bring the pad or panel already open to the front)."""
        for dialog in (self.panel, self.pad):
            if dialog is not None and dialog.isVisible():
                dialog.raise_()
                dialog.activateWindow()
                return dialog
        if self.demo:
            # Queued before the pad's own store calls: the demo PIN exists when it asks.
            self.ops.store_op(self.pin.ensure_demo_pin, None, self._failed)
        pad = PinDialog(self.ops, self.pin, PinPurpose.ENTER, self.window, demo=self.demo)
        pad.accepted.connect(self._open_panel)
        # However the pad closes (right PIN, Cancel, Esc, the window's close button), Qt
        # deletes it: forget it at the same moment, or the next open() touches a dead object.
        pad.finished.connect(self._pad_closed)
        self.pad = pad
        pad.open()
        return pad

    def _pad_closed(self, _result: int) -> None:
        pad = self.sender()
        if self.pad is pad:
            self.pad = None
        if pad is not None:
            pad.deleteLater()

    def _open_panel(self) -> None:
        panel = ManagerView(
            self.ops,
            self.corrections,
            self.pin,
            self.settings,
            self.window,
            camera_probe=self._camera_probe,
            sync=self.sync,
        )
        panel.settings_changed.connect(self._settings_changed)
        panel.exit_requested.connect(self.exit_requested)
        panel.redemption_voided.connect(self.redemption_voided)
        panel.finished.connect(self._panel_closed)
        # Maximising is a request to the window manager; a kiosk started straight from xinit
        # has none, and the panel would open at its normal size in a corner. Covering the
        # kiosk's screen ourselves first makes both cases the same (as the kiosk window does).
        screen = self.window.screen() or QGuiApplication.primaryScreen()
        if screen is not None:
            panel.setGeometry(screen.availableGeometry())
        panel.setWindowState(panel.windowState() | Qt.WindowState.WindowMaximized)
        self.panel = panel
        panel.open()
        self.panel_opened.emit(panel)

    def _panel_closed(self) -> None:
        if self.panel is not None:
            self.panel.deleteLater()
        self.panel = None

    def _settings_changed(self, settings: KioskSettings) -> None:
        self.settings = settings
        self.corrections.undo_window = timedelta(seconds=settings.undo_window_seconds)
        self.settings_changed.emit(settings)

    def _failed(self, error: BaseException) -> None:
        log.error("manager access failed: %s", error, exc_info=error)
