"""The manager panel behind the PIN: scan history with voids, today's counts, settings, PIN,
and the way out of kiosk mode.

Thin over the core: history and voids come from :class:`app.core.corrections.Corrections`,
settings are a :class:`app.core.kiosk_settings.KioskSettings`, the PIN is
:class:`app.core.manager_pin.ManagerPin`. Every store call goes through
:meth:`Operations.store_op`; looking for cameras (slow: each one is opened) through
:meth:`Operations.background_op`. The kiosk window listens to the signals: it applies new
settings, leaves kiosk mode, and refreshes its counts after a void.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, Qt, Signal
from PySide6.QtGui import QFont, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.corrections import (
    MAX_REASON_CHARS,
    Correction,
    Corrections,
    HistoryLine,
    InvalidVoidReason,
    NotVoidable,
    RedemptionState,
)
from app.core.kiosk_settings import (
    DEBOUNCE_SECONDS,
    RESULT_TIMEOUT_SECONDS,
    UNDO_WINDOW_SECONDS,
    InvalidSettingError,
    KioskSettings,
)
from app.core.manager_pin import ManagerPin
from app.core.result_look import PanelTypeScale, panel_style_sheet, panel_type_scale
from app.core.scanning.capture import CameraInfo, probe_cameras
from app.core.store import ScanSource
from app.core.sync.result_labels import sync_label
from app.ui.lifetime import while_alive
from app.ui.operations import Operations
from app.ui.pin_dialog import PinDialog, PinPurpose
from app.ui.sync_panel import SyncPanel, label_words
from app.ui.sync_worker import SyncWorker
from app.ui.texts import error_text_for, reason_title
from pika_protocol.validation import Reason

log = logging.getLogger(__name__)

_CONTEXT = "ManagerView"
_SOURCES = {
    ScanSource.CAMERA: QT_TRANSLATE_NOOP("ManagerView", "Camera"),
    ScanSource.WEDGE: QT_TRANSLATE_NOOP("ManagerView", "Scanner"),
    ScanSource.MANUAL: QT_TRANSLATE_NOOP("ManagerView", "Typed"),
}
#: Reasons a manager often gives; any other text may be typed.
VOID_REASONS = (
    QT_TRANSLATE_NOOP("VoidDialog", "Scanned by mistake"),
    QT_TRANSLATE_NOOP("VoidDialog", "The customer did not get the discount"),
    QT_TRANSLATE_NOOP("VoidDialog", "Wrong voucher scanned"),
)
RESOLUTIONS = ("640x480", "1280x720", "1920x1080")
#: Languages are named in their own language, so anyone can find theirs.
LANGUAGE_NAMES = (("es", "Español"), ("en", "English"))
#: The settings form's rows, by the setting each one edits (None: no setting of its own).
SETTING_ROWS = (
    "camera",
    None,
    "resolution",
    "mirror_preview",
    "sounds",
    "language",
    "debounce_seconds",
    "result_timeout_seconds",
    "undo_window_seconds",
)
HISTORY_COLUMNS = 7
SYNC_COLUMN = 5
VOID_COLUMN = 6


def source_title(source: ScanSource) -> str:
    return QCoreApplication.translate(_CONTEXT, str(_SOURCES[source]))


@dataclass(frozen=True, slots=True)
class HistoryPage:
    """What the history tab shows, read in one go on the store thread."""

    lines: list[HistoryLine]
    counts_today: dict[Reason, int]
    offer_titles: dict[int, str]


def read_history(corrections: Corrections, limit: int) -> HistoryPage:
    store = corrections.store
    return HistoryPage(
        lines=corrections.history(limit),
        counts_today=corrections.counts_today(),
        offer_titles={offer.offer_id: offer.title for offer in store.reference.offers()},
    )


class VoidButton(QPushButton):
    """A history row's Void… button: ``void_requested(HistoryLine)`` names its row."""

    void_requested = Signal(object)

    def __init__(self, line: HistoryLine, text: str) -> None:
        super().__init__(text)
        self.line = line
        self.clicked.connect(self._clicked)

    def _clicked(self) -> None:
        self.void_requested.emit(self.line)


class VoidDialog(QDialog):
    """Asks why a redemption is voided; OK stays disabled until a reason is given.

    ``confirmed(HistoryLine, str)`` carries the line and the reason once it is accepted.
    """

    confirmed = Signal(object, str)

    def __init__(self, line: HistoryLine, offer_title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("voidDialog")
        self.setMinimumWidth(560)
        font = QFont(self.font())
        font.setPointSize(14)
        self.setFont(font)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.line = line
        self.offer_title = offer_title
        self.explanation = QLabel()
        self.explanation.setWordWrap(True)
        self.reason_box = QComboBox()
        self.reason_box.setObjectName("voidReason")
        self.reason_box.setEditable(True)
        self.reason_box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        line_edit = self.reason_box.lineEdit()
        assert line_edit is not None
        line_edit.setMaxLength(MAX_REASON_CHARS)
        self.reason_box.editTextChanged.connect(self._update_ok)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._accept_if_reason)
        self.buttons.rejected.connect(self.reject)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        layout = QVBoxLayout(self)
        layout.addWidget(self.explanation)
        self.reason_label = QLabel()
        layout.addWidget(self.reason_label)
        layout.addWidget(self.reason_box)
        layout.addWidget(self.buttons)
        self.retranslate()
        self.reason_box.setCurrentIndex(-1)
        self.reason_box.setEditText("")
        self._update_ok()

    def reason(self) -> str:
        return self.reason_box.currentText().strip()

    def retranslate(self) -> None:
        record = self.line.record
        self.setWindowTitle(self.tr("Void redemption"))
        self.explanation.setText(
            self.tr(
                "Void the redemption of {offer} (serial {serial}) made {when}? The voucher "
                "can then be used again. The void is recorded and sent to head office."
            ).format(
                offer=self.offer_title or "—",
                serial=record.serial,
                when=record.scanned_at.astimezone().strftime("%d/%m/%Y %H:%M"),
            )
        )
        self.reason_label.setText(self.tr("Why is it voided?"))
        typed = self.reason_box.currentText()
        self.reason_box.clear()
        self.reason_box.addItems(
            [QCoreApplication.translate("VoidDialog", str(text)) for text in VOID_REASONS]
        )
        self.reason_box.setEditText(typed)
        self.ok_button.setText(self.tr("Void"))
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText(self.tr("Cancel"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _update_ok(self) -> None:
        self.ok_button.setEnabled(bool(self.reason()))

    def _accept_if_reason(self) -> None:
        if self.reason():
            self.confirmed.emit(self.line, self.reason())
            self.accept()


class ManagerView(QDialog):
    """The manager panel. Signals for the kiosk window:

    ``settings_changed(KioskSettings)`` after new settings were saved to the store;
    ``exit_requested()`` when the manager leaves kiosk mode;
    ``redemption_voided(str)`` with the redemption id after a void was recorded.
    """

    settings_changed = Signal(object)
    exit_requested = Signal()
    redemption_voided = Signal(str)

    def __init__(
        self,
        ops: Operations,
        corrections: Corrections,
        pin: ManagerPin,
        settings: KioskSettings,
        parent: QWidget | None = None,
        *,
        camera_probe: Callable[[], list[CameraInfo]] = probe_cameras,
        history_limit: int = 200,
        sync: SyncWorker | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("managerView")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.resize(1100, 720)
        self.ops = ops
        self.corrections = corrections
        self.pin = pin
        self.settings = settings
        self.history_limit = history_limit
        self._camera_probe = camera_probe
        self.page = HistoryPage([], {}, {})
        self.cameras: list[CameraInfo] | None = None
        self.void_dialog: VoidDialog | None = None
        self.pin_dialog: PinDialog | None = None
        self._camera_paths: list[str] = []

        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_history(), "")
        self.tabs.addTab(self._build_settings(), "")
        self.sync_panel = SyncPanel(sync, self) if sync is not None else None
        if self.sync_panel is not None:
            self.tabs.addTab(self.sync_panel, "")

        self.status = QLabel()
        self.status.setObjectName("managerStatus")
        self.status.setWordWrap(True)
        self.change_pin_button = QPushButton()
        self.change_pin_button.clicked.connect(self.change_pin)
        self.exit_button = QPushButton()
        self.exit_button.setObjectName("exitKiosk")
        # A border of its own makes Qt paint the button from this sheet alone: with only a
        # background the style shaded it to a light red that white text fails AA on (2.9:1).
        self.exit_button.setStyleSheet(
            "QPushButton { background: #c62828; color: white; font-weight: bold;"
            " border: 1px solid #8e0b0b; border-radius: 4px; padding: 4px 12px; }"
            " QPushButton:focus { border: 3px solid #1a1a1a; }"
        )
        self.exit_button.clicked.connect(self.exit_requested)
        self.back_button = QPushButton()
        self.back_button.setObjectName("backToCounter")
        self.back_button.clicked.connect(self.accept)
        bottom = QHBoxLayout()
        bottom.addWidget(self.change_pin_button)
        bottom.addWidget(self.exit_button)
        bottom.addStretch(1)
        bottom.addWidget(self.back_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.status)
        layout.addLayout(bottom)
        self.apply_type_scale(panel_type_scale(self.width(), self.height()))
        self.retranslate()
        self.show_settings(settings)
        self.refresh_history()
        self.look_for_cameras()

    # -- sizes ----------------------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Text follows the panel's size, as on the counter screen (app.core.result_look)."""
        super().resizeEvent(event)
        self.apply_type_scale(panel_type_scale(event.size().width(), event.size().height()))

    def apply_type_scale(self, scale: PanelTypeScale) -> None:
        self.type_scale = scale
        # The panel's own font reaches every child without one of its own (tabs, form, Sync).
        _set_pixel_size(self, scale.body)
        _set_pixel_size(self.counts_label, scale.heading)
        _set_pixel_size(self.table, scale.table)
        self.table.verticalHeader().setDefaultSectionSize(scale.row)
        sheet = panel_style_sheet(scale)
        for widget in (
            self.mirror_check,
            self.sounds_check,
            self.debounce_spin,
            self.result_spin,
            self.undo_spin,
        ):
            if widget.styleSheet() != sheet:  # each new sheet re-polishes the widget
                widget.setStyleSheet(sheet)
            # A widget with a sheet of its own stops following the panel's font: set it here.
            _set_pixel_size(widget, scale.body)
        for spin in (self.debounce_spin, self.result_spin, self.undo_spin):
            spin.setMinimumHeight(scale.row)  # two arrow buttons a finger can tell apart
            editor = spin.lineEdit()
            if editor is not None:  # the number itself: it has the sheet too, so its own font
                _set_pixel_size(editor, scale.body)
        for button in (
            self.change_pin_button,
            self.exit_button,
            self.back_button,
            self.save_button,
            self.refresh_button,
        ):
            _set_pixel_size(button, scale.button)
            button.setMinimumHeight(scale.button_height)

    # -- building -------------------------------------------------------------------------------

    def _build_history(self) -> QWidget:
        self.counts_label = QLabel()
        self.counts_label.setObjectName("countsToday")
        self.counts_label.setWordWrap(True)
        self.table = QTableWidget(0, HISTORY_COLUMNS)
        self.table.setObjectName("historyTable")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        # Tab leaves the table (arrows move inside it): with Tab walking its cells, a keyboard
        # never reached the buttons below a long history.
        self.table.setTabKeyNavigation(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.refresh_button = QPushButton()
        self.refresh_button.clicked.connect(self.refresh_history)
        top = QHBoxLayout()
        top.addWidget(self.counts_label, 1)
        top.addWidget(self.refresh_button)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        return page

    def _build_settings(self) -> QWidget:
        self.camera_box = QComboBox()
        self.camera_box.setObjectName("cameraBox")
        self.camera_search_button = QPushButton()
        self.camera_search_button.clicked.connect(self.look_for_cameras)
        self.video_button = QPushButton()
        self.video_button.clicked.connect(self._choose_video)
        self.folder_button = QPushButton()
        self.folder_button.clicked.connect(self._choose_folder)
        camera_row = QHBoxLayout()
        camera_row.addWidget(self.camera_box, 1)
        camera_row.addWidget(self.camera_search_button)
        file_row = QHBoxLayout()
        file_row.addWidget(self.video_button)
        file_row.addWidget(self.folder_button)
        file_row.addStretch(1)
        self.resolution_box = QComboBox()
        self.resolution_box.setObjectName("resolutionBox")
        self.resolution_box.setEditable(True)
        self.resolution_box.addItems(RESOLUTIONS)
        self.mirror_check = QCheckBox()
        self.sounds_check = QCheckBox()
        self.language_box = QComboBox()
        for code, name in LANGUAGE_NAMES:
            self.language_box.addItem(name, code)
        self.debounce_spin = _seconds_spin(DEBOUNCE_SECONDS, 0.5)
        self.result_spin = _seconds_spin(RESULT_TIMEOUT_SECONDS, 1.0)
        self.undo_spin = QSpinBox()
        self.undo_spin.setRange(*UNDO_WINDOW_SECONDS)
        self.undo_spin.setSingleStep(10)
        self.undo_spin.setSuffix(" s")
        self.save_button = QPushButton()
        self.save_button.setObjectName("saveSettings")
        self.save_button.clicked.connect(self.save_settings)

        self.form = QFormLayout()
        self._form_labels = [QLabel() for _ in range(9)]
        rows: list[QWidget | QHBoxLayout] = [
            _widget(camera_row),
            _widget(file_row),
            self.resolution_box,
            self.mirror_check,
            self.sounds_check,
            self.language_box,
            self.debounce_spin,
            self.result_spin,
            self.undo_spin,
        ]
        for label, field in zip(self._form_labels, rows, strict=True):
            assert isinstance(field, QWidget)
            self.form.addRow(label, field)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addLayout(self.form)
        layout.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        layout.addLayout(buttons)
        return page

    # -- text -----------------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Manager"))
        self.tabs.setTabText(0, self.tr("Scans"))
        self.tabs.setTabText(1, self.tr("Settings"))
        if self.sync_panel is not None:
            self.tabs.setTabText(2, self.tr("Sync"))
        self.refresh_button.setText(self.tr("Refresh"))
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Time"),
                self.tr("How"),
                self.tr("Result"),
                self.tr("Offer"),
                self.tr("Serial"),
                self.tr("Sync"),
                "",
            ]
        )
        self.change_pin_button.setText(self.tr("Change PIN…"))
        self.exit_button.setText(self.tr("Exit kiosk"))
        self.back_button.setText(self.tr("Back to the counter"))
        self.camera_search_button.setText(self.tr("Look for cameras again"))
        self.video_button.setText(self.tr("Use a video file…"))
        self.folder_button.setText(self.tr("Use an image folder…"))
        self.mirror_check.setText(self.tr("Show the camera picture mirrored"))
        self.sounds_check.setText(self.tr("Play a sound for each result"))
        self.save_button.setText(self.tr("Save settings"))
        labels = (
            self.tr("Camera"),
            self.tr("Or instead of a camera"),
            self.tr("Resolution"),
            self.tr("Preview"),
            self.tr("Sounds"),
            self.tr("Language"),
            self.tr("Same voucher counts once within"),
            self.tr("Show each result for"),
            self.tr("Cashier may undo for"),
        )
        for label, text in zip(self._form_labels, labels, strict=True):
            label.setText(text)
        self._show_history()
        self._fill_cameras()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _say(self, text: str, *, error: bool = False) -> None:
        self.status.setStyleSheet("color: #c62828; font-weight: bold;" if error else "")
        self.status.setText(text)

    def _failed(self, error: BaseException) -> None:
        log.error("manager view operation failed: %s", error, exc_info=error)
        self._say(error_text_for(error), error=True)

    # -- history and voids ----------------------------------------------------------------------

    def refresh_history(self) -> None:
        corrections, limit = self.corrections, self.history_limit
        self.ops.store_op(
            lambda: read_history(corrections, limit),
            while_alive(self, self._history_read),
            while_alive(self, self._failed),
        )

    def _history_read(self, page: HistoryPage) -> None:
        self.page = page
        self._show_history()

    def _show_history(self) -> None:
        page = self.page
        if page.counts_today:
            counts = " · ".join(
                f"{reason_title(reason)}: {page.counts_today[reason]}"
                for reason in Reason
                if reason in page.counts_today
            )
            self.counts_label.setText(self.tr("Today: {counts}").format(counts=counts))
        else:
            self.counts_label.setText(self.tr("Today: no scans yet"))
        self.table.setRowCount(len(page.lines))
        for row, line in enumerate(page.lines):
            record = line.record
            result = reason_title(record.reason)
            if line.redemption is RedemptionState.VOIDED:
                result = self.tr("{result} (voided)").format(result=result)
            offer = page.offer_titles.get(record.offer_id, "") if record.offer_id else ""
            sync = sync_label(record.synced, record.sync_result, set_aside=record.set_aside)
            cells = (
                record.scanned_at.astimezone().strftime("%d/%m %H:%M:%S"),
                source_title(record.source),
                result,
                offer,
                "" if record.serial is None else str(record.serial),
                label_words(sync),
            )
            items = [QTableWidgetItem(text) for text in cells]
            # head office's own code, for support: the cell says it in words
            items[SYNC_COLUMN].setToolTip(sync.code)
            for column, item in enumerate(items):
                self.table.setItem(row, column, item)
            if line.voidable:
                button = VoidButton(line, self.tr("Void…"))
                button.setObjectName(f"void-{record.redemption_id}")
                button.void_requested.connect(self.ask_void)
                self.table.setCellWidget(row, VOID_COLUMN, button)
            else:
                self.table.removeCellWidget(row, VOID_COLUMN)
        self._order_focus()

    def _order_focus(self) -> None:
        """Tab follows the screen: the history, its rows' Void… buttons top to bottom, then
        the panel's own buttons. The Void… buttons are made after the panel's buttons, so
        Qt's default order (creation order) put them after "Back to the counter"."""
        voids = (self.table.cellWidget(row, VOID_COLUMN) for row in range(self.table.rowCount()))
        # Only the buttons move (each to just after the one before): the rest of the chain,
        # the other tabs' fields and the panel's own buttons, keeps the order it was made in.
        chain = [self.table, *(button for button in voids if button is not None)]
        for before, after in pairwise(chain):
            QWidget.setTabOrder(before, after)

    def ask_void(self, line: HistoryLine) -> VoidDialog:
        """Open the reason dialog for ``line``; the void runs when it is accepted."""
        offer = self.page.offer_titles.get(line.record.offer_id or -1, "")
        dialog = VoidDialog(line, offer, self)
        dialog.confirmed.connect(self.void)
        dialog.finished.connect(dialog.deleteLater)
        self.void_dialog = dialog
        dialog.open()
        return dialog

    def void(self, line: HistoryLine, reason: str) -> None:
        redemption_id = line.record.redemption_id
        if redemption_id is None:
            return
        corrections = self.corrections
        self.ops.store_op(
            lambda: corrections.void(redemption_id, reason),
            while_alive(self, self._voided),
            while_alive(self, self._void_failed),
        )

    def _voided(self, correction: Correction) -> None:
        self._say(self.tr("Redemption voided. The voucher can be used again."))
        self.redemption_voided.emit(str(correction.redemption_id))
        self.refresh_history()

    def _void_failed(self, error: BaseException) -> None:
        if isinstance(error, InvalidVoidReason):
            self._say(self.tr("A void needs a reason."), error=True)
        elif isinstance(error, NotVoidable):
            self._say(self.tr("This redemption was already voided."), error=True)
            self.refresh_history()
        else:
            self._failed(error)

    # -- settings -------------------------------------------------------------------------------

    def show_settings(self, settings: KioskSettings) -> None:
        self.settings = settings
        self._fill_cameras()
        resolution = f"{settings.resolution[0]}x{settings.resolution[1]}"
        self.resolution_box.setCurrentText(resolution)
        self.mirror_check.setChecked(settings.mirror_preview)
        self.sounds_check.setChecked(settings.sounds)
        self.language_box.setCurrentIndex(max(0, self.language_box.findData(settings.language)))
        self.debounce_spin.setValue(settings.debounce_seconds)
        self.result_spin.setValue(settings.result_timeout_seconds)
        self.undo_spin.setValue(settings.undo_window_seconds)

    def look_for_cameras(self) -> None:
        """Probe cameras off the GUI thread (each is opened and read once)."""
        self.cameras = None
        self.camera_search_button.setEnabled(False)
        self._fill_cameras()
        self.ops.background_op(
            self._camera_probe,
            while_alive(self, self._cameras_found),
            while_alive(self, self._cameras_failed),
        )

    def _cameras_found(self, cameras: list[CameraInfo]) -> None:
        self.cameras = list(cameras)
        self.camera_search_button.setEnabled(True)
        self._fill_cameras()

    def _cameras_failed(self, error: BaseException) -> None:
        self.cameras = []
        self.camera_search_button.setEnabled(True)
        self._fill_cameras()
        self._failed(error)

    def set_camera_path(self, path: Path) -> None:
        """Use a video file or image folder as the camera (saved with the other settings)."""
        chosen = str(Path(path).resolve())
        if chosen not in self._camera_paths:
            self._camera_paths.append(chosen)
        self._fill_cameras(select=chosen)

    def _fill_cameras(self, select: int | str | None = None) -> None:
        """Probed cameras, the saved camera (even if not found now) and any chosen files."""
        box = self.camera_box
        saved = self.settings.camera_spec
        if select is None:
            current = box.currentData()
            select = current if isinstance(current, int | str) else saved
        found = self.cameras or []
        entries: list[tuple[str, int | str]] = [
            (
                self.tr("Camera {index} ({width}x{height})").format(
                    index=info.index, width=info.width, height=info.height
                ),
                info.index,
            )
            for info in found
        ]
        if self.cameras is None:
            missing = self.tr("Camera {index} (looking…)")
        else:
            missing = self.tr("Camera {index} (not found)")
        for spec in dict.fromkeys((saved, select, *self._camera_paths)):
            if any(data == spec for _, data in entries):
                continue
            if isinstance(spec, int):
                entries.append((missing.format(index=spec), spec))
            else:
                entries.append((self.tr("File: {path}").format(path=spec), spec))
        box.blockSignals(True)
        box.clear()
        for text, data in entries:
            box.addItem(text, data)
        box.setCurrentIndex(max(0, box.findData(select)))
        box.blockSignals(False)

    def _choose_video(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Video to use as camera"), "", self.tr("Videos (*.mp4 *.avi *.mkv)")
        )
        if path:
            self.set_camera_path(Path(path))

    def _choose_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, self.tr("Folder of images to use as camera"))
        if path:
            self.set_camera_path(Path(path))

    def form_settings(self) -> KioskSettings:
        """The settings as the form shows them; :class:`InvalidSettingError` if refused."""
        camera = self.camera_box.currentData()
        return self.settings.with_changes(
            camera=self.settings.camera if camera is None else camera,
            resolution=self.resolution_box.currentText(),
            mirror_preview=self.mirror_check.isChecked(),
            sounds=self.sounds_check.isChecked(),
            language=self.language_box.currentData(),
            debounce_seconds=self.debounce_spin.value(),
            result_timeout_seconds=self.result_spin.value(),
            undo_window_seconds=self.undo_spin.value(),
        )

    def save_settings(self) -> None:
        try:
            chosen = self.form_settings()
        except InvalidSettingError as exc:
            self._say(self._setting_problem(exc), error=True)
            return
        store = self.corrections.store
        self.save_button.setEnabled(False)

        def saved(_: None) -> None:
            self.save_button.setEnabled(True)
            self.settings = chosen
            self._say(self.tr("Settings saved."))
            self.settings_changed.emit(chosen)

        def failed(error: BaseException) -> None:
            self.save_button.setEnabled(True)
            self._failed(error)

        self.ops.store_op(
            lambda: chosen.save(store), while_alive(self, saved), while_alive(self, failed)
        )

    def _setting_problem(self, error: InvalidSettingError) -> str:
        if error.name == "resolution":
            return self.tr("Write the resolution as width x height, e.g. 1280x720.")
        if error.name == "camera":
            return self.tr("Choose a camera, or a video file or folder with its full path.")
        log.warning("setting refused: %s", error)
        row = SETTING_ROWS.index(error.name) if error.name in SETTING_ROWS else -1
        if row < 0:
            return self.tr("These settings cannot be saved: check them and try again.")
        return self.tr("“{setting}” cannot take this value: choose another.").format(
            setting=self._form_labels[row].text()
        )

    # -- PIN ------------------------------------------------------------------------------------

    def change_pin(self) -> PinDialog:
        dialog = PinDialog(self.ops, self.pin, PinPurpose.CHANGE, self)
        dialog.accepted.connect(self._pin_changed)
        dialog.finished.connect(dialog.deleteLater)
        self.pin_dialog = dialog
        dialog.open()
        return dialog

    def _pin_changed(self) -> None:
        self._say(self.tr("Manager PIN changed."))


def _set_pixel_size(widget: QWidget, pixels: int) -> None:
    font = QFont(widget.font())
    font.setPixelSize(pixels)
    widget.setFont(font)


def _seconds_spin(bounds: tuple[float, float], step: float) -> QDoubleSpinBox:
    spin = QDoubleSpinBox()
    spin.setRange(*bounds)
    spin.setSingleStep(step)
    spin.setDecimals(1)
    spin.setSuffix(" s")
    return spin


def _widget(layout: QHBoxLayout) -> QWidget:
    holder = QWidget()
    layout.setContentsMargins(0, 0, 0, 0)
    holder.setLayout(layout)
    return holder
