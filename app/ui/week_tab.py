"""The manager panel's "Today / this week" tab: this counter's figures from its own store.

Thin over :func:`app.core.counter_week.counter_week`, read on the store thread, so it works
offline. Two lines say today and the week (redemptions, the sale totals typed, refusals); the
table has one row per day from Monday to today, with the refusals by reason.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, tzinfo

from PySide6.QtCore import QEvent, QLocale, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.core.counter_week import CounterWeek, DayFigures, counter_week
from app.core.money import format_guaranies
from app.core.store import KioskStore
from app.ui.lifetime import while_alive
from app.ui.operations import Operations
from app.ui.texts import reason_title
from pika_protocol.validation import Reason

log = logging.getLogger(__name__)

WEEK_COLUMNS = 5


class WeekTab(QWidget):
    """``failed(BaseException)`` when the store could not be read (the panel says so)."""

    failed = Signal(object)

    def __init__(
        self,
        ops: Operations,
        store: KioskStore,
        clock: Callable[[], datetime],
        zone: tzinfo | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("weekTab")
        self.ops = ops
        self.store = store
        self._clock = clock
        self._zone = zone
        self.week: CounterWeek | None = None

        self.today_label = QLabel()
        self.today_label.setObjectName("weekToday")
        self.today_label.setWordWrap(True)
        self.week_label = QLabel()
        self.week_label.setObjectName("weekTotal")
        self.week_label.setWordWrap(True)
        self.refresh_button = QPushButton()
        self.refresh_button.clicked.connect(self.refresh)
        self.table = QTableWidget(0, WEEK_COLUMNS)
        self.table.setObjectName("weekTable")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(True)
        self.table.setTextElideMode(Qt.TextElideMode.ElideNone)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(WEEK_COLUMNS - 1, QHeaderView.ResizeMode.Stretch)

        labels = QVBoxLayout()
        labels.addWidget(self.today_label)
        labels.addWidget(self.week_label)
        top = QHBoxLayout()
        top.addLayout(labels, 1)
        top.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        self.retranslate()

    def refresh(self) -> None:
        """Read the figures again (the panel does it when the tab is shown)."""
        store, clock, zone = self.store, self._clock, self._zone
        self.ops.store_op(
            lambda: counter_week(store, clock(), zone),
            while_alive(self, self._read),
            while_alive(self, self.failed.emit),
        )

    def _read(self, week: CounterWeek) -> None:
        self.week = week
        self._show()

    # -- text -----------------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.refresh_button.setText(self.tr("Refresh"))
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Day"),
                self.tr("Redemptions"),
                self.tr("Sale totals typed"),
                self.tr("Refused"),
                self.tr("Refused because"),
            ]
        )
        self._show()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def summary(self, figures: DayFigures) -> str:
        """One line: redemptions, the totals typed (how many of them had one), refusals."""
        return self.tr(
            "{redemptions} redemptions · sale totals typed: {total} ({typed} of {redemptions})"
            " · {refused} refused"
        ).format(
            redemptions=figures.redemptions,
            total=format_guaranies(figures.recorded_total),
            typed=figures.recorded_count,
            refused=figures.refused,
        )

    def _show(self) -> None:
        week = self.week
        if week is None:
            self.today_label.setText(self.tr("Reading this counter's figures…"))
            self.week_label.setText("")
            self.table.setRowCount(0)
            return
        self.today_label.setText(
            "<b>" + self.tr("Today") + "</b>: " + self.summary(week.today_figures)
        )
        self.week_label.setText(
            "<b>" + self.tr("This week") + "</b>: " + self.summary(week.week)
        )
        locale = QLocale()
        self.table.setRowCount(len(week.days))
        for row, figures in enumerate(reversed(week.days)):
            day = figures.day
            name = locale.dayName(day.isoweekday(), QLocale.FormatType.LongFormat)
            label = f"{name} {day.day:02d}/{day.month:02d}"
            if day == week.today:
                label = self.tr("{day} (today)").format(day=label)
            cells = (
                label,
                str(figures.redemptions),
                format_guaranies(figures.recorded_total),
                str(figures.refused),
                " · ".join(
                    f"{reason_title(reason)}: {figures.refusals[reason]}"
                    for reason in Reason
                    if reason in figures.refusals
                ),
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(row, column, item)
        # Many reasons on one day wrap in their cell rather than end in "…"; no row gets
        # lower than the panel's own (touch targets grow with the text).
        self.table.resizeRowsToContents()
        lowest = self.table.verticalHeader().defaultSectionSize()
        for row in range(self.table.rowCount()):
            self.table.setRowHeight(row, max(lowest, self.table.rowHeight(row)))
