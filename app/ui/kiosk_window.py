"""The counter window: a big result panel, the entry line and the always-visible status.

Thin over ``app.core``: it turns cashier input into counter calls (through
:class:`~app.ui.operations.Operations`, never on the GUI thread) and renders
:class:`~app.core.screen.ScreenState`.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QFont
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.counter import Counter, ScanOutcome, ScanSource, Tone
from app.core.demo import DemoCatalogue
from app.core.money import format_guaranies
from app.core.scanning import (
    DecoderChain,
    FrameSource,
    Pacing,
    Scan,
    ScanError,
    ScanPipeline,
    open_source,
)
from app.core.screen import Screen, ScreenState, ScreenStateMachine
from app.core.store import DiscountKind
from app.core.validation import Reason
from app.core.voucher_sheet import write_sheet
from app.ui.camera_worker import CameraWorker
from app.ui.operations import Operations
from app.ui.texts import reason_advice, reason_title

log = logging.getLogger(__name__)

TONE_COLOURS = {
    Tone.VALID: ("#1b7f3b", "#ffffff"),
    Tone.WARNING: ("#f2c200", "#1a1a1a"),
    Tone.INVALID: ("#c62828", "#ffffff"),
}
READY_COLOURS = ("#f4f4f4", "#1a1a1a")


def _signature_validator(keys: dict[int, Ed25519PublicKey]):  # TEMP until scanning lands its own
    from app.core.tokens import TokenError, verify

    def ok(text: str) -> bool:
        try:
            verify(text, keys)
        except TokenError:
            return False
        return True

    return ok


class ResultPanel(QFrame):
    """The part of the screen a cashier reads from a metre away."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resultPanel")
        self.title = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        self.title.setObjectName("resultTitle")
        self.offer = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        self.offer.setObjectName("resultOffer")
        self.detail = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        self.detail.setObjectName("resultDetail")
        self.detail.setWordWrap(True)
        for label, size in ((self.title, 44), (self.offer, 30), (self.detail, 20)):
            font = QFont(label.font())
            font.setPointSize(size)
            font.setBold(label is not self.detail)
            label.setFont(font)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.title)
        layout.addWidget(self.offer)
        layout.addWidget(self.detail)
        layout.addStretch(1)
        self.show_state(ScreenState(Screen.READY))

    def show_state(self, state: ScreenState) -> None:
        outcome = state.outcome
        if state.screen is Screen.READY or outcome is None:
            background, foreground = READY_COLOURS
            self.title.setText(self.tr("Ready to scan"))
            self.offer.setText(self.tr("Show the voucher's QR to the camera"))
            self.detail.setText(self.tr("or type the code printed under it"))
        else:
            background, foreground = TONE_COLOURS[outcome.tone]
            self.title.setText(reason_title(outcome.reason))
            self.offer.setText(self._offer_text(outcome))
            self.detail.setText(self._detail_text(outcome))
        self.setStyleSheet(
            f"#resultPanel {{ background: {background}; border-radius: 16px; }}"
            f"#resultPanel QLabel {{ color: {foreground}; }}"
        )

    def _offer_text(self, outcome: ScanOutcome) -> str:
        if outcome.offer is None:
            return ""
        offer = outcome.offer
        if outcome.reason is Reason.VALID and offer.discount_kind is DiscountKind.AMOUNT:
            return f"{offer.title}: −{format_guaranies(offer.discount_value)}"
        return f"{offer.title}: {offer.discount_text}"

    def _detail_text(self, outcome: ScanOutcome) -> str:
        prior = outcome.recorded.prior
        if outcome.reason is Reason.ALREADY_REDEEMED and prior is not None:
            when = prior.redeemed_at.astimezone().strftime("%d/%m/%Y %H:%M")
            where = prior.device_name or prior.device_id
            return (
                self.tr("Used on {when} at {where}.").format(when=when, where=where)
                + " "
                + (reason_advice(outcome.reason))
            )
        return reason_advice(outcome.reason)


class KioskWindow(QMainWindow):
    """The counter screen. ``outcome_shown`` fires after each result is on screen."""

    outcome_shown = Signal(object)
    sheet_written = Signal(list)

    def __init__(
        self,
        counter: Counter,
        operations: Operations,
        *,
        demo: bool,
        throwaway_key: bool,
        demo_catalogue: DemoCatalogue | None = None,
        result_seconds: float = 5.0,
    ) -> None:
        super().__init__()
        self.counter = counter
        self.demo_catalogue = demo_catalogue
        self.ops = operations
        self.machine = ScreenStateMachine(result_seconds)
        self.setWindowTitle(self.tr("Pika Counter"))
        self.resize(1024, 700)

        device = counter.device
        self.business_label = QLabel(f"<b>{device.business_name}</b> · {device.device_name}")
        self.business_label.setObjectName("businessLabel")
        self.pending_label = QLabel()
        self.pending_label.setObjectName("pendingLabel")
        self.mode_label = QLabel()
        self.mode_label.setObjectName("modeLabel")
        notes = []
        if demo:
            notes.append(self.tr("DEMO MODE: demo vouchers, nothing is sent"))
        if throwaway_key:
            notes.append(
                self.tr("No system keyring: this demo uses a temporary key; data is lost on exit")
            )
        self.mode_label.setText(" · ".join(notes))
        self.mode_label.setStyleSheet("color: #9a5b00; font-weight: bold;")
        self.mode_label.setVisible(bool(notes))

        self.result_panel = ResultPanel()
        self.entry = QLineEdit()
        self.entry.setObjectName("codeEntry")
        self.entry.setPlaceholderText(self.tr("Type the code under the QR, e.g. 7KQ2-M9XD-R"))
        entry_font = QFont(self.entry.font())
        entry_font.setPointSize(20)
        self.entry.setFont(entry_font)
        self.entry.returnPressed.connect(self.submit_entry)
        self.redeem_button = QPushButton(self.tr("Check"))
        self.redeem_button.setFont(entry_font)
        self.redeem_button.clicked.connect(self.submit_entry)

        self.video_button = QPushButton(self.tr("Use a video as camera…"))
        self.video_button.clicked.connect(self._choose_video)
        self.print_button = QPushButton(self.tr("Print voucher sheet…"))
        self.print_button.clicked.connect(self._choose_sheet)
        self.print_button.setVisible(demo_catalogue is not None)

        top = QHBoxLayout()
        top.addWidget(self.business_label)
        top.addStretch(1)
        top.addWidget(self.pending_label)
        entry_row = QHBoxLayout()
        entry_row.addWidget(self.entry, 1)
        entry_row.addWidget(self.redeem_button)
        tools = QHBoxLayout()
        tools.addWidget(self.video_button)
        tools.addWidget(self.print_button)
        tools.addStretch(1)
        root = QVBoxLayout()
        root.addLayout(top)
        root.addWidget(self.mode_label)
        root.addWidget(self.result_panel, 1)
        root.addLayout(entry_row)
        root.addLayout(tools)
        central = QWidget()
        central.setLayout(root)
        self.setCentralWidget(central)

        self.camera: CameraWorker | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(200)
        self._timer.timeout.connect(self._tick)
        self._timer.start()
        self.refresh_pending()

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
        self._show_pending(outcome.pending_sync)
        self.outcome_shown.emit(outcome)

    def refresh_pending(self) -> None:
        store = self.counter.store
        self.ops.store_op(store.pending_outbox_count, self._show_pending, self._failed)

    def _show_pending(self, count: int) -> None:
        self.pending_label.setText(self.tr("Waiting to sync: {count}").format(count=count))

    def _tick(self) -> None:
        before = self.machine.state
        after = self.machine.tick(time.monotonic())
        if after is not before:
            self.result_panel.show_state(after)

    def _failed(self, error: BaseException) -> None:
        """Errors go to the status line and the log; a modal box would stall the counter."""
        log.error("operation failed: %s", error, exc_info=error)
        self.statusBar().setStyleSheet("color: #c62828; font-weight: bold;")
        self.statusBar().showMessage(self.tr("Error: {error}").format(error=error), 30_000)

    # --- demo tools --------------------------------------------------------------------
    def _choose_video(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Video to use as camera"), "", self.tr("Videos (*.mp4 *.avi *.mkv)")
        )
        if path:
            self.start_video(Path(path))

    def start_video(self, path: Path, pacing: Pacing = Pacing.PACED) -> None:
        """Use a video file or image folder as the camera, through the real capture code."""
        try:
            source = open_source(str(path), pacing=pacing)
        except ScanError as exc:
            self._failed(exc)
            return
        self.start_camera(source)

    def start_camera(self, source: FrameSource) -> None:
        """Scan from ``source``; the decoder trusts only texts that verify with known keys."""

        def started(keys: dict[int, Ed25519PublicKey]) -> None:
            self.stop_camera()
            chain = DecoderChain(validator=_signature_validator(keys))
            self.camera = CameraWorker(ScanPipeline(source, chain=chain), self)
            self.camera.scanned.connect(self._camera_scan)
            self.camera.failed.connect(lambda message: self._failed(ScanError(message)))
            self.camera.start()

        self.ops.store_op(self.counter.store.public_keys, started, self._failed)

    def stop_camera(self) -> None:
        if self.camera is not None:
            self.camera.stop()
            self.camera = None

    def _camera_scan(self, scan: Scan) -> None:
        self.submit_scan(scan.payload, ScanSource.CAMERA)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.stop_camera()
        super().closeEvent(event)

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
            self.statusBar().showMessage(
                self.tr("Voucher sheet saved: {files}").format(
                    files=", ".join(str(p) for p in written)
                ),
                15_000,
            )

        def failed(error: BaseException) -> None:
            self.print_button.setEnabled(True)
            self._failed(error)

        self.ops.background_op(lambda: write_sheet(vouchers, path), done, failed)
