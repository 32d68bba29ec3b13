"""The manager PIN pad: large touch buttons, masked digits, lockout countdown.

Thin over :class:`app.core.manager_pin.ManagerPin`: every check runs on the store thread
through :class:`~app.ui.operations.Operations`, and the pad only shows the typed answer. Open it
with ``open()`` (window-modal, never ``exec()``), listen to ``accepted``.

A kiosk without a PIN turns "enter the PIN" into "choose a PIN" by itself, so the first
manager to open it sets one up.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from enum import StrEnum

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.core.manager_pin import (
    DEMO_PIN,
    MAX_DIGITS,
    MIN_DIGITS,
    ManagerPin,
    PinAlreadySetError,
    PinFormatError,
    PinLockedError,
    PinNotSetError,
    PinRecordDamagedError,
    WrongPinError,
)
from app.ui.lifetime import while_alive
from app.ui.operations import Operations
from app.ui.texts import error_text_for

log = logging.getLogger(__name__)

BUTTON_SIZE = 88


class PinPurpose(StrEnum):
    ENTER = "enter"  # prove you are the manager
    SET_UP = "set_up"  # first run: choose the PIN
    CHANGE = "change"  # current PIN, then the new one twice


class _Step(StrEnum):
    CURRENT = "current"
    NEW = "new"
    REPEAT = "repeat"


class PinDialog(QDialog):
    """Asks for the manager PIN (or sets / changes it); ``accepted`` when that succeeded."""

    def __init__(
        self,
        ops: Operations,
        pin: ManagerPin,
        purpose: PinPurpose = PinPurpose.ENTER,
        parent: QWidget | None = None,
        *,
        demo: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("pinDialog")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.ops = ops
        self.pin = pin
        self.purpose = purpose
        self.demo = demo
        self._clock = clock
        self._step = _Step.NEW if purpose is PinPurpose.SET_UP else _Step.CURRENT
        self._current = ""
        self._new = ""
        self._locked_until = 0.0
        self._message = ""
        self._busy = False

        big = QFont(self.font())
        big.setPointSize(26)
        self.prompt = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        self.prompt.setObjectName("pinPrompt")
        self.prompt.setWordWrap(True)
        prompt_font = QFont(self.font())
        prompt_font.setPointSize(18)
        self.prompt.setFont(prompt_font)
        self.display = QLineEdit()
        self.display.setObjectName("pinDisplay")
        self.display.setEchoMode(QLineEdit.EchoMode.Password)
        self.display.setReadOnly(True)
        self.display.setMaxLength(MAX_DIGITS)
        self.display.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.display.setFont(big)
        self.display.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.message = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        self.message.setObjectName("pinMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #c62828; font-weight: bold;")
        self.hint = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        self.hint.setObjectName("pinHint")
        self.hint.setFont(prompt_font)

        self.digit_buttons: dict[str, QPushButton] = {}
        self.digit_group = QButtonGroup(self)
        self.digit_group.idClicked.connect(self._digit_clicked)
        grid = QGridLayout()
        for position, digit in enumerate("123456789"):
            grid.addWidget(self._digit_button(digit, big), position // 3, position % 3)
        self.clear_button = self._key_button(big)
        self.clear_button.clicked.connect(self.backspace)
        grid.addWidget(self.clear_button, 3, 0)
        grid.addWidget(self._digit_button("0", big), 3, 1)
        self.ok_button = self._key_button(big)
        self.ok_button.setObjectName("pinOk")
        self.ok_button.clicked.connect(self.submit)
        grid.addWidget(self.ok_button, 3, 2)
        for column in range(3):
            grid.setColumnStretch(column, 1)
        ok_font = QFont(big)
        ok_font.setPointSize(18)
        self.ok_button.setFont(ok_font)
        self.cancel_button = QPushButton()
        self.cancel_button.setMinimumHeight(56)
        self.cancel_button.setFont(prompt_font)  # as readable as the pad's other words
        self.cancel_button.clicked.connect(self.reject)
        # Keys typed on a keyboard belong to the pad itself (keyPressEvent): Enter submits,
        # Esc cancels. A focused or auto-default button would take Enter for itself.
        for button in (self.ok_button, self.cancel_button):
            button.setAutoDefault(False)
        self.cancel_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

        layout = QVBoxLayout(self)
        layout.addWidget(self.prompt)
        layout.addWidget(self.display)
        layout.addWidget(self.message)
        layout.addLayout(grid)
        layout.addWidget(self.hint)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.cancel_button)
        layout.addLayout(bottom)

        self._countdown = QTimer(self)
        self._countdown.setInterval(250)
        self._countdown.timeout.connect(self._tick)
        self.retranslate()
        self._update_keys()
        if self._step is _Step.CURRENT:
            self.ops.store_op(
                self.pin.locked_seconds_left,
                while_alive(self, self._lock_for),
                while_alive(self, self._failed),
            )

    # -- text -----------------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Manager PIN"))
        self.prompt.setText(self._prompt_text())
        self.clear_button.setText("⌫")
        self.clear_button.setToolTip(self.tr("Delete the last digit"))
        self.ok_button.setText(self.tr("OK"))
        self.cancel_button.setText(self.tr("Cancel"))
        self.hint.setText(self.tr("Demo PIN: {pin}").format(pin=DEMO_PIN) if self.demo else "")
        self.hint.setVisible(self.demo)
        self._show_message()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _prompt_text(self) -> str:
        if self._step is _Step.CURRENT:
            if self.purpose is PinPurpose.CHANGE:
                return self.tr("Enter the current manager PIN")
            return self.tr("Enter the manager PIN")
        if self._step is _Step.NEW:
            return self.tr("Choose a new manager PIN ({low} to {high} digits)").format(
                low=MIN_DIGITS, high=MAX_DIGITS
            )
        return self.tr("Enter the new PIN again")

    # -- typing ---------------------------------------------------------------------------------

    def press(self, digit: str) -> None:
        if digit.isdigit() and len(self.display.text()) < MAX_DIGITS and self._accepting():
            self.display.setText(self.display.text() + digit)
            self._update_keys()

    def backspace(self) -> None:
        self.display.setText(self.display.text()[:-1])
        self._update_keys()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, text = event.key(), event.text()
        if text and text in "0123456789":
            self.press(text)
        elif key == Qt.Key.Key_Backspace:
            self.backspace()
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.submit()
        else:
            super().keyPressEvent(event)

    def submit(self) -> None:
        typed = self.display.text()
        if len(typed) < MIN_DIGITS or not self._accepting():
            return
        self.display.clear()
        self._set_message("")
        if self._step is _Step.CURRENT and self.purpose is PinPurpose.ENTER:
            self._run(lambda: self.pin.verify(typed))
        elif self._step is _Step.CURRENT:
            self._current = typed
            self._go(_Step.NEW)
        elif self._step is _Step.NEW:
            self._new = typed
            self._go(_Step.REPEAT)
        elif typed != self._new:
            self._new = ""
            self._set_message(self.tr("The two PINs are different. Choose the new PIN again."))
            self._go(_Step.NEW)
        elif self.purpose is PinPurpose.CHANGE:
            current, new = self._current, self._new
            self._run(lambda: self.pin.change(current, new))
        else:
            new = self._new
            self._run(lambda: self.pin.set_up(new))

    # -- answers from the store thread ----------------------------------------------------------

    def _run(self, op: Callable[[], None]) -> None:
        self._busy = True
        self._update_keys()
        self.ops.store_op(op, while_alive(self, self._succeeded), while_alive(self, self._failed))

    def _succeeded(self, _result: object) -> None:
        self._busy = False
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self._busy = False
        if isinstance(error, WrongPinError):
            if error.locked_seconds > 0:
                self._lock_for(error.locked_seconds)
            else:
                self._set_message(
                    self.tr("Wrong PIN. {count} tries left.").format(count=error.tries_left)
                )
            self._restart()
        elif isinstance(error, PinLockedError):
            self._lock_for(error.seconds_left)
            self._restart()
        elif isinstance(error, PinNotSetError):
            # First run: whoever holds the kiosk's keys now chooses the PIN.
            self.purpose = PinPurpose.SET_UP
            self._set_message(self.tr("No manager PIN yet: choose one now."))
            self._go(_Step.NEW)
        elif isinstance(error, PinAlreadySetError):
            self.purpose = PinPurpose.ENTER
            self._set_message(self.tr("A manager PIN is already set."))
            self._go(_Step.CURRENT)
        elif isinstance(error, PinFormatError):
            self._set_message(
                self.tr("A PIN has {low} to {high} digits.").format(low=MIN_DIGITS, high=MAX_DIGITS)
            )
            self._go(_Step.NEW)
        elif isinstance(error, PinRecordDamagedError):
            log.error("manager PIN unreadable: %s", error)
            self._set_message(self.tr("The stored PIN is damaged. Call IT to reset it."))
        else:
            log.error("PIN check failed: %s", error, exc_info=error)
            self._set_message(error_text_for(error))
        self._update_keys()

    def _restart(self) -> None:
        """After a wrong PIN everything is typed again, from the current PIN."""
        self._current = self._new = ""
        self._go(_Step.CURRENT)

    # -- lockout --------------------------------------------------------------------------------

    def _lock_for(self, seconds: float) -> None:
        if seconds <= 0:
            return
        self._locked_until = self._clock() + seconds
        self._message = ""
        self._countdown.start()
        self._tick()

    def locked_seconds_left(self) -> float:
        return max(0.0, self._locked_until - self._clock())

    def _tick(self) -> None:
        if self.locked_seconds_left() <= 0:
            self._countdown.stop()
        self._show_message()
        self._update_keys()

    # -- state ----------------------------------------------------------------------------------

    def _go(self, step: _Step) -> None:
        self._step = step
        self.display.clear()
        self.prompt.setText(self._prompt_text())
        self._update_keys()

    def _set_message(self, text: str) -> None:
        self._message = text
        self._show_message()

    def _show_message(self) -> None:
        left = self.locked_seconds_left()
        if left > 0:
            text = self.tr("Too many wrong PINs. Try again in {seconds} s.").format(
                seconds=int(left + 0.999)
            )
        else:
            text = self._message
        self.message.setText(text)

    def _accepting(self) -> bool:
        return not self._busy and self.locked_seconds_left() <= 0

    def _update_keys(self) -> None:
        accepting = self._accepting()
        for button in self.digit_buttons.values():
            button.setEnabled(accepting)
        self.clear_button.setEnabled(accepting and bool(self.display.text()))
        self.ok_button.setEnabled(accepting and len(self.display.text()) >= MIN_DIGITS)

    def _digit_button(self, digit: str, font: QFont) -> QPushButton:
        button = self._key_button(font)
        button.setText(digit)
        self.digit_group.addButton(button, int(digit))
        self.digit_buttons[digit] = button
        return button

    def _digit_clicked(self, digit: int) -> None:
        self.press(str(digit))

    def _key_button(self, font: QFont) -> QPushButton:
        button = QPushButton()
        button.setFont(font)
        button.setMinimumSize(BUTTON_SIZE, BUTTON_SIZE)
        button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        return button
