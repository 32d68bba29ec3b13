"""The part of the counter screen a cashier reads from a metre away.

Renders :class:`~app.core.screen.ScreenState`: grey "ready", or a green / yellow / red result
with the reason in plain words. Re-renders itself when the language changes.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from app.core.counter import ScanOutcome, Tone
from app.core.money import format_guaranies
from app.core.screen import READY, Screen, ScreenState
from app.core.store import DiscountKind
from app.core.validation import Reason
from app.ui.texts import entry_advice, reason_advice, reason_title

TONE_COLOURS = {
    Tone.VALID: ("#1b7f3b", "#ffffff"),
    Tone.WARNING: ("#f2c200", "#1a1a1a"),
    Tone.INVALID: ("#c62828", "#ffffff"),
}
READY_COLOURS = ("#eceff1", "#1a1a1a")


class ResultPanel(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resultPanel")
        self.state = READY
        self.title = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        self.title.setObjectName("resultTitle")
        self.offer = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        self.offer.setObjectName("resultOffer")
        self.detail = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        self.detail.setObjectName("resultDetail")
        self.status = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        self.status.setObjectName("resultStatus")
        for label, size, bold in (
            (self.title, 48, True),
            (self.offer, 30, True),
            (self.detail, 20, False),
            (self.status, 14, False),
        ):
            label.setWordWrap(True)
            font = QFont(label.font())
            font.setPointSize(size)
            font.setBold(bold)
            label.setFont(font)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        for label in (self.title, self.offer, self.detail):
            layout.addWidget(label)
        layout.addStretch(1)
        layout.addWidget(self.status)
        self.show_state(READY)

    def show_state(self, state: ScreenState) -> None:
        self.state = state
        outcome = state.outcome
        if state.screen is Screen.READY or outcome is None:
            background, foreground = READY_COLOURS
            self.title.setText(self.tr("Ready to scan"))
            self.offer.setText(self.tr("Show the voucher's QR to the camera"))
            self.detail.setText(self.tr("or type the code printed under it"))
            self.status.setText("")
        else:
            background, foreground = TONE_COLOURS[outcome.tone]
            self.title.setText(reason_title(outcome.reason))
            self.offer.setText(self._offer_text(outcome))
            self.detail.setText(self._detail_text(outcome))
            self.status.setText(self._status_text(outcome))
        self.setProperty("tone", outcome.tone.value if outcome else "ready")
        self.setStyleSheet(
            f"#resultPanel {{ background: {background}; border-radius: 18px; }}"
            f"#resultPanel QLabel {{ color: {foreground}; }}"
        )

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.show_state(self.state)
        super().changeEvent(event)

    def _offer_text(self, outcome: ScanOutcome) -> str:
        offer = outcome.offer
        if offer is None:
            return ""
        amount = offer.discount_value
        if (
            outcome.reason is Reason.VALID
            and offer.discount_kind is DiscountKind.AMOUNT
            and amount is not None
        ):
            return f"{offer.title}: −{format_guaranies(amount)}"
        return f"{offer.title}: {offer.discount_text}"

    def _detail_text(self, outcome: ScanOutcome) -> str:
        prior = outcome.recorded.prior
        if outcome.entry_problem is not None:
            return entry_advice(outcome.entry_problem)
        advice = reason_advice(outcome.reason)
        if outcome.reason is Reason.ALREADY_REDEEMED and prior is not None:
            when = prior.redeemed_at.astimezone().strftime("%d/%m/%Y %H:%M")
            where = prior.device_name or prior.device_id
            used = self.tr("Used on {when} at {where}.").format(when=when, where=where)
            return f"{used} {advice}"
        return advice

    def _status_text(self, outcome: ScanOutcome) -> str:
        if outcome.reason is not Reason.VALID:
            return ""
        # "Queued" is its own state: the cashier sees the redemption is kept, not yet sent.
        return self.tr("Recorded on this kiosk · waiting to sync")
