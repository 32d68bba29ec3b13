"""The counter window: result panel, camera preview, entry line and the always-visible status.

Thin over ``app.core``: it turns cashier input (camera, scanner, keyboard) into counter calls
through :class:`~app.ui.operations.Operations` (never on the GUI thread) and renders
:class:`~app.core.screen.ScreenState`. Every text is set in :meth:`KioskWindow.retranslate`, so
switching language at run time re-labels the whole window.
"""

from __future__ import annotations

import logging
import math
import time
from datetime import timedelta
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from PySide6.QtCore import QEvent, QTimer, Signal
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

from app.core.corrections import Corrections
from app.core.counter import Counter, ScanOutcome, ScanSource
from app.core.demo import DemoCatalogue
from app.core.error_kinds import ErrorKind
from app.core.kiosk_settings import KioskSettings
from app.core.manager_pin import DEMO_PIN, ManagerPin
from app.core.result_look import TypeScale, type_scale
from app.core.scanning import (
    Debouncer,
    DecoderChain,
    FrameSource,
    Pacing,
    Scan,
    ScanError,
    ScanPipeline,
    open_source,
    signature_validator,
)
from app.core.screen import ScreenStateMachine
from app.core.sync import SyncStatus
from app.core.sync.loop import Connection
from app.ui.camera_preview import CameraPreview
from app.ui.camera_worker import CameraWorker
from app.ui.language import Language
from app.ui.manager_access import ManagerAccess
from app.ui.operations import Operations
from app.ui.result_panel import ResultPanel
from app.ui.sounds import ResultSounds
from app.ui.sync_worker import SyncWorker
from app.ui.texts import error_text, error_text_for
from app.ui.undo_bar import UndoBar
from app.ui.wedge_filter import WedgeScannerFilter
from pika_print.voucher_sheet import write_sheet

log = logging.getLogger(__name__)

#: How often a missing or lost camera is looked for again.
CAMERA_RETRY_MS = 5_000

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
        counter: Counter,
        operations: Operations,
        *,
        demo: bool,
        throwaway_key: bool,
        demo_catalogue: DemoCatalogue | None = None,
        settings: KioskSettings | None = None,
        language: Language | None = None,
        kiosk_mode: bool = False,
    ) -> None:
        super().__init__()
        self.counter = counter
        self.ops = operations
        self.demo = demo
        self.throwaway_key = throwaway_key
        self.demo_catalogue = demo_catalogue
        self.settings = settings or KioskSettings()
        self.language = language
        self.machine = ScreenStateMachine(self.settings.result_timeout_seconds)
        self.camera: CameraWorker | None = None
        self._camera_retry = QTimer(self)
        self._camera_retry.setSingleShot(True)
        self._camera_retry.setInterval(CAMERA_RETRY_MS)
        self._camera_retry.timeout.connect(self.start_configured_camera)
        self.sounds = ResultSounds(enabled=self.settings.sounds, parent=self)
        self._pending = 0
        self.sync: SyncWorker | None = None
        self.sync_status: SyncStatus | None = None
        self.revoked_message: str | None = None
        self.kiosk_mode = kiosk_mode
        self._exit_allowed = not kiosk_mode
        self._closed = False
        self.resize(1200, 760)
        self.corrections = Corrections(counter.store, counter.device)
        self.manager = ManagerAccess(
            operations,
            self.corrections,
            ManagerPin(counter.store),
            self.settings,
            self,
            demo=demo,
        )
        self.manager.settings_changed.connect(self.apply_settings)
        self.manager.exit_requested.connect(self.exit_kiosk)
        self.manager.redemption_voided.connect(self._redemption_voided)

        self.business_label = QLabel()
        self.business_label.setObjectName("businessLabel")
        self.connection_badge = QLabel()
        self.connection_badge.setObjectName("connectionBadge")
        self.pending_label = QLabel()
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
        self.preview = CameraPreview()
        self.preview.setVisible(False)
        # A video standing in for the camera ends; the preview would freeze on its last frame.
        # It is said here with a way to play it again, not looped: a second pass shows every
        # voucher as already used, which to a demo's audience looks like the kiosk failing.
        self.video_ended = QLabel()
        self.video_ended.setObjectName("videoEnded")
        self.video_ended.setWordWrap(True)
        self.video_ended.setStyleSheet("color: #9a5b00; font-weight: bold;")
        self.replay_button = QPushButton()
        self.replay_button.setObjectName("replayVideo")
        self.replay_button.clicked.connect(self.replay_video)
        self._video: tuple[Path, Pacing] | None = None
        ended_row = QHBoxLayout()
        ended_row.addWidget(self.video_ended, 1)
        ended_row.addWidget(self.replay_button)
        self.video_ended_bar = QWidget()
        self.video_ended_bar.setLayout(ended_row)
        self.video_ended_bar.setVisible(False)
        camera_column = QVBoxLayout()
        camera_column.addWidget(self.preview, 1)
        camera_column.addWidget(self.video_ended_bar)

        self.entry = QLineEdit()
        self.entry.setObjectName("codeEntry")
        self.entry.returnPressed.connect(self.submit_entry)
        self.check_button = QPushButton()
        self.check_button.clicked.connect(self.submit_entry)

        self.video_button = QPushButton()
        self.video_button.clicked.connect(self._choose_video)
        # It opens a file browser: only the demo offers it to whoever stands at the counter.
        # A real kiosk's manager chooses a video in the panel's settings, behind the PIN.
        self.video_button.setVisible(demo)
        self.print_button = QPushButton()
        self.print_button.clicked.connect(self._choose_sheet)
        self.print_button.setVisible(demo_catalogue is not None)

        top = QHBoxLayout()
        top.addWidget(self.business_label)
        top.addStretch(1)
        top.addWidget(self.connection_badge)
        top.addWidget(self.pending_label)
        top.addWidget(self.manager_button)
        middle = QHBoxLayout()
        middle.addWidget(self.result_panel, 3)
        middle.addLayout(camera_column, 2)
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
        root.addWidget(self.undo_bar)
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
        self.wedge.typed.connect(self.entry.insert)
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
            (self.video_ended, scale.status),
            (self.replay_button, scale.status),
        ):
            font = QFont(widget.font())
            font.setPixelSize(size)
            widget.setFont(font)

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
        self.preview.mirror = settings.mirror_preview
        if self.language is not None and self.language.current != settings.language:
            self.language.switch(settings.language)
        if self.camera is not None:
            self.camera.pipeline.debouncer.window_s = settings.debounce_seconds
        if camera_changed and self.camera is not None:
            self.start_configured_camera()

    def start_configured_camera(self) -> None:
        """Open the camera the settings name (off the GUI thread: opening can be slow)."""
        spec, resolution = self.settings.camera_spec, self.settings.resolution

        self._camera_retry.stop()

        def opened(source: FrameSource) -> None:
            self.statusBar().clearMessage()
            self.result_panel.set_camera_available(True)
            self._video = None
            self.start_camera(source)

        def failed(error: BaseException) -> None:
            self.stop_camera()
            self._video = None  # the configured camera failed, not a video chosen before
            self._camera_unavailable(str(error))

        self.ops.background_op(lambda: open_source(spec, resolution=resolution), opened, failed)

    def _camera_unavailable(self, error: str) -> None:
        """No camera, or it was lost (a USB webcam unplugged): say so and keep trying, so
        plugging it back in is all a cashier has to do. Scanner and typing work meanwhile.
        The reason (in English, from OpenCV or the OS) goes to the log, not the cashier's line;
        a video standing in for the camera is not retried, and is said to be a video."""
        log.warning("no camera: %s", error)
        self.result_panel.set_camera_available(False)
        self.statusBar().setStyleSheet("color: #9a5b00; font-weight: bold;")
        webcam = isinstance(self.settings.camera, int) and self._video is None
        kind = ErrorKind.CAMERA_MISSING if webcam else ErrorKind.VIDEO_UNREADABLE
        self.statusBar().showMessage(error_text(kind))
        # A camera that failed to open after the window closed is not looked for again.
        if webcam and not self._closed:
            self._camera_retry.start()

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
        self.video_ended.setText(
            self.tr("The video used as the camera has ended: the picture is its last frame.")
        )
        self.replay_button.setText(self.tr("Play it again"))
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
        self.result_panel.show_state(self.machine.show(outcome, time.monotonic()))
        self.sounds.play(outcome.tone)
        self.undo_bar.offer(outcome)  # hides it under a refusal it does not belong to
        if self.sync is not None and outcome.accepted:
            self.sync.send_soon()  # a redemption never waits for the network, but goes soon
        self._show_pending(outcome.pending_sync)
        self.outcome_shown.emit(outcome)

    def _redemption_voided(self, _redemption_id: str) -> None:
        self.refresh_pending()

    def refresh_pending(self) -> None:
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
        """The badge a cashier glances at: online, waiting to send or offline (and still
        working), or why not."""
        status = self.sync_status
        if self.demo:
            text, colour = self.tr("Demo · offline"), "#6d4c41"
        elif self.sync is None:
            text, colour = self.tr("Offline · not enrolled for sync"), "#757575"
        elif status is None or status.connection is Connection.UNKNOWN:
            text, colour = self.tr("Connecting…"), "#757575"
        elif status.connection is Connection.ONLINE:
            text, colour = self.tr("Online"), "#2e7d32"
        elif status.connection is Connection.WAITING_TO_SEND:
            # Head office answered, but the shop is over its tier for now: nothing is wrong
            # at the counter, the redemptions go when head office takes them again.
            text, colour = self.tr("Waiting to send · working normally"), "#1565c0"
        elif status.connection is Connection.NOT_AUTHORISED:
            text, colour = self.tr("Not authorised: enrol again"), "#c62828"
        else:
            text, colour = self.tr("Offline · working normally"), "#757575"
        if status is not None and status.clock_skewed and status.clock_skew_s is not None:
            text += " · " + self.tr("clock off by {minutes} min").format(
                minutes=round(status.clock_skew_s / 60)
            )
            colour = "#ef6c00"
        self.connection_badge.setText(text)
        self.connection_badge.setStyleSheet(f"background: {colour}; {BADGE_STYLE}")

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
        after = self.machine.tick(time.monotonic())
        if after is not before:
            self.result_panel.show_state(after)
            self.undo_bar.follow(after)

    def _failed(self, error: BaseException) -> None:
        """Errors go to the status line and the log; a modal box would stall the counter.
        The line says what happened in the screen's language; the exception, the log."""
        log.error("operation failed: %s", error, exc_info=error)
        self._say_error(error_text_for(error, camera_is_file=self._video is not None))

    def _say_error(self, text: str) -> None:
        self.statusBar().setStyleSheet("color: #c62828; font-weight: bold;")
        self.statusBar().showMessage(text, 30_000)

    # --- camera ------------------------------------------------------------------------
    def start_video(self, path: Path, pacing: Pacing = Pacing.LIVE) -> None:
        """Use a video file or image folder as the camera, through the real capture code.

        LIVE pacing plays it like a camera (real time, newest frame wins, with preview);
        ALL hands every frame to the decoder (tests, measurements).
        """
        try:
            source = open_source(str(path), pacing=pacing)
        except ScanError as exc:
            log.error("video %s cannot be used as the camera: %s", path, exc)
            self._say_error(error_text(ErrorKind.VIDEO_UNREADABLE))
            return
        self._video = (path, pacing)
        self.start_camera(source)

    def replay_video(self) -> None:
        """Play the video that ended from its start (the same one, the same way)."""
        if self._video is not None:
            self.start_video(*self._video)
        elif isinstance(self.settings.camera, Path):
            self.start_configured_camera()

    def start_camera(self, source: FrameSource) -> None:
        """Scan from ``source``; the decoder trusts only texts that verify with known keys."""

        def started(keys: dict[int, Ed25519PublicKey]) -> None:
            self.stop_camera()
            chain = DecoderChain(validator=signature_validator(keys))
            debouncer = Debouncer(window_s=self.settings.debounce_seconds)
            pipeline = ScanPipeline(source, chain=chain, debouncer=debouncer)
            camera = CameraWorker(pipeline, self)
            self.camera = camera
            camera.scanned.connect(self._camera_scan)
            camera.failed.connect(self._camera_lost)
            camera.finished.connect(self._camera_finished)
            self.video_ended_bar.setVisible(False)
            self.preview.mirror = self.settings.mirror_preview
            self.preview.watch(source)
            self.preview.setVisible(source.pacing is Pacing.LIVE)
            self.camera.start()

        self.ops.store_op(self.counter.store.reference.public_keys, started, self._failed)

    def stop_camera(self) -> None:
        """Stop scanning from the camera (and stop looking for a lost one)."""
        self._camera_retry.stop()
        if self.camera is not None:
            self.camera.stop()
            self.camera = None
        self.preview.watch(None)
        self.preview.setVisible(False)
        self.video_ended_bar.setVisible(False)

    def _camera_finished(self) -> None:
        """A camera loop ended (queued from its thread): if it was a video that ran out of
        frames, and still the one in use, say so."""
        camera = self.sender()
        if camera is self.camera and self.camera is not None and self.camera.pipeline.source_ended:
            self.video_ended_bar.setVisible(True)

    def _camera_lost(self, message: str) -> None:
        self.stop_camera()
        self._camera_unavailable(message)

    def _camera_scan(self, scan: Scan) -> None:
        def shown(outcome: ScanOutcome) -> None:
            self.show_outcome(outcome)
            self.camera_result_shown.emit(scan, outcome)

        self.ops.store_op(
            lambda: self.counter.scan(scan.payload, ScanSource.CAMERA), shown, self._failed
        )

    def _wedge_scan(self, text: str, leaked: str) -> None:
        """A USB scanner typed a code; take back the keys that reached the entry line."""
        typed = self.entry.text()
        if leaked and typed.endswith(leaked):
            self.entry.setText(typed[: -len(leaked)])
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
        state = self.machine.reset()
        self.result_panel.show_state(state)
        self.undo_bar.follow(state)
        # The undone voucher may be shown again at once: it must not be debounced away.
        self.wedge_debounce.reset()
        if self.camera is not None:
            self.camera.pipeline.debouncer.reset()
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
        self._closed = True
        self.stop_camera()
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
