"""The first screen of a new (or wiped) kiosk: enrol it with head office's one-time code.

The code is typed, or scanned with a USB scanner (it types into the code field and presses
Enter); a scanned enrolment QR (``pika-enrol:CODE@https://server``) also fills in the server.
Everything that decides lives in ``app.core.sync.enrolment``: the code's check character is
verified before any network, the network call runs off the GUI thread and the answer is kept
on the store thread.
"""

from __future__ import annotations

import logging
import os
import socket
from pathlib import Path

import httpx
from PySide6.QtCore import Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.device import DeviceIdentity
from app.core.error_kinds import ErrorKind, enrolment_kind_of
from app.core.store.database_key import open_kiosk_store
from app.core.sync import SyncApi
from app.core.sync.enrolment import (
    apply_enrolment,
    check_server_url,
    parse_enrolment_text,
    read_wipe_note,
)
from app.ui.enrolment_camera import EnrolmentCodeReader
from app.ui.operations import Operations
from app.ui.texts import error_text
from pika_protocol.sync_wire import EnrolResponse

log = logging.getLogger(__name__)

#: IT can preset the server for a whole roll-out (silent configuration).
SERVER_URL_ENV = "PIKA_SERVER_URL"


class EnrolmentDialog(QDialog):
    """``enrolled(DeviceIdentity)`` then ``accept()`` once the kiosk belongs to a business."""

    enrolled = Signal(object)

    def __init__(
        self,
        ops: Operations,
        store_path: Path,
        parent: QWidget | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        camera: str | int | None = 0,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("enrolmentDialog")
        self.ops = ops
        self.store_path = store_path
        self._transport = transport
        font = QFont(self.font())
        font.setPointSize(16)
        self.setFont(font)
        self.setMinimumWidth(640)

        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.wipe_note = QLabel()
        self.wipe_note.setWordWrap(True)
        self.wipe_note.setStyleSheet("color: #c62828; font-weight: bold;")
        note = read_wipe_note(store_path.parent)
        self.wipe_note.setVisible(note is not None)
        self._wipe_text = "" if note is None else f"{note.wiped_at:%d/%m/%Y %H:%M} ({note.reason})"
        self.server = QLineEdit(os.environ.get(SERVER_URL_ENV, ""))
        self.server.setObjectName("serverUrl")
        self.code = QLineEdit()
        self.code.setObjectName("enrolmentCode")
        self.code.returnPressed.connect(self.enrol)
        self.device_name = QLineEdit(socket.gethostname())
        self.device_name.setObjectName("deviceName")
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.enrol_button = QPushButton()
        self.enrol_button.clicked.connect(self.enrol)
        self.quit_button = QPushButton()
        self.quit_button.clicked.connect(self.reject)
        # The enrolment QR held to the camera (a new kiosk's settings name camera 0).
        self._camera = camera
        self.camera_reader = EnrolmentCodeReader(ops, self)
        self.camera_reader.code_read.connect(self._camera_read)
        self.camera_reader.failed.connect(self._camera_failed)
        self.camera_button = QPushButton()
        self.camera_button.setObjectName("enrolmentCamera")
        self.camera_button.setVisible(camera is not None)
        self.camera_button.clicked.connect(self.start_camera)

        self.form = QFormLayout()
        self.form.addRow("", self.code)
        self.form.addRow("", self.server)
        self.form.addRow("", self.device_name)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.wipe_note)
        layout.addLayout(self.form)
        layout.addWidget(self.status)
        layout.addWidget(self.camera_button)
        layout.addWidget(self.enrol_button)
        layout.addWidget(self.quit_button)
        self.retranslate()
        self.code.setFocus()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Enrol this kiosk"))
        self.intro.setText(
            self.tr(
                "This kiosk is not enrolled yet. Scan the enrolment QR head office gave you "
                "with the USB scanner, or type its code."
            )
        )
        self.wipe_note.setText(
            self.tr("Head office revoked this kiosk and its data was wiped on {when}.").format(
                when=self._wipe_text
            )
        )
        for field, label in (
            (self.code, self.tr("Enrolment code")),
            (self.server, self.tr("Server address")),
            (self.device_name, self.tr("Name of this till")),
        ):
            label_widget = self.form.labelForField(field)
            if isinstance(label_widget, QLabel):
                label_widget.setText(label)
        self.code.setPlaceholderText("XXXXX-XXXXXX")
        self.server.setPlaceholderText("https://pika.example.com")
        self.enrol_button.setText(self.tr("Enrol"))
        self.camera_button.setText(self.tr("Scan the QR with the camera"))
        self.quit_button.setText(self.tr("Quit"))

    def enrol(self) -> None:
        try:
            code = parse_enrolment_text(self.code.text())
        except ValueError as exc:
            log.info("enrolment code refused: %s", exc)
            self._say(error_text(ErrorKind.ENROLMENT_CODE_INVALID), error=True)
            return
        try:
            server_url = check_server_url(code.server_url or self.server.text())
        except ValueError as exc:
            log.info("server address refused: %s", exc)
            self._say(error_text(ErrorKind.SERVER_ADDRESS_INVALID), error=True)
            return
        name = self.device_name.text().strip() or socket.gethostname()
        self.server.setText(server_url)
        self.code.setText(code.code)
        self._busy(True)
        self._say(self.tr("Contacting head office…"))
        transport = self._transport

        def ask_server() -> EnrolResponse:  # network: a background thread, never GUI or store
            api = SyncApi(server_url, transport=transport)
            try:
                return api.enrol(code.code, name)
            finally:
                api.close()

        def keep(
            answer: EnrolResponse,
        ) -> None:  # the store thread: key in the keyring, identity in the store
            def apply() -> DeviceIdentity:
                opened = open_kiosk_store(self.store_path)
                try:
                    return apply_enrolment(
                        opened.store, answer, server_url=server_url, device_name=name
                    )
                finally:
                    opened.store.close()

            self.ops.store_op(apply, self._done, self._failed)

        self.ops.background_op(ask_server, keep, self._failed)

    def start_camera(self) -> None:
        if self._camera is None:
            return
        self.camera_reader.start(self._camera)
        self._say(self.tr("Hold the enrolment QR code to the camera."))

    def _camera_failed(self, error: str) -> None:
        log.warning("enrolment camera: %s", error)
        self._say(error_text(ErrorKind.ENROLMENT_CAMERA_MISSING), error=True)

    def _camera_read(self, text: str) -> None:
        if not self.enrol_button.isEnabled():
            return  # already contacting head office
        self.camera_reader.stop()
        self.code.setText(text)
        self.enrol()

    def done(self, result: int) -> None:
        self.camera_reader.stop()
        super().done(result)

    def _done(self, device: DeviceIdentity) -> None:
        self._busy(False)
        self.enrolled.emit(device)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        log.warning("enrolment failed: %s", error)
        self._busy(False)
        self._say(error_text(enrolment_kind_of(error)), error=True)

    def _busy(self, busy: bool) -> None:
        for widget in (self.enrol_button, self.code, self.server, self.device_name):
            widget.setEnabled(not busy)

    def _say(self, text: str, *, error: bool = False) -> None:
        self.status.setStyleSheet("color: #c62828;" if error else "")
        self.status.setText(text)
