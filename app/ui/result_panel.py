"""The part of the counter screen a cashier reads from 1.5 m away.

Renders :class:`~app.core.screen.ScreenState` with the look :mod:`app.core.result_look`
decides: a shape and a first word per result (✓ Valid, ! Already used, ✗ Refused), colours
that differ in luminance, "Do not apply the discount" as the largest line of every refusal,
and the scan's number and serial so two valid scans in a row do not look the same. Font sizes
follow the window (:meth:`ResultPanel.set_type_scale`). Re-renders when the language changes.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QFont, QFontMetrics, QResizeEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.core.counter import ScanOutcome
from app.core.result_look import (
    BASE_SIZE,
    Headline,
    TypeScale,
    discount_amount,
    look_for,
    type_scale,
)
from app.core.screen import READY, Screen, ScreenState
from app.core.store import DiscountKind
from app.ui.texts import entry_advice, reason_advice, reason_title, verdict
from pika_protocol.validation import Reason

# How long a new result's border flashes, so a second identical result is seen to arrive.
FLASH_MS = 450


class ResultPanel(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resultPanel")
        self.state = READY
        self.camera_available = True
        self.flashing = False
        self._scale = type_scale(*BASE_SIZE)

        def label(name: str) -> QLabel:
            widget = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
            widget.setObjectName(name)
            widget.setWordWrap(True)
            return widget

        self.icon = label("resultIcon")
        self.icon.setWordWrap(False)
        self.title = label("resultTitle")
        self.title.setWordWrap(False)
        self.headline = label("resultHeadline")
        self.reason = label("resultReason")
        self.offer = label("resultOffer")
        self.detail = label("resultDetail")
        self.status = label("resultStatus")
        top = QHBoxLayout()
        top.addStretch(1)
        top.addWidget(self.icon)
        top.addWidget(self.title)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addLayout(top)
        for widget in (self.headline, self.reason, self.offer, self.detail):
            layout.addWidget(widget)
        layout.addStretch(1)
        layout.addWidget(self.status)
        self._flash_timer = QTimer(self)
        self._flash_timer.setSingleShot(True)
        self._flash_timer.setInterval(FLASH_MS)
        self._flash_timer.timeout.connect(self._end_flash)
        self.set_type_scale(self._scale)
        self.show_state(READY)

    # --- sizes ---------------------------------------------------------------------------
    def set_type_scale(self, scale: TypeScale) -> None:
        """Font sizes for the window's size (the window calls this when it is resized)."""
        self._scale = scale
        for widget, size, bold in (
            (self.icon, scale.icon, True),
            (self.title, scale.verdict, True),
            (self.headline, scale.headline, True),
            (self.reason, scale.reason, True),
            (self.offer, scale.body, False),
            (self.detail, scale.body, False),
            (self.status, scale.status, False),
        ):
            font = QFont(widget.font())
            font.setPixelSize(size)
            font.setBold(bold)
            widget.setFont(font)
        self._fit_headline()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_headline()

    def _fit_headline(self) -> None:
        """Shrink the largest line until its longest unbreakable run (an amount) fits the
        panel: Qt would otherwise split "₲ 150.000" in the middle."""
        words = self.headline.text().split(" ") or [""]
        widest = max(words, key=len)
        room = max(50, self.contentsRect().width() - 24)
        font = QFont(self.headline.font())
        size = self._scale.headline
        font.setPixelSize(size)
        while size > 12 and QFontMetrics(font).horizontalAdvance(widest) > room:
            size = int(size * 0.9)
            font.setPixelSize(size)
        self.headline.setFont(font)

    # --- state ---------------------------------------------------------------------------
    def set_camera_available(self, available: bool) -> None:
        """Without a camera the ready screen asks for the typed code, not the QR."""
        self.camera_available = available
        if self.state.screen is Screen.READY:
            self.show_state(self.state)

    def show_state(self, state: ScreenState) -> None:
        new_result = state.screen is Screen.RESULT and state.number != self.state.number
        self.state = state
        outcome = state.outcome
        look = look_for(outcome.tone if outcome is not None else None)
        if state.screen is Screen.READY or outcome is None:
            self.icon.setText("")
            self.icon.setVisible(False)
            self.title.setText(self.tr("Ready to scan"))
            if self.camera_available:
                self.headline.setText(self.tr("Show the voucher's QR to the camera"))
                self.reason.setText(self.tr("or type the code printed under it"))
            else:
                self.headline.setText(self.tr("Type the code printed under the QR"))
                self.reason.setText(self.tr("or scan it with a USB scanner"))
            self.offer.setText("")
            self.detail.setText("")
            self.status.setText("")
        else:
            self.icon.setText(look.icon)
            self.icon.setVisible(True)
            self.title.setText(verdict(outcome.tone))
            if look.headline is Headline.DISCOUNT:
                self.headline.setText(self._discount_text(outcome))
                self.reason.setText(outcome.offer.title if outcome.offer else "")
                self.offer.setText("")
            else:
                self.headline.setText(self.tr("Do not apply the discount"))
                self.reason.setText(self._reason_text(outcome))
                self.offer.setText(self._offer_text(outcome))
            self.detail.setText(self._detail_text(outcome))
            self.status.setText(self._status_text(state, outcome))
        font = QFont(self.offer.font())
        font.setBold(look.offer_bold)
        self.offer.setFont(font)
        self._fit_headline()
        self.setProperty("tone", outcome.tone.value if outcome else "ready")
        if new_result:
            self.flashing = True
            self._flash_timer.start()
        self._restyle()

    def show_notice(self, title: str, message: str) -> None:
        """A message that is not a scan result (the kiosk was revoked), on the ready look."""
        self.show_state(READY)
        self.title.setText(title)
        self.headline.setText("")
        self.reason.setText("")
        self.detail.setText(message)

    def _restyle(self) -> None:
        outcome = self.state.outcome
        look = look_for(outcome.tone if outcome is not None else None)
        # The flash: a thick border in the text colour for a moment, then a thin one of the
        # background's colour, so the layout does not move.
        border = look.foreground if self.flashing else look.background
        self.setStyleSheet(
            f"#resultPanel {{ background: {look.background}; border-radius: 18px;"
            f" border: 10px solid {border}; }}"
            f"#resultPanel QLabel {{ color: {look.foreground}; border: none; }}"
        )

    def _end_flash(self) -> None:
        self.flashing = False
        self._restyle()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.show_state(self.state)
        super().changeEvent(event)

    # --- words ---------------------------------------------------------------------------
    def _discount_text(self, outcome: ScanOutcome) -> str:
        offer = outcome.offer
        if offer is None:
            return ""
        amount = offer.discount_value
        if offer.discount_kind is DiscountKind.AMOUNT and amount is not None:
            return discount_amount(amount)
        return offer.discount_text

    def _offer_text(self, outcome: ScanOutcome) -> str:
        """On a refusal the offer is context in plain weight, never a bold amount."""
        offer = outcome.offer
        if offer is None:
            return ""
        return f"{offer.title}: {offer.discount_text}"

    def _reason_text(self, outcome: ScanOutcome) -> str:
        prior = outcome.recorded.prior
        if outcome.reason is Reason.ALREADY_REDEEMED and prior is not None:
            when = prior.redeemed_at.astimezone().strftime("%d/%m/%Y %H:%M")
            where = prior.device_name or prior.device_id
            return self.tr("Used on {when} at {where}").format(when=when, where=where)
        if outcome.reason is Reason.ALREADY_REDEEMED:
            return ""
        return reason_title(outcome.reason)

    def _detail_text(self, outcome: ScanOutcome) -> str:
        if outcome.entry_problem is not None:
            return entry_advice(outcome.entry_problem)
        if outcome.accepted:
            return ""
        return reason_advice(outcome.reason)

    def _status_text(self, state: ScreenState, outcome: ScanOutcome) -> str:
        """What tells this result from the one before: its number, the voucher's serial and
        the time; for a valid one, that it is kept here until sync sends it."""
        parts = [self.tr("Scan {number}").format(number=state.number)]
        claims = outcome.recorded.claims
        if claims is not None:
            parts.append(self.tr("serial {serial}").format(serial=claims.serial))
        parts.append(outcome.recorded.scanned_at.astimezone().strftime("%H:%M:%S"))
        if outcome.accepted:
            # "Queued" is its own state: the redemption is kept, not yet sent.
            parts.append(self.tr("Recorded on this kiosk · waiting to sync"))
        return " · ".join(parts)
