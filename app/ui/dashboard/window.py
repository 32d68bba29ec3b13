"""The manager app's main window: the pickers, the figures in tabs, "as of", offline, exports.

Thin over ``app.core.dashboard``: the question is built and checked there, loading (head
office, else the offline copy) is :class:`ManagerSession.load` on the operations' store thread,
exports run through :meth:`Operations.background_op`. Nothing slow runs on the UI thread; the
progress bar shows while anything does.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from datetime import date
from pathlib import Path

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.dashboard.client import DashboardQuery
from app.core.dashboard.exports import write_all_csv, write_report
from app.core.dashboard.kiosk_pick import (
    answers,
    kept_pick,
    kiosk_choices,
    kiosk_on_screen,
    kiosk_question,
)
from app.core.dashboard.session import Loaded, ManagerSession, NothingKeptError, SignInAgainError
from app.core.dashboard.sign_in import SignedIn
from app.core.dashboard.tables import WEEKDAYS, Table, cell_text, hours_table, tables, word
from app.core.dashboard.tables import Language as FigureLanguage
from app.core.sync.errors import TransientSyncError
from app.ui.dashboard.charts import FunnelChart, ValueChart
from app.ui.dashboard.figure_table import FigureTable
from app.ui.dashboard.hours_panel import HoursPanel
from app.ui.dashboard.pickers import Pickers
from app.ui.dashboard.texts import failure_text, problem_text, screen_language
from app.ui.language import Language
from app.ui.operations import Operations
from pika_protocol.analytics_wire import DashboardOut, HourWeekdayOut, KioskHoursOut

log = logging.getLogger(__name__)
OFFLINE_STYLE = "background: #fff3cd; color: #664d03; padding: 3px 8px; border-radius: 4px;"


def _tab(*widgets: QWidget | QLabel) -> QWidget:
    page = QWidget()
    layout = QVBoxLayout(page)
    for widget in widgets:
        layout.addWidget(widget, 1 if not isinstance(widget, QLabel) else 0)
    return page


class DashboardWindow(QMainWindow):
    """Signals ``sign_in_needed`` when head office no longer accepts the key."""

    sign_in_needed = Signal()
    painted = Signal()  # the figures are on screen (the paint benchmark waits for it)

    def __init__(
        self,
        session: ManagerSession,
        operations: Operations,
        language: Language,
        today: Callable[[], date],
    ) -> None:
        super().__init__()
        self.session = session
        self.operations = operations
        self.language = language
        self.figures: DashboardOut | None = None
        self.loaded: Loaded | None = None
        self._who: str | None = None  # a manager's business; None: head office
        self.resize(1280, 800)

        self.heading = QLabel()
        self.heading.setStyleSheet("font-size: 18pt; font-weight: bold;")
        self.language_label = QLabel()
        self.language_picker = QComboBox()
        self.language_picker.addItem("Español", "es")
        self.language_picker.addItem("English", "en")
        self.language_label.setBuddy(self.language_picker)
        self.sign_out_button = QPushButton()
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.language_label)
        top.addWidget(self.language_picker)
        top.addWidget(self.sign_out_button)

        self.pickers = Pickers(today)
        self.as_of = QLabel()
        self.offline_badge = QLabel()
        self.offline_badge.setStyleSheet(OFFLINE_STYLE)
        self.offline_badge.hide()
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)  # busy: how long head office takes is unknown
        self.progress.setMaximumWidth(220)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #842029;")
        status = QHBoxLayout()
        status.addWidget(self.as_of)
        status.addWidget(self.offline_badge)
        status.addWidget(self.progress)
        status.addWidget(self.message, 1)

        self.funnel_chart = FunnelChart()
        self.funnel_table = FigureTable()
        self.refusals_table = FigureTable()
        self.value_chart = ValueChart()
        self.roi_summary = QLabel()
        self.roi_summary.setWordWrap(True)
        self.roi_table = FigureTable()
        self.hours_panel = HoursPanel()
        self.heat_map = self.hours_panel.heat_map
        self.busiest = self.hours_panel.busiest
        self.hours_table = self.hours_panel.hours_table
        # the picked kiosk's map, once head office has answered (None: every kiosk's)
        self.kiosk_hours: KioskHoursOut | None = None
        self._kiosk_note = ""  # why no kiosk's map shows (offline, head office's view)
        self.kiosks_table = FigureTable()
        self.ab_table = FigureTable()
        self.ab_note = QLabel()
        self.ab_note.setWordWrap(True)
        self.ranking_table = FigureTable()
        funnel_tables = QWidget()
        row = QHBoxLayout(funnel_tables)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.funnel_table, 3)
        row.addWidget(self.refusals_table, 2)
        self.tabs = QTabWidget()
        self.tabs.addTab(_tab(self.funnel_chart.widget, funnel_tables), "")
        self.tabs.addTab(_tab(self.roi_summary, self.value_chart.widget, self.roi_table), "")
        self.tabs.addTab(_tab(self.hours_panel), "")
        self.tabs.addTab(_tab(self.kiosks_table), "")
        self.tabs.addTab(_tab(self.ab_note, self.ab_table), "")
        self.tabs.addTab(_tab(self.ranking_table), "")
        self.tabs.setTabVisible(5, False)

        self.export_csv_button = QPushButton()
        self.export_pdf_button = QPushButton()
        exports = QHBoxLayout()
        exports.addStretch(1)
        exports.addWidget(self.export_csv_button)
        exports.addWidget(self.export_pdf_button)

        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addLayout(top)
        layout.addWidget(self.pickers)
        layout.addLayout(status)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(exports)
        self.setCentralWidget(body)

        self.pickers.asked.connect(self.load)
        self.pickers.problem.connect(self._show_problems)
        self.hours_panel.picked.connect(self._kiosk_picked)
        self.operations.busy_changed.connect(self._busy)
        self.sign_out_button.clicked.connect(self.sign_out)
        self.language_picker.currentIndexChanged.connect(self._language_picked)
        self.export_csv_button.clicked.connect(self._choose_csv_folder)
        self.export_pdf_button.clicked.connect(self._choose_pdf_file)
        self.setTabOrder(self.pickers.show_button, self.tabs)
        self.setTabOrder(self.tabs, self.export_csv_button)
        self.setTabOrder(self.export_csv_button, self.export_pdf_button)
        self.setTabOrder(self.export_pdf_button, self.language_picker)
        self.setTabOrder(self.language_picker, self.sign_out_button)
        self._set_exports_enabled(False)
        self.retranslate()

    # -- who and what -------------------------------------------------------------------------

    def set_viewer(self, signed_in: SignedIn) -> None:
        head_office = signed_in.role == "head_office"
        self.pickers.set_viewer(head_office, signed_in.business_id, signed_in.business_name)
        self._who = None if head_office else signed_in.business_name
        self._show_heading()

    def _show_heading(self) -> None:
        who = self._who or self.tr("All businesses")
        if self.figures is not None and self.figures.business_name:
            who = self.figures.business_name
        self.heading.setText(f"Pika — {who}")
        self.setWindowTitle(self.tr("Pika manager — {who}").format(who=who))

    def load(self, query: DashboardQuery) -> Future[Loaded]:
        """Ask on the store thread; the answer (or why none) comes back on this one."""
        self.message.clear()
        return self.operations.store_op(
            lambda: self.session.load(query), self.show_loaded, self._load_failed
        )

    def show_loaded(self, loaded: Loaded) -> None:
        self.loaded = loaded
        self.figures = loaded.figures
        self.pickers.set_choices(loaded.figures.offers, loaded.figures.businesses)
        self.offline_badge.setVisible(loaded.offline)
        self._kiosk_note = ""
        self.paint()

    def _load_failed(self, error: BaseException) -> None:
        if isinstance(error, SignInAgainError):
            self.forget_figures()
            self.message.setText(self.tr("Head office no longer accepts this key: sign in again."))
            self.sign_in_needed.emit()
            return
        if isinstance(error, NothingKeptError):
            self.message.setText(
                self.tr(
                    "Head office cannot be reached and these figures were never loaded on "
                    "this computer."
                )
            )
            return
        self.message.setText(failure_text(error))

    def _show_problems(self, codes: list[str]) -> None:
        self.message.setText(" ".join(problem_text(code) for code in codes))

    # -- painting -----------------------------------------------------------------------------

    def paint(self) -> None:
        figures = self.figures
        if figures is None:
            return
        lang = screen_language(self.language.current)
        named = {t.name: t for t in tables(figures, lang)}
        self._show_heading()
        self._show_as_of()
        funnel = named["funnel"]
        self.funnel_chart.show(
            [str(r[0]) for r in funnel.rows],
            [r[1] if isinstance(r[1], int) else None for r in funnel.rows],
            word("not_measured", lang),
        )
        self.funnel_table.show_table(funnel, lang)
        self.refusals_table.show_table(named["refusals"], lang)
        self._paint_roi(figures, named.get("roi"), lang)
        self._paint_hours(figures)
        self.kiosks_table.show_table(named["kiosks"], lang)
        self.ab_table.show_table(named["ab"], lang)
        self.ab_note.setText(self._ab_note(figures))
        if "ranking" in named:
            self.ranking_table.show_table(named["ranking"], lang)
        self.tabs.setTabVisible(5, "ranking" in named)
        self._set_exports_enabled(True)
        self.painted.emit()

    # -- the hours tab: every kiosk, or one ---------------------------------------------------

    def _paint_hours(self, figures: DashboardOut) -> None:
        """The picked kiosk's map when head office has answered it for these figures; every
        kiosk's otherwise (a kiosk's map is not kept offline: the note says so)."""
        online = self.loaded is not None and not self.loaded.offline
        choices = kiosk_choices(figures)
        pick = kept_pick(self.hours_panel.current(), choices, online=online)
        self.hours_panel.set_choices(choices, pick, enabled=online and bool(choices))
        note = self._kiosk_note  # why a kiosk's map failed, until the next pick or figures
        if figures.business_id is None:
            note = self.tr("Pick a business to see one kiosk's hours.")
        elif not online:
            note = self._offline_kiosk_note()
        if pick is None:
            self.hours_panel.note.setText(note)
            self._show_grid(figures.hour_weekday)
        elif self.kiosk_hours is not None and answers(self.kiosk_hours, figures, pick):
            self.hours_panel.note.clear()
            self._show_grid(self.kiosk_hours.hour_weekday)
        else:
            self._ask_kiosk_hours(figures, pick)

    def _show_grid(self, grid: HourWeekdayOut) -> None:
        lang = screen_language(self.language.current)
        self.heat_map.show(
            grid.redeemed, WEEKDAYS[lang], self.tr("{day} {hour}:00 — {count} redemptions")
        )
        self.busiest.setText(
            self.tr("Busiest hours: {hours}").format(
                hours=", ".join(f"{WEEKDAYS[lang][d]} {h:02d}:00 ({n})" for d, h, n in grid.busiest)
                or "—"
            )
        )
        self.hours_table.show_table(hours_table(grid, lang), lang)

    def _offline_kiosk_note(self) -> str:
        return self.tr("Offline: one kiosk's hours need head office; every kiosk's are shown.")

    def _kiosk_picked(self, device_id: str | None) -> None:
        self._kiosk_note = ""
        if self.figures is not None:
            self._paint_hours(self.figures)

    def _ask_kiosk_hours(self, figures: DashboardOut, device_id: str) -> Future[KioskHoursOut]:
        """Ask on the store thread (as the dashboard); the map is blank until it comes."""
        self.hours_panel.note.setText(
            self.tr("Loading {kiosk}…").format(kiosk=self.hours_panel.kiosk.currentText())
        )
        self._show_grid(HourWeekdayOut(redeemed=[[0] * 24 for _ in range(7)], busiest=[]))
        question = kiosk_question(figures)
        return self.operations.store_op(
            lambda: self.session.load_kiosk_hours(question, device_id),
            self._kiosk_hours_loaded,
            self._kiosk_hours_failed,
        )

    def _kiosk_hours_loaded(self, answer: KioskHoursOut) -> None:
        figures = self.figures
        if figures is None or not answers(answer, figures, self.hours_panel.current()):
            return  # overtaken: another kiosk or other figures were asked for since
        self.kiosk_hours = answer
        self.hours_panel.note.clear()
        self._show_grid(answer.hour_weekday)

    def _kiosk_hours_failed(self, error: BaseException) -> None:
        """Back to every kiosk's map, saying why (offline: the map needs head office)."""
        if isinstance(error, TransientSyncError):
            self._kiosk_note = self._offline_kiosk_note()
        elif isinstance(error, SignInAgainError):
            self._load_failed(error)
            return
        else:
            self._kiosk_note = failure_text(error)
        self.hours_panel.set_choices(
            kiosk_choices(self.figures) if self.figures else [], None, enabled=True
        )
        if self.figures is not None:
            self.hours_panel.note.setText(self._kiosk_note)
            self._show_grid(self.figures.hour_weekday)

    def _paint_roi(self, figures: DashboardOut, table: Table | None, lang: str) -> None:
        language = screen_language(lang)
        points = figures.roi_over_time
        self.value_chart.show(
            [f"{p.first_day:%Y-%m-%d}" for p in points],
            [p.estimated_value for p in points],
            [p.recorded_value for p in points],
            (word("estimated_value", language), word("recorded_value", language)),
            "." if language == "es" else ",",
        )
        if table is not None:
            self.roi_table.show_table(table, language)
        else:
            self.roi_table.setRowCount(0)
        roi = figures.roi
        if roi is None:
            self.roi_summary.setText(self.tr("Return is shown per business."))
            return
        self.roi_summary.setText(
            self.tr(
                "Estimated return {estimated} · recorded return {recorded} (sale total typed "
                "for {typed} of {count} redemptions). Each figure is value minus discount and "
                "investment, over investment; — when nothing was paid."
            ).format(
                estimated=cell_text(roi.estimated_roi, "ratio", language),
                recorded=cell_text(roi.recorded_roi, "ratio", language),
                typed=cell_text(roi.recorded_redemptions, "count", language),
                count=cell_text(roi.redemptions, "count", language),
            )
        )

    def _ab_note(self, figures: DashboardOut) -> str:
        if not figures.ab_tests:
            return self.tr("No offer prints more than one variant.")
        needed = ", ".join(
            f"{offer.title}: {offer.required_per_variant}" for offer in figures.ab_tests
        )
        return self.tr(
            "A result is given once every variant has the sample size fixed up front "
            "(copies per variant: {needed})."
        ).format(needed=needed)

    def _show_as_of(self) -> None:
        if self.loaded is None:
            self.as_of.clear()
            return
        when = self.loaded.as_of.astimezone().strftime("%Y-%m-%d %H:%M")
        self.as_of.setText(self.tr("Figures as of {when}").format(when=when))

    # -- exports ------------------------------------------------------------------------------

    def export_csv(self, folder: Path) -> Future[list[Path]]:
        figures, lang, kiosk = self._export_input()
        return self.operations.background_op(
            lambda: write_all_csv(figures, folder, lang, kiosk),
            lambda paths: self.message.setText(
                self.tr("Saved {count} CSV files in {folder}").format(
                    count=len(paths), folder=folder
                )
            ),
            self._export_failed,
        )

    def export_pdf(self, path: Path) -> Future[Path]:
        figures, lang, kiosk = self._export_input()
        return self.operations.background_op(
            lambda: write_report(figures, path, lang, kiosk),
            lambda written: self.message.setText(
                self.tr("Saved the report as {path}").format(path=written)
            ),
            self._export_failed,
        )

    def _export_input(self) -> tuple[DashboardOut, FigureLanguage, KioskHoursOut | None]:
        """What is on screen: the figures, the language and the kiosk's map if one shows."""
        if self.figures is None:
            raise RuntimeError("nothing to export before the first figures")
        kiosk = kiosk_on_screen(self.kiosk_hours, self.figures, self.hours_panel.current())
        return self.figures, screen_language(self.language.current), kiosk

    def _export_failed(self, error: BaseException) -> None:
        self.message.setText(self.tr("Could not save: {error}").format(error=error))

    def _choose_csv_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Folder for the CSV files"))
        if folder:
            self.export_csv(Path(folder))

    def _choose_pdf_file(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Save the report"), "pika-report.pdf", "PDF (*.pdf)"
        )
        if path:
            self.export_pdf(Path(path))

    def _set_exports_enabled(self, enabled: bool) -> None:
        self.export_csv_button.setEnabled(enabled)
        self.export_pdf_button.setEnabled(enabled)

    # -- the rest -----------------------------------------------------------------------------

    def _busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.pickers.show_button.setEnabled(not busy)

    def forget_figures(self) -> None:
        """Signed out: nothing of the last business stays on screen (a shared office PC)."""
        self.figures = self.loaded = None
        self._set_exports_enabled(False)
        self.offline_badge.hide()
        self.as_of.clear()
        self.funnel_chart.show([], [], "")
        self.value_chart.show([], [], [], ("", ""))
        self.heat_map.show([[0] * 24 for _ in range(7)], (), "")
        self.busiest.clear()
        self.kiosk_hours = None
        self._kiosk_note = ""
        self.hours_panel.note.clear()
        self.hours_panel.set_choices([], None, enabled=False)
        self.roi_summary.clear()
        self.ab_note.clear()
        for table in self.findChildren(FigureTable):
            table.clear()
            table.setRowCount(0)
            table.setColumnCount(0)

    def sign_out(self) -> None:
        self.forget_figures()
        self.operations.store_op(self.session.sign_out, lambda _: self.sign_in_needed.emit())

    def _language_picked(self) -> None:
        code = self.language_picker.currentData()
        if code and code != self.language.current:
            self.language.switch(code)

    def retranslate(self) -> None:
        self.language_label.setText(self.tr("&Language"))
        self.sign_out_button.setText(self.tr("Sig&n out"))
        self.offline_badge.setText(self.tr("Offline: figures kept on this computer"))
        for index, text in enumerate(
            (
                self.tr("F&unnel"),
                self.tr("&Return"),
                self.tr("&Hours"),
                self.tr("&Kiosks"),
                self.tr("&A/B tests"),
                self.tr("Bus&inesses"),
            )
        ):
            self.tabs.setTabText(index, text)
        self.hours_panel.retranslate(self.tr("Kiosk sho&wn:"), self.tr("All kiosks"))
        self.export_csv_button.setText(self.tr("Export &CSV…"))
        self.export_pdf_button.setText(self.tr("&PDF report…"))
        self.language_picker.blockSignals(True)
        self.language_picker.setCurrentIndex(
            max(0, self.language_picker.findData(self.language.current))
        )
        self.language_picker.blockSignals(False)
        self._show_heading()
        self.paint()
        if self.figures is None:
            self._show_as_of()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
