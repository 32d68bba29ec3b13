"""The manager's view of sync: state, last sync, what waits, clock skew, "Sync now", and the
items set aside because head office fails on them, with a button to try them again now."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from app.core.error_kinds import ErrorKind
from app.core.sync import SyncStatus
from app.core.sync.loop import Connection
from app.core.sync.result_labels import CONTEXT, SyncLabel, sync_label
from app.ui.sync_worker import SyncWorker
from app.ui.texts import error_text


def sync_result_words(synced: bool, text: str | None, *, set_aside: bool = False) -> str:
    """A scan's sync state in the manager's words (the history's last column)."""
    return label_words(sync_label(synced, text, set_aside=set_aside))


def label_words(label: SyncLabel) -> str:
    """``label`` in the screen's language (its reason translated too, never the raw code)."""
    words = QCoreApplication.translate(CONTEXT, label.template)
    if not label.reason:
        return words
    return words.format(reason=QCoreApplication.translate(CONTEXT, label.reason))


class SyncPanel(QWidget):
    def __init__(self, sync: SyncWorker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("syncPanel")
        self.sync = sync
        self.summary = QLabel()
        self.summary.setObjectName("syncSummary")
        self.summary.setWordWrap(True)
        self.sync_button = QPushButton()
        self.sync_button.setObjectName("syncNow")
        self.sync_button.setMinimumHeight(48)
        self.sync_button.clicked.connect(self.sync.sync_now)
        self.set_aside_label = QLabel()
        self.set_aside_label.setObjectName("syncSetAside")
        self.set_aside_label.setWordWrap(True)
        self.retry_button = QPushButton()
        self.retry_button.setObjectName("retrySetAside")
        self.retry_button.setMinimumHeight(48)
        self.retry_button.clicked.connect(self.sync.retry_set_aside)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.sync_button)
        layout.addWidget(self.set_aside_label)
        layout.addWidget(self.retry_button)
        layout.addStretch(1)
        sync.status_changed.connect(self.show_status)
        self.show_status(sync.status())

    def show_status(self, status: SyncStatus) -> None:
        self.status = status
        lines = [self._connection(status)]
        last = status.last_sync_at
        lines.append(
            self.tr("Last complete sync: {when}").format(
                when=last.astimezone().strftime("%d/%m/%Y %H:%M:%S") if last else self.tr("never")
            )
        )
        lines.append(self.tr("Waiting to sync: {count}").format(count=status.pending))
        if status.needs_review:
            lines.append(
                self.tr("Flagged by head office in the last sync: {count} (see Scans)").format(
                    count=status.needs_review
                )
            )
        if status.clock_skew_s is not None:
            lines.append(
                self.tr(
                    "This kiosk's clock differs from head office by {seconds} s{warning}"
                ).format(
                    seconds=round(status.clock_skew_s),
                    warning=self.tr(": set the clock!") if status.clock_skewed else "",
                )
            )
        if status.last_error:
            # The exception's own (English) words are in the log; here, what it means.
            kind = status.last_error_kind or ErrorKind.UNEXPECTED
            lines.append(self.tr("Last problem: {error}").format(error=error_text(kind)))
        self.summary.setText("\n".join(lines))
        self.sync_button.setText(self.tr("Syncing…") if status.syncing else self.tr("Sync now"))
        self.set_aside_label.setVisible(status.set_aside > 0)
        self.retry_button.setVisible(status.set_aside > 0)
        self.set_aside_label.setText(
            self.tr(
                "{count} redemptions set aside: head office fails on them. They are kept on "
                "this kiosk, do not hold up the others, and are tried again once a day."
            ).format(count=status.set_aside)
        )
        self.retry_button.setText(self.tr("Try the set-aside redemptions again"))

    def _connection(self, status: SyncStatus) -> str:
        if status.connection is Connection.WAITING_TO_SEND:
            after = status.send_after
            return self.tr(
                "Connection: online, waiting to send (head office takes no more for now: "
                "this business is over its plan's limit); sending again at {when}"
            ).format(when=after.astimezone().strftime("%H:%M:%S") if after else "?")
        return {
            Connection.UNKNOWN: self.tr("Connection: not tried yet"),
            Connection.ONLINE: self.tr("Connection: online"),
            Connection.OFFLINE: self.tr("Connection: offline (the kiosk keeps working)"),
            Connection.NOT_AUTHORISED: self.tr("Connection: refused, enrol this kiosk again"),
            Connection.REVOKED: self.tr("Connection: this kiosk was revoked"),
        }[status.connection]

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.show_status(self.status)
        super().changeEvent(event)
