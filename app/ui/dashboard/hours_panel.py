"""The hours tab: a kiosk picker ("every kiosk" first) above the hour × weekday heat map, the
busiest hours and the table. Widgets only: the window words the texts and does the loading."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.core.dashboard.kiosk_pick import KioskChoice
from app.ui.dashboard.charts import HeatMap
from app.ui.dashboard.figure_table import FigureTable

NOTE_STYLE = "color: #664d03;"


class HoursPanel(QWidget):
    """Signals ``picked`` with the kiosk's device id (None: every kiosk) when the manager picks."""

    picked = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.kiosk_label = QLabel()
        self.kiosk = QComboBox()
        self.kiosk.setMinimumContentsLength(18)
        self.kiosk.addItem("", None)
        self.kiosk_label.setBuddy(self.kiosk)
        self.note = QLabel()
        self.note.setStyleSheet(NOTE_STYLE)
        self.note.setWordWrap(True)
        self.heat_map = HeatMap()
        self.busiest = QLabel()
        self.hours_table = FigureTable()
        row = QHBoxLayout()
        row.addWidget(self.kiosk_label)
        row.addWidget(self.kiosk)
        row.addWidget(self.note, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.heat_map.widget, 1)
        layout.addWidget(self.busiest)
        layout.addWidget(self.hours_table, 1)
        self.kiosk.currentIndexChanged.connect(lambda _: self.picked.emit(self.current()))

    def current(self) -> str | None:
        data = self.kiosk.currentData()
        return str(data) if data is not None else None

    def set_choices(self, choices: list[KioskChoice], pick: str | None, *, enabled: bool) -> None:
        """Offer ``choices`` after "every kiosk", ``pick`` selected; no ``picked`` signal."""
        self.kiosk.blockSignals(True)
        while self.kiosk.count() > 1:
            self.kiosk.removeItem(1)
        for choice in choices:
            self.kiosk.addItem(choice.name, choice.device_id)
        self.kiosk.setCurrentIndex(max(0, self.kiosk.findData(pick)) if pick else 0)
        self.kiosk.blockSignals(False)
        self.kiosk.setEnabled(enabled)

    def retranslate(self, label: str, every_kiosk: str) -> None:
        self.kiosk_label.setText(label)
        self.kiosk.setItemText(0, every_kiosk)
