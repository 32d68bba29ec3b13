"""Reading the enrolment QR with the kiosk's camera, for the enrolment screen.

A small object the enrolment screen wires: ``start(camera)`` opens the camera off the GUI
thread and decodes on the camera thread; ``code_read(str)`` is emitted (on the GUI thread) for
a QR whose text is an enrolment code, check character included (the decoder chain's validator,
so a voucher or a stray QR in view is ignored); ``failed(str)`` when no camera can be opened.
Put the text into the code field and submit, as a USB scanner would.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from app.core.scanning import Debouncer, DecoderChain, FrameSource, Scan, ScanPipeline, open_source
from app.core.sync import InvalidEnrolmentCodeError, parse_enrolment_text
from app.ui.camera_worker import CameraWorker
from app.ui.lifetime import while_alive
from app.ui.operations import Operations


def is_enrolment_code(text: str) -> bool:
    """Only enrolment codes (bare or ``pika-enrol:``) count as read."""
    try:
        parse_enrolment_text(text)
    except InvalidEnrolmentCodeError:
        return False
    return True


class EnrolmentCodeReader(QObject):
    code_read = Signal(str)
    failed = Signal(str)

    def __init__(self, ops: Operations, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.camera: CameraWorker | None = None

    def start(self, camera: str | int) -> None:
        """Open ``camera`` (an index, a video file or an image folder) and start reading."""

        def opened(source: FrameSource) -> None:
            self.stop()
            chain = DecoderChain(validator=is_enrolment_code)
            pipeline = ScanPipeline(source, chain=chain, debouncer=Debouncer(window_s=3.0))
            self.camera = CameraWorker(pipeline, self)
            self.camera.scanned.connect(self._scanned)
            self.camera.failed.connect(self.failed)
            self.camera.start()

        self.ops.background_op(
            lambda: open_source(camera),
            while_alive(self, opened),
            while_alive(self, lambda error: self.failed.emit(str(error))),
        )

    def stop(self) -> None:
        if self.camera is not None:
            self.camera.stop()
            self.camera = None

    def _scanned(self, scan: Scan) -> None:
        if is_enrolment_code(scan.payload):
            self.code_read.emit(scan.payload)
