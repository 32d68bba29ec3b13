"""The counter window's camera column: the preview, the "video has ended" bar, and the camera
that feeds them.

It opens the camera the settings name (or a video file or image folder standing in for one),
runs its scan loop on a :class:`~app.ui.camera_worker.CameraWorker`, looks for a missing or
lost webcam again every few seconds, and says when a video has ended. What a scan means is not
its business: it hands each :class:`~app.core.scanning.Scan` on (``scanned``) and says what
went wrong as an :class:`~app.core.error_kinds.ErrorKind`; the window judges and shows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.core.error_kinds import ErrorKind
from app.core.kiosk_settings import KioskSettings
from app.core.scanning import FrameSource, Pacing, ScanError
from app.ui.camera_preview import CameraPreview
from app.ui.camera_worker import CameraWorker
from app.ui.kiosk_parts import CameraParts
from app.ui.operations import Operations

log = logging.getLogger(__name__)

#: How often a missing or lost camera is looked for again.
CAMERA_RETRY_MS = 5_000


class CameraColumn(QObject):
    """Preview and camera; the window places :attr:`layout` and calls :meth:`retranslate`
    with its own texts. Signals: ``scanned(Scan)`` for each scan; ``opened()`` when the
    configured camera works; ``unavailable(ErrorKind)`` when it is missing or lost (looked for
    again if it is a webcam); ``refused(ErrorKind)`` when a chosen video cannot be played;
    ``failed(BaseException)`` when the kiosk's keys could not be read."""

    scanned = Signal(object)
    opened = Signal()
    unavailable = Signal(object)
    refused = Signal(object)
    failed = Signal(object)

    def __init__(
        self,
        ops: Operations,
        cameras: CameraParts,
        public_keys: Callable[[], dict[int, Ed25519PublicKey]],
        settings: Callable[[], KioskSettings],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.ops = ops
        self.cameras = cameras
        self._public_keys = public_keys
        self._settings = settings
        self.worker: CameraWorker | None = None
        #: The video or folder in use as the camera, and how it plays (None: a webcam).
        self.video: tuple[Path, Pacing] | None = None
        #: Set once the window closed: a camera that fails to open afterwards is not retried.
        self.closed = False
        self.retry = QTimer(self)
        self.retry.setSingleShot(True)
        self.retry.setInterval(CAMERA_RETRY_MS)
        self.retry.timeout.connect(self.start_configured)

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
        self.replay_button.clicked.connect(self.replay)
        ended_row = QHBoxLayout()
        ended_row.addWidget(self.video_ended, 1)
        ended_row.addWidget(self.replay_button)
        self.ended_bar = QWidget()
        self.ended_bar.setLayout(ended_row)
        self.ended_bar.setVisible(False)
        self.layout = QVBoxLayout()
        self.layout.addWidget(self.preview, 1)
        self.layout.addWidget(self.ended_bar)

    def retranslate(self) -> None:
        self.video_ended.setText(
            self.tr("The video used as the camera has ended: the picture is its last frame.")
        )
        self.replay_button.setText(self.tr("Play it again"))

    def set_pixel_size(self, pixels: int) -> None:
        for widget in (self.video_ended, self.replay_button):
            font = QFont(widget.font())
            font.setPixelSize(pixels)
            widget.setFont(font)

    def apply_settings(self, settings: KioskSettings, *, camera_changed: bool) -> None:
        """New settings: mirror and debounce at once; another camera is opened."""
        self.preview.mirror = settings.mirror_preview
        if self.worker is not None:
            self.worker.pipeline.debouncer.window_s = settings.debounce_seconds
        if camera_changed and self.worker is not None:
            self.start_configured()

    # --- which camera ------------------------------------------------------------------
    def start_configured(self) -> None:
        """Open the camera the settings name (off the GUI thread: opening can be slow)."""
        settings = self._settings()
        spec, resolution = settings.camera_spec, settings.resolution
        open_source = self.cameras.open_source
        self.retry.stop()

        def opened(source: FrameSource) -> None:
            self.video = None
            self.opened.emit()
            self.start(source)

        def failed(error: BaseException) -> None:
            self.stop()
            self.video = None  # the configured camera failed, not a video chosen before
            self.say_unavailable(str(error))

        self.ops.background_op(lambda: open_source(spec, resolution=resolution), opened, failed)

    def start_video(self, path: Path, pacing: Pacing = Pacing.LIVE) -> None:
        """Use a video file or image folder as the camera, through the real capture code.

        LIVE pacing plays it like a camera (real time, newest frame wins, with preview);
        ALL hands every frame to the decoder (tests, measurements).
        """
        try:
            source = self.cameras.open_source(str(path), pacing=pacing)
        except ScanError as exc:
            log.error("video %s cannot be used as the camera: %s", path, exc)
            self.refused.emit(ErrorKind.VIDEO_UNREADABLE)
            return
        self.video = (path, pacing)
        self.start(source)

    def replay(self) -> None:
        """Play the video that ended from its start (the same one, the same way)."""
        if self.video is not None:
            self.start_video(*self.video)
        elif isinstance(self._settings().camera, Path):
            self.start_configured()

    def say_unavailable(self, error: str) -> None:
        """No camera, or it was lost (a USB webcam unplugged): say so and keep trying, so
        plugging it back in is all a cashier has to do. Scanner and typing work meanwhile.
        The reason (in English, from OpenCV or the OS) goes to the log, not the cashier's line;
        a video standing in for the camera is not retried, and is said to be a video."""
        log.warning("no camera: %s", error)
        webcam = isinstance(self._settings().camera, int) and self.video is None
        self.unavailable.emit(ErrorKind.CAMERA_MISSING if webcam else ErrorKind.VIDEO_UNREADABLE)
        # A camera that failed to open after the window closed is not looked for again.
        if webcam and not self.closed:
            self.retry.start()

    # --- the scan loop -----------------------------------------------------------------
    def start(self, source: FrameSource) -> None:
        """Scan from ``source``; the decoder trusts only texts that verify with known keys."""

        def started(keys: dict[int, Ed25519PublicKey]) -> None:
            self.stop()
            settings = self._settings()
            pipeline = self.cameras.pipeline(
                source, keys, debounce_seconds=settings.debounce_seconds
            )
            worker = CameraWorker(pipeline, self)
            self.worker = worker
            worker.scanned.connect(self.scanned)
            worker.failed.connect(self._lost)
            worker.finished.connect(self._finished)
            self.ended_bar.setVisible(False)
            self.preview.mirror = settings.mirror_preview
            self.preview.watch(source)
            self.preview.setVisible(source.pacing is Pacing.LIVE)
            worker.start()

        self.ops.store_op(self._public_keys, started, self.failed.emit)

    def stop(self) -> None:
        """Stop scanning from the camera (and stop looking for a lost one)."""
        self.retry.stop()
        if self.worker is not None:
            self.worker.stop()
            self.worker = None
        self.preview.watch(None)
        self.preview.setVisible(False)
        self.ended_bar.setVisible(False)

    def reset_debounce(self) -> None:
        """An undone voucher may be shown again at once: it must not be debounced away."""
        if self.worker is not None:
            self.worker.pipeline.debouncer.reset()

    def _finished(self) -> None:
        """A camera loop ended (queued from its thread): if it was a video that ran out of
        frames, and still the one in use, say so."""
        worker = self.sender()
        if worker is self.worker and self.worker is not None and self.worker.pipeline.source_ended:
            self.ended_bar.setVisible(True)

    def _lost(self, message: str) -> None:
        self.stop()
        self.say_unavailable(message)
