"""The question's pickers: business, offer, variant, first and last day (with presets), bucket.

The question is built in ``app.core.dashboard.question`` and checked there before any request;
this widget only reads its fields, offers the choices the last answer named, and shows why a
question was not asked.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QDate, QEvent, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QWidget,
)

from app.core.dashboard.client import DashboardQuery
from app.core.dashboard.question import PRESETS, Preset, build_question, preset_range
from pika_protocol.analytics_wire import BusinessChoice, OfferChoice


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _day(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class Pickers(QWidget):
    """Emits ``asked`` with a checked question; ``problem`` names what stopped one."""

    asked = Signal(object)  # DashboardQuery
    problem = Signal(list)  # codes (app.core.dashboard.question.problems)

    def __init__(self, today: Callable[[], date], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._today = today
        self.head_office = False
        self._fixed_business: int | None = None
        self._offers: list[OfferChoice] = []

        self.business_label = QLabel()
        self.business = QComboBox()
        self.offer_label = QLabel()
        self.offer = QComboBox()
        self.variant_label = QLabel()
        self.variant = QComboBox()
        self.first_label = QLabel()
        self.first_day = QDateEdit()
        self.last_label = QLabel()
        self.last_day = QDateEdit()
        for edit in (self.first_day, self.last_day):
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setCalendarPopup(True)
        self.bucket_label = QLabel()
        self.bucket = QComboBox()
        self.presets = {preset: QPushButton() for preset in PRESETS}
        self.show_button = QPushButton()
        self.show_button.setDefault(True)

        for label, field in (
            (self.business_label, self.business),
            (self.offer_label, self.offer),
            (self.variant_label, self.variant),
            (self.first_label, self.first_day),
            (self.last_label, self.last_day),
            (self.bucket_label, self.bucket),
        ):
            label.setBuddy(field)

        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        for column, (label, field) in enumerate(
            (
                (self.business_label, self.business),
                (self.offer_label, self.offer),
                (self.variant_label, self.variant),
            )
        ):
            grid.addWidget(label, 0, 2 * column)
            grid.addWidget(field, 0, 2 * column + 1)
        grid.addWidget(self.show_button, 0, 6)
        grid.addWidget(self.first_label, 1, 0)
        grid.addWidget(self.first_day, 1, 1)
        grid.addWidget(self.last_label, 1, 2)
        grid.addWidget(self.last_day, 1, 3)
        grid.addWidget(self.bucket_label, 1, 4)
        grid.addWidget(self.bucket, 1, 5)
        presets = QHBoxLayout()
        for button in self.presets.values():
            presets.addWidget(button)
        presets.addStretch(1)
        grid.addLayout(presets, 2, 0, 1, 7)
        grid.setColumnStretch(1, 2)
        grid.setColumnStretch(3, 2)
        grid.setColumnStretch(5, 1)

        for preset, button in self.presets.items():
            button.clicked.connect(lambda _=False, p=preset: self.use_preset(p))
        self.offer.currentIndexChanged.connect(self._offer_changed)
        self.show_button.clicked.connect(self.ask)
        self.setTabOrder(self.business, self.offer)
        self.setTabOrder(self.offer, self.variant)
        self.setTabOrder(self.variant, self.first_day)
        self.setTabOrder(self.first_day, self.last_day)
        self.setTabOrder(self.last_day, self.bucket)
        self.setTabOrder(self.bucket, self.show_button)
        self.use_preset("this_month")
        self.retranslate()
        self.set_choices([], [])

    # -- choices ------------------------------------------------------------------------------

    def set_viewer(self, head_office: bool, business_id: int | None, name: str | None) -> None:
        """Head office picks any business (or all); a manager sees only their own."""
        self.head_office = head_office
        self._fixed_business = business_id
        self.business.blockSignals(True)
        self.business.clear()
        if head_office:
            self.business.addItem(self.tr("All businesses"), None)
        else:
            self.business.addItem(name or "", business_id)
        self.business.setEnabled(head_office)
        self.business.blockSignals(False)

    def set_choices(self, offers: list[OfferChoice], businesses: list[BusinessChoice]) -> None:
        """What the last answer named; the current picks stay when they still exist."""
        if self.head_office and businesses:  # a per-business answer may not list them all
            chosen = self.business.currentData()
            self.business.blockSignals(True)
            self.business.clear()
            self.business.addItem(self.tr("All businesses"), None)
            for choice in businesses:
                self.business.addItem(choice.name, choice.id)
            self.business.setCurrentIndex(max(0, self.business.findData(chosen)))
            self.business.blockSignals(False)
        chosen_offer = self.offer.currentData()
        chosen_variant = self.variant.currentData()
        self._offers = list(offers)
        self.offer.blockSignals(True)
        self.offer.clear()
        self.offer.addItem(self.tr("All offers"), None)
        for offer in offers:
            self.offer.addItem(offer.title, offer.id)
        self.offer.setCurrentIndex(max(0, self.offer.findData(chosen_offer)))
        self.offer.blockSignals(False)
        self._offer_changed()
        self.variant.setCurrentIndex(max(0, self.variant.findData(chosen_variant)))

    def _offer_changed(self) -> None:
        offer_id = self.offer.currentData()
        variants: dict[int, str] = {}
        for offer in self._offers:
            if offer.id == offer_id:
                variants = offer.variants
        self.variant.clear()
        self.variant.addItem(self.tr("All variants"), None)
        for number, label in sorted(variants.items()):
            self.variant.addItem(label, number)
        self.variant.setEnabled(bool(variants))

    # -- the question -------------------------------------------------------------------------

    def use_preset(self, preset: Preset) -> None:
        first, last = preset_range(preset, self._today())
        self.first_day.setDate(_qdate(first))
        self.last_day.setDate(_qdate(last))

    def set_range(self, first: date, last: date) -> None:
        self.first_day.setDate(_qdate(first))
        self.last_day.setDate(_qdate(last))

    def question(self) -> DashboardQuery:
        """The question the fields ask (``QuestionError`` when it must not be sent)."""
        business = self.business.currentData() if self.head_office else self._fixed_business
        return build_question(
            business,
            _day(self.first_day.date()),
            _day(self.last_day.date()),
            offer_id=self.offer.currentData(),
            variant=self.variant.currentData(),
            bucket=self.bucket.currentData() or "month",
        )

    def ask(self) -> None:
        from app.core.dashboard.question import QuestionError

        try:
            query = self.question()
        except QuestionError as exc:
            self.problem.emit(exc.codes)
            return
        self.asked.emit(query)

    # -- words --------------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.business_label.setText(self.tr("&Business"))
        self.offer_label.setText(self.tr("&Offer"))
        self.variant_label.setText(self.tr("&Variant"))
        self.first_label.setText(self.tr("&From"))
        self.last_label.setText(self.tr("&To"))
        self.bucket_label.setText(self.tr("&Group by"))
        self.show_button.setText(self.tr("&Show figures"))
        words = {
            "this_month": self.tr("This &month"),
            "last_30_days": self.tr("Last &30 days"),
            "this_year": self.tr("This &year"),
        }
        for preset, button in self.presets.items():
            button.setText(words[preset])
        chosen = self.bucket.currentData() or "month"
        self.bucket.blockSignals(True)
        self.bucket.clear()
        for bucket, text in (
            ("month", self.tr("month")),
            ("week", self.tr("week")),
            ("day", self.tr("day")),
        ):
            self.bucket.addItem(text, bucket)
        self.bucket.setCurrentIndex(max(0, self.bucket.findData(chosen)))
        self.bucket.blockSignals(False)
        if self.business.count() and self.head_office:
            self.business.setItemText(0, self.tr("All businesses"))
        if self.offer.count():
            self.offer.setItemText(0, self.tr("All offers"))
        if self.variant.count():
            self.variant.setItemText(0, self.tr("All variants"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
