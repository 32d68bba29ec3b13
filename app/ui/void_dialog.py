"""Voiding a redemption from the manager's history: the row's Void… button and the dialog
that asks why (a void needs a reason; it is recorded and sent to head office)."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.corrections import MAX_REASON_CHARS, HistoryLine

#: Reasons a manager often gives; any other text may be typed.
VOID_REASONS = (
    QT_TRANSLATE_NOOP("VoidDialog", "Scanned by mistake"),
    QT_TRANSLATE_NOOP("VoidDialog", "The customer did not get the discount"),
    QT_TRANSLATE_NOOP("VoidDialog", "Wrong voucher scanned"),
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
