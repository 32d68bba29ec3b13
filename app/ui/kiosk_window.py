"""The counter window: result panel, camera preview, entry line, the sale-total prompt after a
valid scan (:mod:`app.ui.sale_total_prompt`) and the always-visible status.

Thin over ``app.core``: it turns cashier input (camera, scanner, keyboard) into counter calls
through :class:`~app.ui.operations.Operations` (never on the GUI thread) and renders
:class:`~app.core.screen.ScreenState`. It builds its own widgets and nothing else: the counter,
corrections, PIN, settings, cameras and clock come in :class:`~app.ui.kiosk_parts.KioskParts`
from ``app/ui/app.py``; the camera column lives in :mod:`app.ui.camera_column`. Every text is
set in :meth:`KioskWindow.retranslate`, so switching language at run time re-labels the window.
"""

from __future__ import annotations

import logging
import math
from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QFont, QGuiApplication, QResizeEvent
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.counter import ScanOutcome, ScanSource
from app.core.error_kinds import ErrorKind
from app.core.kiosk_settings import KioskSettings
from app.core.manager_pin import DEMO_PIN
from app.core.result_look import TypeScale, type_scale
from app.core.sale_prompt import PromptClose
from app.core.scanning import Debouncer, Pacing, Scan
from app.core.screen import ScreenStateMachine
from app.core.sync import SyncStatus
from app.core.sync.connection_badge import Badge, connection_badge
from app.ui.camera_column import CameraColumn
from app.ui.flow_label import FlowLabel
from app.ui.kiosk_parts import KioskParts
from app.ui.language import Language
from app.ui.manager_access import ManagerAccess
from app.ui.operations import Operations
from app.ui.result_panel import ResultPanel
from app.ui.sale_total_prompt import SaleTotalPrompt
from app.ui.sounds import ResultSounds
from app.ui.sync_worker import SyncWorker
from app.ui.texts import error_text, error_text_for
from app.ui.undo_bar import UndoBar
from app.ui.wedge_filter import WedgeScannerFilter
from pika_print.voucher_sheet import write_sheet

log = logging.getLogger(__name__)

BADGE_STYLE = "padding: 4px 10px; border-radius: 10px; font-weight: bold; color: white;"


class KioskWindow(QMainWindow):
    """The counter screen. ``outcome_shown`` fires once a result is on screen."""

    outcome_shown = Signal(object)
    #: (app.core.scanning.Scan, ScanOutcome) once a camera scan's result is on screen; the
    #: scan's ``captured_at`` gives the frame-to-screen latency (pika-bench scan-latency).
    camera_result_shown = Signal(object, object)
    sheet_written = Signal(list)

    def __init__(
        self,
        parts: KioskParts,
        operations: Operations,
        *,
        language: Language | None = None,
        kiosk_mode: bool = False,
    ) -> None:
        super().__init__()
        self.parts = parts
        self.counter = parts.counter
        self.ops = operations
        self.demo = parts.demo
        self.throwaway_key = parts.throwaway_key
        self.demo_catalogue = parts.demo_catalogue
        self.settings = parts.settings
        self.language = language
        self._clock = parts.clock
        self.machine = ScreenStateMachine(self.settings.result_timeout_seconds)
        self.sounds = ResultSounds(enabled=self.settings.sounds, parent=self)
        self._pending = 0
        self.sync: SyncWorker | None = None
        self.sync_status: SyncStatus | None = None
        self.revoked_message: str | None = None
        self.kiosk_mode = kiosk_mode
        self._exit_allowed = not kiosk_mode
        self.resize(1200, 760)
        self.corrections = parts.corrections
        self.manager = ManagerAccess(
            operations,
            self.corrections,
            parts.pin,
            self.settings,
            self,
            demo=self.demo,
            camera_probe=parts.cameras.probe,
        )
        self.manager.settings_changed.connect(self.apply_settings)
        self.manager.exit_requested.connect(self.exit_kiosk)
        self.manager.redemption_voided.connect(self._redemption_voided)

        # The header's texts wrap when a long one (a Spanish badge, a clock warning) leaves
        # too little room: the window never grows wider than a 1024×768 screen for them. The
        # short ones beside the badge keep to two lines; the badge takes what else is needed.
        self.business_label = FlowLabel(max_lines=2)
        self.business_label.setObjectName("businessLabel")
        self.connection_badge = FlowLabel()
        self.connection_badge.setObjectName("connectionBadge")
        self.pending_label = FlowLabel(max_lines=2)
        self.pending_label.setObjectName("pendingLabel")
        self.manager_button = QPushButton()
        self.manager_button.setObjectName("managerButton")
        self.manager_button.clicked.connect(self.manager.open)
        self.mode_label = QLabel()
        self.mode_label.setObjectName("modeLabel")
        self.mode_label.setStyleSheet("color: #9a5b00; font-weight: bold;")
        self.mode_label.setWordWrap(True)

        self.result_panel = ResultPanel()
        self.undo_bar = UndoBar(operations, self.corrections)
        self.undo_bar.undone.connect(self._undone)
        self.undo_bar.failed.connect(self._failed)
        self.sale_prompt = SaleTotalPrompt(operations, self.counter, self._clock)
        self.sale_prompt.settled.connect(self._sale_total_settled)
        self.sale_prompt.closed.connect(self.entry_focus)
        self.sale_prompt.failed.connect(self._failed)
        store = self.counter.store
        self.camera_column = CameraColumn(
            operations, parts.cameras, store.reference.public_keys, lambda: self.settings, self
        )
        self.preview = self.camera_column.preview
        self.camera_column.scanned.connect(self._camera_scan)
        self.camera_column.opened.connect(self._camera_opened)
        self.camera_column.unavailable.connect(self._camera_unavailable)
        self.camera_column.refused.connect(self._camera_refused)
        self.camera_column.failed.connect(self._failed)

        self.entry = QLineEdit()
        self.entry.setObjectName("codeEntry")
        self.entry.returnPressed.connect(self.submit_entry)
        self.check_button = QPushButton()
        self.check_button.clicked.connect(self.submit_entry)

        self.video_button = QPushButton()
        self.video_button.clicked.connect(self._choose_video)
        # It opens a file browser: only the demo offers it to whoever stands at the counter.
        # A real kiosk's manager chooses a video in the panel's settings, behind the PIN.
        self.video_button.setVisible(self.demo)
        self.print_button = QPushButton()
        self.print_button.clicked.connect(self._choose_sheet)
        self.print_button.setVisible(self.demo_catalogue is not None)

        top = QHBoxLayout()
        top.addWidget(self.business_label)
        top.addStretch(1)
        # centred on its own height: a neighbour on two lines does not stretch the badge
        top.addWidget(self.connection_badge, 0, Qt.AlignmentFlag.AlignVCenter)
        top.addWidget(self.pending_label)
        top.addWidget(self.manager_button)
        middle = QHBoxLayout()
        middle.addWidget(self.result_panel, 3)
        middle.addLayout(self.camera_column.layout, 2)
        entry_row = QHBoxLayout()
        entry_row.addWidget(self.entry, 1)
        entry_row.addWidget(self.check_button)
        tools = QHBoxLayout()
        tools.addWidget(self.video_button)
        tools.addWidget(self.print_button)
        tools.addStretch(1)
        root = QVBoxLayout()
        root.addLayout(top)
        root.addWidget(self.mode_label)
        root.addLayout(middle, 1)
        after_result = QHBoxLayout()
        after_result.addWidget(self.undo_bar)
        after_result.addWidget(self.sale_prompt, 1)
        root.addLayout(after_result)
        root.addLayout(entry_row)
        root.addLayout(tools)
        central = QWidget()
        central.setLayout(root)
        self.setCentralWidget(central)

        self.wedge = WedgeScannerFilter(
            parent=self,
            listening=lambda watched: isinstance(watched, QWidget) and watched.window() is self,
        )
        self.wedge_debounce = Debouncer(window_s=self.settings.debounce_seconds)
        self.wedge.scanned.connect(self._wedge_scan)
        self.wedge.typed.connect(self._typed_back)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self.wedge)

        self._timer = QTimer(self)
        self._timer.setInterval(200)
        self._timer.timeout.connect(self._tick)
        self._timer.start()
        self.apply_type_scale(type_scale(self.width(), self.height()))
        self.retranslate()
        self.refresh_pending()
        # A cashier's first key goes to the code line (not the Manager button, first in the
        # tab order); Shift+Tab from it reaches the Manager button, Space opens the PIN pad.
        self.entry.setFocus()

    # --- sizes ---------------------------------------------------------------------------
    def resizeEvent(self, event: QResizeEvent) -> None:
        """Text follows the window: read from 1.5 m on a 1920×1080 screen as on 1024×768."""
        super().resizeEvent(event)
        self.apply_type_scale(type_scale(event.size().width(), event.size().height()))

    def apply_type_scale(self, scale: TypeScale) -> None:
        self.result_panel.set_type_scale(scale)
        self.undo_bar.set_pixel_size(scale.body)
        self.sale_prompt.set_pixel_size(scale.body)
        for widget, size in (
            (self.business_label, scale.header),
            (self.connection_badge, scale.header),
            (self.pending_label, scale.header),
            (self.manager_button, scale.header),
            (self.mode_label, scale.status),
            (self.statusBar(), scale.status),
            (self.entry, scale.entry),
            (self.check_button, scale.entry),
            (self.video_button, scale.status),
            (self.print_button, scale.status),
        ):
            font = QFont(widget.font())
            font.setPixelSize(size)
            widget.setFont(font)
        self.camera_column.set_pixel_size(scale.status)

    # --- settings ----------------------------------------------------------------------
    def apply_settings(self, settings: KioskSettings) -> None:
        """Take new settings at once (the manager view saves them, then calls this)."""
        camera_changed = (settings.camera, settings.resolution) != (
            self.settings.camera,
            self.settings.resolution,
        )
        self.settings = settings
        self.sounds.enabled = settings.sounds
        self.corrections.undo_window = timedelta(seconds=settings.undo_window_seconds)
        self.machine.result_seconds = settings.result_timeout_seconds
        if self.language is not None and self.language.current != settings.language:
            self.language.switch(settings.language)
        self.camera_column.apply_settings(settings, camera_changed=camera_changed)

    def start_configured_camera(self) -> None:
        """Open the camera the settings name (off the GUI thread: opening can be slow)."""
        self.camera_column.start_configured()

    def _camera_opened(self) -> None:
        self.statusBar().clearMessage()
        self.result_panel.set_camera_available(True)

    def _camera_refused(self, kind: ErrorKind) -> None:
        """A video chosen as the camera cannot be played: said like any error."""
        self._say_error(error_text(kind))

    def _camera_unavailable(self, kind: ErrorKind) -> None:
        """No camera, or it was lost: the ready screen asks for the typed code instead, and
        the status line says why (the camera column looks for a webcam again)."""
        self.result_panel.set_camera_available(False)
        self.statusBar().setStyleSheet("color: #9a5b00; font-weight: bold;")
        self.statusBar().showMessage(error_text(kind))

    # --- text --------------------------------------------------------------------------
    def retranslate(self) -> None:
        device = self.counter.device
        self.setWindowTitle(self.tr("Pika Counter"))
        self.business_label.setText(f"<b>{device.business_name}</b> · {device.device_name}")
        notes = []
        if self.demo:
            notes.append(
                self.tr("DEMO MODE: demo vouchers, nothing is sent; manager PIN {pin}").format(
                    pin=DEMO_PIN
                )
            )
        if self.throwaway_key:
            notes.append(
                self.tr("No system keyring: this demo uses a temporary key; data is lost on exit")
            )
        self.mode_label.setText(" · ".join(notes))
        self.mode_label.setVisible(bool(notes))
        self._show_connection()
        self._show_pending(self._pending)
        self.entry.setPlaceholderText(self.tr("Type the code under the QR, e.g. 7KQ2-M9XD-T"))
        self.check_button.setText(self.tr("Check"))
        self.manager_button.setText(self.tr("Manager"))
        self.video_button.setText(self.tr("Use a video as camera…"))
        self.camera_column.retranslate()
        self.print_button.setText(self.tr("Print voucher sheet…"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # --- input -------------------------------------------------------------------------
    def submit_entry(self) -> None:
        text = self.entry.text().strip()
        if not text:
            return
        self.entry.clear()
        self.ops.store_op(lambda: self.counter.enter_code(text), self.show_outcome, self._failed)

    def submit_scan(self, payload: str, source: ScanSource) -> None:
        """A payload read by the camera or a scanner; judged on the store thread."""
        self.ops.store_op(
            lambda: self.counter.scan(payload, source), self.show_outcome, self._failed
        )

    # --- output ------------------------------------------------------------------------
    def show_outcome(self, outcome: ScanOutcome) -> None:
        self.result_panel.show_state(self.machine.show(outcome, self._clock()))
        self.sounds.play(outcome.tone)
        self.undo_bar.offer(outcome)  # hides it under a refusal it does not belong to
        # A new scan closes the prompt that was open; a redemption held for its total opens it.
        self.sale_prompt.offer(outcome)
        if self.sync is not None and outcome.accepted:
            self.sync.send_soon()  # a redemption never waits for the network, but goes soon
        self._show_pending(outcome.pending_sync)
        self.outcome_shown.emit(outcome)

    def _sale_total_settled(self, _answer: object) -> None:
        """The prompt closed: the held redemption may go now, with its total if one was typed."""
        if self.sync is not None:
            self.sync.send_soon()
        self.refresh_pending()

    def entry_focus(self) -> None:
        """Back to the code line (the prompt closed while its field had the focus)."""
        self.entry.setFocus()

    def _typed_back(self, text: str) -> None:
        """Keys the scanner filter held back were typing after all: to the field they went to."""
        field = self.sale_prompt.field
        target = field if self.focusWidget() is field else self.entry
        target.insert(text)

    def _redemption_voided(self, _redemption_id: str) -> None:
        self.refresh_pending()

    def refresh_pending(self) -> None:
        if self.ops.stopped:  # an answer delivered after the kiosk shut down: nothing to ask
            return
        store = self.counter.store
        self.ops.store_op(store.outbox.pending_count, self._show_pending, self._failed)

    def _show_pending(self, count: int) -> None:
        self._pending = count
        self.pending_label.setText(self.tr("Waiting to sync: {count}").format(count=count))

    def attach_sync(self, sync: SyncWorker) -> None:
        """Show the sync's state and send each redemption soon after it is made."""
        self.sync = sync
        self.manager.sync = sync
        sync.status_changed.connect(self._sync_status_changed)
        sync.revoked.connect(self._revoked)
        self._show_connection()

    def _sync_status_changed(self, status: SyncStatus) -> None:
        self.sync_status = status
        self._show_connection()
        self.refresh_pending()

    def _show_connection(self) -> None:
        """The badge a cashier glances at (app.core.sync.connection_badge decides which)."""
        look = connection_badge(self.sync_status, demo=self.demo, syncing=self.sync is not None)
        text = self._badge_text(look.badge)
        if look.skew_minutes is not None:
            text += " · " + self.tr("clock off by {minutes} min").format(minutes=look.skew_minutes)
        self.connection_badge.setText(text)
        self.connection_badge.setStyleSheet(f"background: {look.colour}; {BADGE_STYLE}")

    def _badge_text(self, badge: Badge) -> str:
        match badge:
            case Badge.DEMO:
                return self.tr("Demo · offline")
            case Badge.NOT_ENROLLED:
                return self.tr("Offline · not enrolled for sync")
            case Badge.CONNECTING:
                return self.tr("Connecting…")
            case Badge.ONLINE:
                return self.tr("Online")
            case Badge.WAITING_TO_SEND:
                return self.tr("Waiting to send · working normally")
            case Badge.NOT_AUTHORISED:
                return self.tr("Not authorised: enrol again")
            case Badge.OFFLINE:
                return self.tr("Offline · working normally")

    def _revoked(self, message: str) -> None:
        """Head office revoked this kiosk and its data was wiped: say why, then stop."""
        self.stop_camera()
        self.entry.setEnabled(False)
        self.check_button.setEnabled(False)
        self.result_panel.show_notice(self.tr("This kiosk was revoked"), message)
        self.revoked_message = message
        self._exit_allowed = True  # nothing is left to protect; the next start asks to enrol

    def _tick(self) -> None:
        before = self.machine.state
        after = self.machine.tick(self._clock())
        if after is not before:
            self.result_panel.show_state(after)
            self.undo_bar.follow(after)

    def _failed(self, error: BaseException) -> None:
        """Errors go to the status line and the log; a modal box would stall the counter.
        The line says what happened in the screen's language; the exception, the log."""
        log.error("operation failed: %s", error, exc_info=error)
        camera_is_file = self.camera_column.video is not None
        self._say_error(error_text_for(error, camera_is_file=camera_is_file))

    def _say_error(self, text: str) -> None:
        self.statusBar().setStyleSheet("color: #c62828; font-weight: bold;")
        self.statusBar().showMessage(text, 30_000)

    # --- camera ------------------------------------------------------------------------
    def start_video(self, path: Path, pacing: Pacing = Pacing.LIVE) -> None:
        """Use a video file or image folder as the camera (:meth:`CameraColumn.start_video`)."""
        self.camera_column.start_video(path, pacing)

    def stop_camera(self) -> None:
        """Stop scanning from the camera (and stop looking for a lost one)."""
        self.camera_column.stop()

    def _camera_scan(self, scan: Scan) -> None:
        def shown(outcome: ScanOutcome) -> None:
            self.show_outcome(outcome)
            self.camera_result_shown.emit(scan, outcome)

        self.ops.store_op(
            lambda: self.counter.scan(scan.payload, ScanSource.CAMERA), shown, self._failed
        )

    def _wedge_scan(self, text: str, leaked: str) -> None:
        """A USB scanner typed a code; take back the keys that reached the entry line."""
        for line in (self.entry, self.sale_prompt.field):
            typed = line.text()
            if leaked and typed.endswith(leaked):
                line.setText(typed[: -len(leaked)])
        self.wedge_debounce.window_s = self.settings.debounce_seconds
        if not self.wedge_debounce.admit(text, ScanSource.WEDGE.value):
            # The same voucher scanned again within seconds is one scan; say so, or a cashier
            # who scanned twice on purpose sees nothing happen.
            self.statusBar().setStyleSheet("color: #9a5b00; font-weight: bold;")
            self.statusBar().showMessage(
                self.tr(
                    "Same code again within {seconds} s: it was checked once, the result is "
                    "above. To check it again, wait a moment and scan it again."
                ).format(seconds=max(1, math.ceil(self.settings.debounce_seconds))),
                8_000,
            )
            return
        self.ops.store_op(lambda: self.counter.scan_wedge(text), self.show_outcome, self._failed)

    def _undone(self, _correction: object) -> None:
        self.sale_prompt.close_prompt(PromptClose.UNDONE)
        state = self.machine.reset()
        self.result_panel.show_state(state)
        self.undo_bar.follow(state)
        # The undone voucher may be shown again at once: it must not be debounced away.
        self.wedge_debounce.reset()
        self.camera_column.reset_debounce()
        self.refresh_pending()

    # --- kiosk mode ----------------------------------------------------------------------
    def enter_kiosk_mode(self) -> None:
        """Full screen; closing needs the manager PIN (the panel's Exit kiosk)."""
        self.kiosk_mode = True
        self._exit_allowed = False
        # Full screen is a request to the window manager; a kiosk started straight from xinit
        # has none, and the window would stay at its normal size in a corner. Covering the
        # screen ourselves first makes both cases the same.
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is not None:
            self.setGeometry(screen.geometry())
        self.showFullScreen()

    def exit_kiosk(self) -> None:
        """The manager chose Exit kiosk (after the PIN): close for real."""
        self._exit_allowed = True
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._exit_allowed:
            # Alt+F4, the window manager's close, a stray shortcut: ask for the manager instead.
            event.ignore()
            self.manager.open()
            return
        self.camera_column.closed = True
        self.stop_camera()
        self.sale_prompt.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self.wedge)
        super().closeEvent(event)

    # --- demo tools --------------------------------------------------------------------
    def _choose_video(self) -> None:
        if not self.demo:
            return
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Video to use as camera"), "", self.tr("Videos (*.mp4 *.avi *.mkv)")
        )
        if path:
            self.start_video(Path(path))

    def _choose_sheet(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Save voucher sheet"), "vouchers.pdf", self.tr("PDF (*.pdf);;PNG (*.png)")
        )
        if path:
            self.print_sheet(Path(path))

    def print_sheet(self, path: Path) -> None:
        """Render the demo vouchers off the GUI thread, then say where they went."""
        catalogue = self.demo_catalogue
        if catalogue is None:
            return
        vouchers = [v.printable() for v in catalogue.all_vouchers]
        self.print_button.setEnabled(False)

        def done(written: list[Path]) -> None:
            self.print_button.setEnabled(True)
            self.sheet_written.emit(written)
            self.statusBar().setStyleSheet("")
            self.statusBar().showMessage(
                self.tr("Voucher sheet saved: {files}").format(
                    files=", ".join(str(p) for p in written)
                ),
                15_000,
            )

        def failed(error: BaseException) -> None:
            self.print_button.setEnabled(True)
            log.error("voucher sheet %s not written: %s", path, error, exc_info=error)
            self._say_error(error_text(ErrorKind.SHEET_NOT_SAVED))

        self.ops.background_op(lambda: write_sheet(vouchers, path), done, failed)
