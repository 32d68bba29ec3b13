"""The manager panel behind the PIN: scan history with voids, today's counts, settings, PIN,
this counter's "today / this week" figures (:mod:`app.ui.week_tab`), the kiosk's backup
(export and restore, :mod:`app.ui.backup_tab`), and the way out of kiosk
mode.

Thin over the core: history and voids come from :class:`app.core.corrections.Corrections`
(the reason dialog is :mod:`app.ui.void_dialog`), the Settings tab is
:mod:`app.ui.settings_tab`, the PIN is :class:`app.core.manager_pin.ManagerPin`. Every store
call goes through :meth:`Operations.store_op`. The kiosk window listens to the signals: it
applies new settings, leaves kiosk mode, and refreshes its counts after a void.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.corrections import (
    Correction,
    Corrections,
    HistoryLine,
    InvalidVoidReason,
    NotVoidable,
    RedemptionState,
)
from app.core.kiosk_settings import KioskSettings
from app.core.manager_pin import ManagerPin
from app.core.result_look import PanelTypeScale, panel_type_scale
from app.core.scanning.capture import CameraInfo, probe_cameras
from app.core.store import ScanSource
from app.core.sync.result_labels import sync_label
from app.ui.backup_tab import BackupTab
from app.ui.lifetime import while_alive
from app.ui.operations import Operations
from app.ui.pin_dialog import PinDialog, PinPurpose
from app.ui.settings_tab import SettingsTab, set_pixel_size
from app.ui.sync_panel import SyncPanel, label_words
from app.ui.sync_worker import SyncWorker
from app.ui.texts import error_text_for, reason_title
from app.ui.void_dialog import VoidButton, VoidDialog
from app.ui.week_tab import WeekTab
from pika_protocol.validation import Reason

log = logging.getLogger(__name__)

_CONTEXT = "ManagerView"
_SOURCES = {
    ScanSource.CAMERA: QT_TRANSLATE_NOOP("ManagerView", "Camera"),
    ScanSource.WEDGE: QT_TRANSLATE_NOOP("ManagerView", "Scanner"),
    ScanSource.MANUAL: QT_TRANSLATE_NOOP("ManagerView", "Typed"),
}
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
        self.page = HistoryPage([], {}, {})
        self.void_dialog: VoidDialog | None = None
        self.pin_dialog: PinDialog | None = None

        self.settings_tab = SettingsTab(ops, corrections.store, settings, camera_probe)
        self.settings_tab.settings_changed.connect(self._settings_saved)
        self.settings_tab.said.connect(self._tab_said)
        self.settings_tab.failed.connect(self._failed)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_history(), "")
        self.tabs.addTab(self.settings_tab, "")
        self.sync_panel = SyncPanel(sync, self) if sync is not None else None
        if self.sync_panel is not None:
            self.tabs.addTab(self.sync_panel, "")
        self.week_tab = WeekTab(ops, corrections.store, corrections.now)
        self.week_tab.failed.connect(self._failed)
        self.tabs.addTab(self.week_tab, "")
        self.tabs.currentChanged.connect(self._tab_shown)
        self.backup_tab = BackupTab(ops, corrections.store)
        self.backup_tab.said.connect(self._tab_said)
        # A restore replaced the store and closed it: the kiosk starts again to open it.
        self.backup_tab.restored.connect(self.exit_requested)
        self.tabs.addTab(self.backup_tab, "")

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
        self.settings_tab.show_settings(settings)
        self.refresh_history()
        self.settings_tab.look_for_cameras()

    # -- sizes ----------------------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Text follows the panel's size, as on the counter screen (app.core.result_look)."""
        super().resizeEvent(event)
        self.apply_type_scale(panel_type_scale(event.size().width(), event.size().height()))

    def apply_type_scale(self, scale: PanelTypeScale) -> None:
        self.type_scale = scale
        # The panel's own font reaches every child without one of its own (tabs, form, Sync).
        set_pixel_size(self, scale.body)
        set_pixel_size(self.counts_label, scale.heading)
        set_pixel_size(self.table, scale.table)
        self.table.verticalHeader().setDefaultSectionSize(scale.row)
        set_pixel_size(self.week_tab.today_label, scale.heading)
        set_pixel_size(self.week_tab.week_label, scale.heading)
        set_pixel_size(self.week_tab.table, scale.table)
        self.week_tab.table.verticalHeader().setDefaultSectionSize(scale.row)
        self.settings_tab.apply_type_scale(scale)
        for button in (
            self.change_pin_button,
            self.exit_button,
            self.back_button,
            self.refresh_button,
            self.week_tab.refresh_button,
        ):
            set_pixel_size(button, scale.button)
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

    # -- text -----------------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Manager"))
        self.tabs.setTabText(0, self.tr("Scans"))
        self.tabs.setTabText(1, self.tr("Settings"))
        if self.sync_panel is not None:
            self.tabs.setTabText(2, self.tr("Sync"))
        self.tabs.setTabText(self.tabs.indexOf(self.week_tab), self.tr("Today / this week"))
        self.tabs.setTabText(self.tabs.indexOf(self.backup_tab), self.tr("Backup"))
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
        self._show_history()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _say(self, text: str, *, error: bool = False) -> None:
        self.status.setStyleSheet("color: #c62828; font-weight: bold;" if error else "")
        self.status.setText(text)

    def _tab_said(self, text: str, error: bool) -> None:
        self._say(text, error=error)

    def _failed(self, error: BaseException) -> None:
        log.error("manager view operation failed: %s", error, exc_info=error)
        self._say(error_text_for(error), error=True)

    def _tab_shown(self, index: int) -> None:
        if self.tabs.widget(index) is self.week_tab:
            self.week_tab.refresh()

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

    def _settings_saved(self, settings: KioskSettings) -> None:
        self.settings = settings
        self.settings_changed.emit(settings)

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
