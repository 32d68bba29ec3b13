"""One of the dashboard's named tables (``app.core.dashboard.tables``) in a read-only grid."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from app.core.dashboard.tables import Language, Table, cell_text


class FigureTable(QTableWidget):
    """Numbers right-aligned as a shop reads them (₲ 150.000, 12,5 %); "—" where none."""

    def __init__(self) -> None:
        super().__init__()
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setAlternatingRowColors(True)
        self.verticalHeader().setVisible(False)
        self.setTabKeyNavigation(False)  # Tab leaves the table; arrows move inside it
        self.table: Table | None = None

    def show_table(self, table: Table, language: Language) -> None:
        self.table = table
        self.setAccessibleName(table.title)
        self.clear()
        self.setColumnCount(len(table.headers))
        self.setRowCount(len(table.rows))
        self.setHorizontalHeaderLabels(list(table.headers))
        for r, row in enumerate(table.rows):
            for c, (value, kind) in enumerate(zip(row, table.kinds, strict=True)):
                item = QTableWidgetItem(cell_text(value, kind, language))
                if kind != "text":
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.setItem(r, c, item)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        if len(table.headers) < 12:
            header.setStretchLastSection(True)

    def texts(self) -> list[list[str]]:
        """What the grid shows, row by row (tests read it)."""
        return [
            [(item.text() if (item := self.item(r, c)) else "") for c in range(self.columnCount())]
            for r in range(self.rowCount())
        ]
