"""A smooth camera preview: polls the newest frame at display rate, never waits on decoding.

Mirroring is for the person in front of the camera only; the decoder never sees this copy.
"""

from __future__ import annotations

import cv2
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QLabel, QWidget

from app.core.scanning import FrameSource, mirror_for_display

PREVIEW_FPS = 15


class CameraPreview(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cameraPreview")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumSize(320, 180)
        self.setStyleSheet("#cameraPreview { background: #101418; border-radius: 12px; }")
        self.mirror = False
        self.frames_shown = 0
        self._source: FrameSource | None = None
        self._last_index = -1
        self._timer = QTimer(self)
        self._timer.setInterval(1000 // PREVIEW_FPS)
        self._timer.timeout.connect(self._refresh)

    def watch(self, source: FrameSource | None) -> None:
        self._source = source
        self._last_index = -1
        if source is None:
            self._timer.stop()
            self.clear()
        else:
            self._timer.start()

    def _refresh(self) -> None:
        source = self._source
        if source is None or source.closed:
            return
        frame = source.peek_latest()
        if frame is None or frame.index == self._last_index:
            return
        self._last_index = frame.index
        image = mirror_for_display(frame.image) if self.mirror else frame.image
        target = self.size()
        height, width = image.shape[:2]
        scale = min(target.width() / width, target.height() / height, 1.0)
        if scale < 1.0:
            image = cv2.resize(
                image, (int(width * scale), int(height * scale)), interpolation=cv2.INTER_AREA
            )
        rgb = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
        h, w = rgb.shape[:2]
        qimage = QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()
        self.setPixmap(QPixmap.fromImage(qimage))
        self.frames_shown += 1
