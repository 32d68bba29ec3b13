"""The manager panel's Settings tab: camera (or a video file or image folder instead), picture
size, preview, sounds, language and the counter's timings, saved to the store together.

Thin over the core: the values are a :class:`app.core.kiosk_settings.KioskSettings` (which
refuses what it cannot take), the camera list is :func:`app.core.camera_choices.camera_choices`.
Saving goes through :meth:`Operations.store_op`; looking for cameras (slow: each one is opened)
through :meth:`Operations.background_op`. The panel shows what the tab says (``said``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.core.camera_choices import CameraChoice, ChoiceKind, camera_choices
from app.core.kiosk_settings import (
    DEBOUNCE_SECONDS,
    RESULT_TIMEOUT_SECONDS,
    UNDO_WINDOW_SECONDS,
    InvalidSettingError,
    KioskSettings,
)
from app.core.result_look import PanelTypeScale, panel_style_sheet
from app.core.scanning.capture import CameraInfo
from app.core.store import KioskStore
from app.ui.lifetime import while_alive
from app.ui.operations import Operations

log = logging.getLogger(__name__)

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


class SettingsTab(QWidget):
    """The settings form. ``settings_changed(KioskSettings)`` after new settings were saved;
    ``said(str, bool)`` with a line for the panel's status (True: it is an error);
    ``failed(BaseException)`` when saving or looking for cameras failed."""

    settings_changed = Signal(object)
    said = Signal(str, bool)
    failed = Signal(object)

    def __init__(
        self,
        ops: Operations,
        store: KioskStore,
        settings: KioskSettings,
        camera_probe: Callable[[], list[CameraInfo]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ops = ops
        self.store = store
        self.settings = settings
        self._camera_probe = camera_probe
        self.cameras: list[CameraInfo] | None = None
        self._camera_paths: list[str] = []

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
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        layout.addLayout(buttons)
        self.retranslate()

    # -- sizes and text -------------------------------------------------------------------------

    def apply_type_scale(self, scale: PanelTypeScale) -> None:
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
            set_pixel_size(widget, scale.body)
        for spin in (self.debounce_spin, self.result_spin, self.undo_spin):
            spin.setMinimumHeight(scale.row)  # two arrow buttons a finger can tell apart
            editor = spin.lineEdit()
            if editor is not None:  # the number itself: it has the sheet too, so its own font
                set_pixel_size(editor, scale.body)
        set_pixel_size(self.save_button, scale.button)
        self.save_button.setMinimumHeight(scale.button_height)

    def retranslate(self) -> None:
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
        self._fill_cameras()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # -- showing settings and cameras -----------------------------------------------------------

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
        self.failed.emit(error)

    def set_camera_path(self, path: Path) -> None:
        """Use a video file or image folder as the camera (saved with the other settings)."""
        chosen = str(Path(path).resolve())
        if chosen not in self._camera_paths:
            self._camera_paths.append(chosen)
        self._fill_cameras(select=chosen)

    def _fill_cameras(self, select: int | str | None = None) -> None:
        """Probed cameras, the saved camera (even if not found now) and any chosen files."""
        box = self.camera_box
        if select is None:
            current = box.currentData()
            select = current if isinstance(current, int | str) else self.settings.camera_spec
        saved = self.settings.camera_spec
        choices = camera_choices(self.cameras, saved, select, self._camera_paths)
        box.blockSignals(True)
        box.clear()
        for choice in choices:
            box.addItem(self._choice_text(choice), choice.spec)
        box.setCurrentIndex(max(0, box.findData(select)))
        box.blockSignals(False)

    def _choice_text(self, choice: CameraChoice) -> str:
        if choice.kind is ChoiceKind.FOUND and choice.info is not None:
            info = choice.info
            return self.tr("Camera {index} ({width}x{height})").format(
                index=info.index, width=info.width, height=info.height
            )
        if choice.kind is ChoiceKind.LOOKING:
            return self.tr("Camera {index} (looking…)").format(index=choice.spec)
        if choice.kind is ChoiceKind.NOT_FOUND:
            return self.tr("Camera {index} (not found)").format(index=choice.spec)
        return self.tr("File: {path}").format(path=choice.spec)

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

    # -- saving ---------------------------------------------------------------------------------

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
            self.said.emit(self._setting_problem(exc), True)
            return
        store = self.store
        self.save_button.setEnabled(False)

        def saved(_: None) -> None:
            self.save_button.setEnabled(True)
            self.settings = chosen
            self.said.emit(self.tr("Settings saved."), False)
            self.settings_changed.emit(chosen)

        def failed(error: BaseException) -> None:
            self.save_button.setEnabled(True)
            self.failed.emit(error)

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


def set_pixel_size(widget: QWidget, pixels: int) -> None:
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
