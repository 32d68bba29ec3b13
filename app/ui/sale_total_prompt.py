"""The sale-total prompt: one optional field under a valid result, for the sale's total.

Thin over ``app.core``: :class:`app.core.sale_prompt.SalePrompt` decides when it opens and
closes, :meth:`Counter.settle_sale_total` reads the figure (refusing a wrong one) and settles
the held redemption on the store thread. Keyboard first: the field takes the focus when it
opens; Enter saves (or skips when empty), Esc skips; the buttons are for a touch screen. It
never holds the counter up: a new scan, an undo or a short idle time close it (skipped).
Its space is kept while hidden, so the result above does not jump.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.core.counter import Counter, ScanOutcome
from app.core.money import format_guaranies
from app.core.sale_prompt import OpenPrompt, PromptClose, SalePrompt
from app.core.sale_total import (
    ABSURD_TICKETS,
    SaleTotalProblem,
    SaleTotalRefused,
    read_sale_total,
)
from app.core.store import SaleTotalAnswer
from app.ui.flow_label import FlowLabel
from app.ui.lifetime import while_alive
from app.ui.operations import Operations

log = logging.getLogger(__name__)

# How long the note after a close ("Sale total saved: ₲ 150.000") stays.
NOTE_MS = 4000
# A refusal's text: dark red, bold, after a ✗ (never colour alone), AA on the window's grey.
ERROR_COLOUR = "#b71c1c"
ERROR_STYLE = f"color: {ERROR_COLOUR}; font-weight: bold;"
# A white box with a blue edge under the result: it stands apart from the grey window.
FRAME_STYLE = (
    "#saleTotalPrompt { background: #ffffff; border: 2px solid #1565c0; border-radius: 6px; }"
)


class SaleTotalPrompt(QFrame):
    """``settled(SaleTotalAnswer)`` once a close reached the store (the item may go now);
    ``closed()`` when it hides (the window gives the focus back to the code line);
    ``failed(BaseException)`` when the store failed."""

    settled = Signal(object)
    closed = Signal()
    failed = Signal(object)

    def __init__(
        self,
        ops: Operations,
        counter: Counter,
        clock: Callable[[], float],
        parent: QWidget | None = None,
        *,
        rules: SalePrompt | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("saleTotalPrompt")
        self.ops = ops
        self.counter = counter
        self.rules = rules or SalePrompt()
        self._clock = clock
        self._busy = False
        self._note = ""
        self._error = ""

        # wraps rather than widen the counter window past a 1024×768 screen (app.ui.flow_label)
        self.title = FlowLabel()
        self.title.setObjectName("saleTotalTitle")
        self.field = QLineEdit()
        self.field.setObjectName("saleTotalEntry")
        self.field.setMaxLength(40)
        self.field.returnPressed.connect(self.submit)
        self.field.textEdited.connect(self._typed)
        self.field.installEventFilter(self)
        self.save_button = QPushButton()
        self.save_button.setObjectName("saleTotalSave")
        self.save_button.clicked.connect(self.submit)
        self.skip_button = QPushButton()
        self.skip_button.setObjectName("saleTotalSkip")
        self.skip_button.clicked.connect(self.skip)
        self.message = QLabel()
        self.message.setObjectName("saleTotalMessage")
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.title)
        row.addWidget(self.field, 1)
        row.addWidget(self.save_button)
        row.addWidget(self.skip_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.message)
        self.setStyleSheet(FRAME_STYLE)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        policy = self.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.setSizePolicy(policy)

        self._timer = QTimer(self)
        self._timer.setInterval(250)
        self._timer.timeout.connect(self._tick)
        self._note_timer = QTimer(self)
        self._note_timer.setSingleShot(True)
        self._note_timer.setInterval(NOTE_MS)
        self._note_timer.timeout.connect(self._clear_note)
        self.refresh()

    # -- opening and closing ------------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        return self.rules.open is not None

    def offer(self, outcome: ScanOutcome) -> None:
        """Every outcome shown goes here: a new scan closes the prompt that is open (skipped);
        a redemption held for its total opens it, with the focus in the field."""
        if self.rules.closes_for(outcome):
            self.close_prompt(PromptClose.NEW_SCAN)
        if self.rules.offer(outcome, self._clock()) is None:
            return
        self._busy = False
        self._error = ""
        self._note = ""
        self._note_timer.stop()
        self.field.clear()
        self._timer.start()
        self.refresh()
        self.field.setFocus()

    def submit(self) -> None:
        """Enter or Save: the figure typed (refused in place when wrong), or skip when empty."""
        prompt = self.rules.open
        if prompt is None or self._busy or self.ops.stopped:
            return
        typed = self.field.text()
        if not typed.strip():
            self.close_prompt(PromptClose.SKIPPED)
            return
        self._busy = True
        counter = self.counter
        self.ops.store_op(
            lambda: counter.settle_sale_total(prompt.redemption_id, typed),
            while_alive(self, lambda answer: self._saved(prompt, typed, answer)),
            while_alive(self, lambda error: self._refused(prompt, error)),
        )

    def skip(self) -> None:
        """Esc or Skip: no total; the redemption goes without one."""
        self.close_prompt(PromptClose.SKIPPED)

    def close_prompt(self, why: PromptClose) -> None:
        """Close without a total (skipped, a new scan, an undo, idle too long)."""
        prompt = self.rules.close()
        if prompt is None:
            return
        self._busy = False
        self._hide_prompt()
        if self.ops.stopped:  # shutting down: the next start lets the redemption go
            return
        counter = self.counter
        self.ops.store_op(
            lambda: counter.skip_sale_total(prompt.redemption_id),
            while_alive(self, self.settled.emit),
            while_alive(self, self._store_failed),
        )
        log.debug("sale-total prompt closed: %s", why.value)

    def _still_open(self, prompt: OpenPrompt) -> bool:
        """Whether the prompt on screen is still the one ``prompt`` asked about."""
        return self.rules.open is not None and self.rules.open.redemption_id == prompt.redemption_id

    def _saved(self, prompt: OpenPrompt, typed: str, answer: SaleTotalAnswer) -> None:
        if not self._still_open(prompt):
            self.settled.emit(answer)  # closed meanwhile; its settle came first all the same
            return
        self.rules.close()
        self._busy = False
        self._hide_prompt()
        if answer is SaleTotalAnswer.RECORDED:
            self._show_note(self.tr("Sale total saved: {amount}").format(amount=_money(typed)))
        elif answer is SaleTotalAnswer.TOO_LATE:
            self._show_note(self.tr("Too late: the redemption already went without a total."))
        self.settled.emit(answer)

    def _refused(self, prompt: OpenPrompt, error: BaseException) -> None:
        if not self._still_open(prompt):
            return
        self._busy = False
        if not isinstance(error, SaleTotalRefused):
            self._store_failed(error)
            self.close_prompt(PromptClose.SKIPPED)
            return
        self._error = self.refusal_text(error)
        self.rules.typed(self._clock())  # reading the message is not being idle
        self.refresh()
        self.field.selectAll()
        self.field.setFocus()

    def _store_failed(self, error: BaseException) -> None:
        log.error("sale total not settled: %s", error, exc_info=error)
        self.failed.emit(error)

    def _hide_prompt(self) -> None:
        had_focus = self.window().focusWidget() is self.field
        self._timer.stop()
        self._error = ""
        self.field.clear()
        self.refresh()
        if had_focus:
            self.closed.emit()

    # -- keys and time ------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.field
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Escape
        ):
            self.skip()
            return True
        return super().eventFilter(watched, event)

    def _typed(self, _text: str) -> None:
        self.rules.typed(self._clock())
        if self._error:
            self._error = ""
        self.refresh()

    def stop(self) -> None:
        """The window is closing: no more ticks. An open prompt is left to the store: its
        redemption stays held until the next start lets it go (or its hold runs out)."""
        self._timer.stop()
        self._note_timer.stop()

    def _tick(self) -> None:
        if self.ops.stopped:  # the kiosk is shutting down: nothing more goes to the store
            self.stop()
            return
        if self.rules.timed_out(self._clock()) and not self._busy:
            self.close_prompt(PromptClose.TIMED_OUT)
        else:
            self.refresh()

    def _show_note(self, text: str) -> None:
        self._note = text
        self._note_timer.start()
        self.refresh()

    def _clear_note(self) -> None:
        self._note = ""
        self.refresh()

    # -- text ---------------------------------------------------------------------------------

    def refresh(self) -> None:
        prompt = self.rules.open
        for widget in (self.title, self.field, self.save_button, self.skip_button):
            widget.setVisible(prompt is not None)
        if prompt is not None:
            self.title.setText(self.tr("Sale total (optional):"))
        self.field.setPlaceholderText(self.tr("e.g. 150.000"))
        self.save_button.setText(self.tr("Save"))
        self.skip_button.setText(self.tr("Skip"))
        self.save_button.setEnabled(not self._busy)
        if prompt is not None and self._error:
            self.message.setStyleSheet(ERROR_STYLE)
            self.message.setText("✗ " + self._error)
        elif prompt is not None:
            self.message.setStyleSheet("")
            seconds = int(self.rules.seconds_left(self._clock()) + 0.999)
            hint = self.tr("Enter: save · Esc: skip · closes by itself in {seconds} s").format(
                seconds=seconds
            )
            if prompt.serial is not None:  # which redemption, once the result has gone
                hint = self.tr("Serial {serial}").format(serial=prompt.serial) + " · " + hint
            self.message.setText(hint)
        else:
            self.message.setStyleSheet("")
            self.message.setText(self._note)
        self.setVisible(prompt is not None or bool(self._note))

    def set_pixel_size(self, size: int) -> None:
        """Text size for the window's size (the window calls this when it is resized)."""
        for widget in (self.title, self.field, self.save_button, self.skip_button, self.message):
            font = QFont(widget.font())
            font.setPixelSize(size)
            widget.setFont(font)
        self.field.setMinimumWidth(size * 5)
        # Two lines kept for the hint or a refusal: the result above does not jump when a
        # refusal wraps.
        self.message.setMinimumHeight(self.message.fontMetrics().lineSpacing() * 2)

    def refusal_text(self, error: SaleTotalRefused) -> str:
        """Why a typed total was refused, in the screen's language, with what to do instead."""
        match error.problem:
            case SaleTotalProblem.NEGATIVE:
                return self.tr("A total cannot be negative. Type the sale's total, e.g. 150.000.")
            case SaleTotalProblem.ZERO:
                return self.tr("A total of zero is no sale. Type the total, or press Esc to skip.")
            case SaleTotalProblem.DECIMALS:
                return self.tr(
                    "Guaraníes have no cents: type whole guaraníes, e.g. 150000 or 150.000."
                )
            case SaleTotalProblem.TOO_LARGE:
                return self.tr(
                    "That figure is too large to be a sale. Check it, or press Esc to skip."
                )
            case SaleTotalProblem.ABSURD:
                return self.tr(
                    "{amount} is over {times} times this shop's usual sale ({usual}). "
                    "Check it, or press Esc."
                ).format(
                    amount=format_guaranies(error.amount or 0),
                    times=ABSURD_TICKETS,
                    usual=format_guaranies(error.usual_ticket or 0),
                )
            case _:
                return self.tr(
                    "“{typed}” is not an amount. Type the total in guaraníes, e.g. 150.000."
                ).format(typed=error.typed.strip()[:20])

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.refresh()
        super().changeEvent(event)


def _money(typed: str) -> str:
    """The saved figure as the shop writes it (``typed`` was accepted, so it reads again)."""
    amount = read_sale_total(typed)
    return typed if amount is None else format_guaranies(amount)
