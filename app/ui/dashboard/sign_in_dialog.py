"""Signing in: a manager's invitation (the QR's text or the typed code, with the server's
address when the code does not carry it), or head office's admin token.

The exchange runs on the operations' store thread (network, keyring); the dialog shows a busy
bar meanwhile and the reason when head office refuses.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.dashboard.session import ManagerSession, NoServerError
from app.core.dashboard.sign_in import SignedIn
from app.ui.dashboard.texts import failure_text
from app.ui.operations import Operations


class SignInDialog(QDialog):
    """Accepted once head office has said who this is; ``signed_in`` holds it."""

    def __init__(
        self,
        session: ManagerSession,
        operations: Operations,
        server: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.operations = operations
        self.signed_in: SignedIn | None = None
        self.setMinimumWidth(520)

        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.invitation_label = QLabel()
        self.invitation = QLineEdit()
        self.server_label = QLabel()
        self.server = QLineEdit(server or session.last_server or "")
        self.head_office = QCheckBox()
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #842029;")
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.sign_in_button = QPushButton()
        self.sign_in_button.setDefault(True)
        self.cancel_button = QPushButton()
        self.invitation_label.setBuddy(self.invitation)
        self.server_label.setBuddy(self.server)

        form = QFormLayout()
        form.addRow(self.invitation_label, self.invitation)
        form.addRow(self.server_label, self.server)
        form.addRow("", self.head_office)
        buttons = QHBoxLayout()
        buttons.addWidget(self.progress, 1)
        buttons.addWidget(self.sign_in_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addLayout(buttons)

        self.head_office.toggled.connect(self.retranslate)
        self.sign_in_button.clicked.connect(self.sign_in)
        self.cancel_button.clicked.connect(self.reject)
        self.setTabOrder(self.invitation, self.server)
        self.setTabOrder(self.server, self.head_office)
        self.setTabOrder(self.head_office, self.sign_in_button)
        self.setTabOrder(self.sign_in_button, self.cancel_button)
        self.retranslate()

    def sign_in(self) -> None:
        secret, server = self.invitation.text().strip(), self.server.text().strip()
        if not secret:
            self.message.setText(
                self.tr("Type the admin token.")
                if self.head_office.isChecked()
                else self.tr("Type or scan the invitation.")
            )
            return
        self.message.clear()
        self._busy(True)
        if self.head_office.isChecked():
            job = lambda: self.session.sign_in_with_admin_token(server, secret)  # noqa: E731
        else:
            job = lambda: self.session.sign_in_with_invitation(secret, server or None)  # noqa: E731
        self.operations.store_op(job, self._signed_in, self._failed)

    def _signed_in(self, signed_in: SignedIn) -> None:
        self._busy(False)
        self.signed_in = signed_in
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self._busy(False)
        if isinstance(error, NoServerError):
            self.message.setText(self.tr("Type head office's address (https://…)."))
            self.server.setFocus()
        else:
            self.message.setText(failure_text(error))

    def _busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.sign_in_button.setEnabled(not busy)
        self.invitation.setEnabled(not busy)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Sign in to Pika"))
        head_office = self.head_office.isChecked()
        self.invitation.setEchoMode(
            QLineEdit.EchoMode.Password if head_office else QLineEdit.EchoMode.Normal
        )
        if head_office:
            self.intro.setText(self.tr("Head office signs in with its admin token."))
            self.invitation_label.setText(self.tr("Admin &token"))
        else:
            self.intro.setText(
                self.tr(
                    "Scan the invitation's QR code with a scanner, or type its code. Head "
                    "office gives one invitation per manager; it works once."
                )
            )
            self.invitation_label.setText(self.tr("&Invitation"))
        self.server_label.setText(self.tr("&Server"))
        self.server.setPlaceholderText("https://pika.example.com")
        self.head_office.setText(self.tr("I am &head office (admin token)"))
        self.sign_in_button.setText(self.tr("Sign i&n"))
        self.cancel_button.setText(self.tr("Cancel"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
