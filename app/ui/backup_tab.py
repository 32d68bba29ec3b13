"""The manager panel's Backup tab: export the kiosk's store to a folder (a USB stick) sealed
with a passphrase, and restore such an export on a replacement PC after it was enrolled again.

Thin over :mod:`app.core.kiosk_backup`, which decides everything (passphrase rules, what may be
restored where, the file format). The steps run where they must: the snapshot and the swap on
the store thread (:meth:`Operations.store_op`), sealing and unsealing, the long part, on the
background thread with a progress bar fed from there through a signal carrying two numbers.
After a restore the store is closed: ``restored`` asks the kiosk to close, and the next start
opens the restored store.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core import kiosk_backup
from app.core.kiosk_backup import RestoreReport, Snapshot, Unsealed
from app.core.store import KioskStore
from app.core.store.database_key import load_database_key
from app.ui.lifetime import while_alive
from app.ui.operations import Operations
from app.ui.texts import error_text_for

log = logging.getLogger(__name__)


class ProgressRelay(QObject):
    """Carries (done, total) from the background thread to the GUI thread (queued)."""

    moved = Signal(int, int)

    def __call__(self, done: int, total: int) -> None:
        self.moved.emit(done, total)


class BackupTab(QWidget):
    """``said(str, bool)``: a line for the panel's status (True: an error);
    ``restored()``: the store was replaced and closed, the kiosk must start again."""

    said = Signal(str, bool)
    restored = Signal()

    def __init__(self, ops: Operations, store: KioskStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.store = store
        self.chosen: Path | None = None
        self.relay = ProgressRelay(self)
        self.relay.moved.connect(self._moved)

        self.export_box = QGroupBox()
        self.passphrase = _secret("exportPassphrase")
        self.passphrase_again = _secret("exportPassphraseAgain")
        self.export_button = QPushButton()
        self.export_button.setObjectName("exportStore")
        self.export_button.clicked.connect(self.choose_export_folder)
        self.export_form = QFormLayout(self.export_box)
        self.passphrase_label = QLabel()
        self.again_label = QLabel()
        self.restore_passphrase_label = QLabel()
        self.export_form.addRow(self.passphrase_label, self.passphrase)
        self.export_form.addRow(self.again_label, self.passphrase_again)
        self.export_form.addRow(self.export_button)

        self.restore_box = QGroupBox()
        self.choose_button = QPushButton()
        self.choose_button.setObjectName("chooseExport")
        self.choose_button.clicked.connect(self.choose_export_file)
        self.about = QLabel()
        self.about.setObjectName("exportAbout")
        self.about.setWordWrap(True)
        self.restore_passphrase = _secret("restorePassphrase")
        self.restore_button = QPushButton()
        self.restore_button.setObjectName("restoreStore")
        self.restore_button.setEnabled(False)
        self.restore_button.clicked.connect(self.restore)
        self.restore_form = QFormLayout(self.restore_box)
        self.restore_form.addRow(self.choose_button)
        self.restore_form.addRow(self.about)
        self.restore_form.addRow(self.restore_passphrase_label, self.restore_passphrase)
        self.restore_form.addRow(self.restore_button)

        self.progress = QProgressBar()
        self.progress.setObjectName("backupProgress")
        self.progress.setRange(0, 1000)
        self.progress.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.export_box)
        layout.addWidget(self.restore_box)
        layout.addWidget(self.progress)
        layout.addStretch(1)
        self.retranslate()

    # -- text -----------------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.export_box.setTitle(self.tr("Export this kiosk's data"))
        self.passphrase_label.setText(self.tr("Passphrase"))
        self.again_label.setText(self.tr("Again"))
        self.export_button.setText(self.tr("Export to a folder or USB stick…"))
        self.restore_box.setTitle(self.tr("Restore on a replacement PC (after enrolling it)"))
        self.choose_button.setText(self.tr("Choose an export…"))
        self.restore_passphrase_label.setText(self.tr("Passphrase"))
        self.restore_button.setText(self.tr("Restore"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _busy(self, busy: bool) -> None:
        for button in (self.export_button, self.choose_button):
            button.setEnabled(not busy)
        self.restore_button.setEnabled(not busy and self.chosen is not None)
        self.progress.setVisible(busy)
        self.progress.setValue(0)

    def _moved(self, done: int, total: int) -> None:
        self.progress.setValue(int(1000 * done / total) if total else 0)

    def _failed(self, error: BaseException) -> None:
        self._busy(False)
        log.warning("kiosk backup step refused or failed: %s", error)
        self.said.emit(error_text_for(error), True)

    # -- export ---------------------------------------------------------------------------------

    def choose_export_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Where to export"))
        if folder:
            self.export_to(Path(folder))

    def export_to(self, folder: Path) -> None:
        passphrase = self.passphrase.text()
        if passphrase != self.passphrase_again.text():
            self.said.emit(self.tr("The two passphrases are not the same."), True)
            return
        try:
            kiosk_backup.check_passphrase(passphrase)
        except kiosk_backup.WeakPassphraseError as error:
            self._failed(error)
            return
        self._busy(True)
        store, relay = self.store, self.relay

        def sealed(snapshot: Snapshot) -> None:
            self.ops.background_op(
                lambda: kiosk_backup.write_export(snapshot, folder, passphrase, progress=relay),
                while_alive(self, self._exported),
                while_alive(self, self._failed),
            )

        self.ops.store_op(
            lambda: kiosk_backup.take_snapshot(store),
            while_alive(self, sealed),
            while_alive(self, self._failed),
        )

    def _exported(self, path: Path) -> None:
        self._busy(False)
        self.passphrase.clear()
        self.passphrase_again.clear()
        self.said.emit(
            self.tr("Exported to {path}. Keep the passphrase apart from the stick.").format(
                path=path
            ),
            False,
        )

    # -- restore --------------------------------------------------------------------------------

    def choose_export_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, self.tr("Choose an export"), "", "Pika (*.pikabackup)"
        )
        if name:
            self.show_export(Path(name))

    def show_export(self, path: Path) -> None:
        self.ops.background_op(
            lambda: kiosk_backup.describe(path),
            while_alive(self, lambda about: self._described(path, about)),
            while_alive(self, self._failed),
        )

    def _described(self, path: Path, about: dict[str, Any]) -> None:
        self.chosen = path
        self.about.setText(
            self.tr("{device} · made {made} · {unsent} item(s) waiting to sync").format(
                device=about.get("device_name") or about.get("device_id") or "?",
                made=str(about.get("made_at", ""))[:16].replace("T", " "),
                unsent=about.get("unsent", 0),
            )
        )
        self.restore_button.setEnabled(True)

    def restore(self) -> None:
        path, passphrase = self.chosen, self.restore_passphrase.text()
        if path is None:
            return
        self._busy(True)
        store, relay = self.store, self.relay

        def unsealing(_identity: object) -> None:
            self.ops.background_op(
                lambda: kiosk_backup.unseal(path, passphrase, store.path, progress=relay),
                while_alive(self, adopting),
                while_alive(self, self._failed),
            )

        def adopting(unsealed: Unsealed) -> None:
            self.ops.store_op(
                lambda: kiosk_backup.adopt(store, unsealed, load_database_key(store.path).key),
                while_alive(self, self._restored),
                while_alive(self, self._failed),
            )

        self.ops.store_op(
            lambda: kiosk_backup.check_can_restore(store),
            while_alive(self, unsealing),
            while_alive(self, self._failed),
        )

    def _restored(self, report: RestoreReport) -> None:
        self._busy(False)
        self.restore_button.setEnabled(False)
        self.restore_passphrase.clear()
        self.said.emit(
            self.tr(
                "Restored: {unsent} item(s) will be sent as this kiosk. Pika Counter closes "
                "now; start it again."
            ).format(unsent=report.unsent),
            False,
        )
        self.restored.emit()


def _secret(name: str) -> QLineEdit:
    field = QLineEdit()
    field.setObjectName(name)
    field.setEchoMode(QLineEdit.EchoMode.Password)
    return field
