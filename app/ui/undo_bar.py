"""The cashier's undo: one large button under the result while the last redemption may be undone.

Feed it every outcome shown (:meth:`UndoBar.offer`); it appears for an accepted one, counts the
undo window down ("Undo (57 s)") and hides when the window closes. It never stands under a
result it does not belong to: a refusal shown after the redemption hides it (the redemption
can still be undone once the screen is back to ready, :meth:`UndoBar.follow`). Its space is
kept while hidden, so the result above does not jump when it comes and goes. The undo itself
runs on the store thread through :class:`app.core.corrections.Corrections`, which checks the
window and that nothing was redeemed since.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QSizePolicy, QWidget

from app.core.corrections import (
    Correction,
    CorrectionError,
    Corrections,
    NothingToUndo,
    UndoSuperseded,
    UndoWindowClosed,
)
from app.core.counter import ScanOutcome
from app.core.screen import Screen, ScreenState
from app.ui.flow_label import FlowLabel
from app.ui.lifetime import while_alive
from app.ui.operations import Operations

log = logging.getLogger(__name__)

#: How long a note ("Redemption undone", "Too late…") stays before the bar hides.
NOTE_MS = 4000


class UndoBar(QWidget):
    """``undone(Correction)`` after an undo; ``failed(BaseException)`` for errors that are not
    the cashier's to fix (the store failed), for the window's error line."""

    undone = Signal(object)
    failed = Signal(object)

    def __init__(
        self, ops: Operations, corrections: Corrections, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("undoBar")
        self.ops = ops
        self.corrections = corrections
        self.outcome: ScanOutcome | None = None
        self._busy = False
        self._note = ""
        # False while a result other than the redemption to undo is on screen.
        self._belongs = True

        font = QFont(self.font())
        font.setPixelSize(24)
        self.button = QPushButton()
        self.button.setObjectName("undoButton")
        self.button.setFont(font)
        self.button.setMinimumHeight(64)
        self.button.clicked.connect(self.undo)
        # A note ("Redemption undone: the voucher can be used again.") wraps rather than widen
        # the counter window past a 1024×768 screen (app.ui.flow_label).
        self.note = FlowLabel()
        self.note.setObjectName("undoNote")
        self.note.setFont(font)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.button)
        layout.addWidget(self.note, 1)
        # Preferred, not Fixed, in height: a note that wraps gets the lines it needs, never cut.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        for widget in (self, self.button):
            policy = widget.sizePolicy()
            policy.setRetainSizeWhenHidden(True)
            widget.setSizePolicy(policy)

        self._timer = QTimer(self)
        self._timer.setInterval(250)
        self._timer.timeout.connect(self.refresh)
        self._note_timer = QTimer(self)
        self._note_timer.setSingleShot(True)
        self._note_timer.setInterval(NOTE_MS)
        self._note_timer.timeout.connect(self._clear_note)
        self.refresh()

    def offer(self, outcome: ScanOutcome) -> None:
        """Every outcome shown goes here; an accepted one becomes the one to undo."""
        self._belongs = outcome.accepted
        if not outcome.accepted:
            self.refresh()
            return
        self.outcome = outcome
        self._clear_note()
        self._timer.start()
        self.refresh()

    def follow(self, state: ScreenState) -> None:
        """The screen now shows ``state``: the button shows under its own redemption or
        under "ready", never under another result."""
        self._belongs = state.screen is Screen.READY or state.outcome is self.outcome
        self.refresh()

    def seconds_left(self) -> float:
        if self.outcome is None:
            return 0.0
        return self.corrections.undo_seconds_left(self.outcome)

    def refresh(self) -> None:
        """Re-count the window; hide the button once it has passed."""
        left = self.seconds_left()
        if left <= 0 and not self._busy:
            self.outcome = None
            self._timer.stop()
        offered = self.outcome is not None and self._belongs
        self.button.setVisible(offered)
        self.button.setEnabled(not self._busy)
        self.button.setText(
            self.tr("Undo last redemption ({seconds} s)").format(seconds=int(left + 0.999))
        )
        self.note.setText(self._note)
        self.setVisible(offered or bool(self._note))

    def set_pixel_size(self, size: int) -> None:
        """Text size for the window's size (the window calls this when it is resized)."""
        for widget in (self.button, self.note):
            font = QFont(widget.font())
            font.setPixelSize(size)
            widget.setFont(font)
        self.button.setMinimumHeight(round(size * 2.6))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.refresh()
        super().changeEvent(event)

    def undo(self) -> None:
        outcome = self.outcome
        if outcome is None or self._busy:
            return
        self._busy = True
        self.refresh()
        self.ops.store_op(
            lambda: self.corrections.undo(outcome),
            while_alive(self, self._undone),
            while_alive(self, self._undo_failed),
        )

    def _undone(self, correction: Correction) -> None:
        self._busy = False
        self.outcome = None
        self._show_note(self.tr("Redemption undone: the voucher can be used again."))
        self.undone.emit(correction)

    def _undo_failed(self, error: BaseException) -> None:
        self._busy = False
        self.outcome = None
        if isinstance(error, UndoWindowClosed):
            self._show_note(self.tr("Too late to undo. Ask the manager to void it."))
        elif isinstance(error, UndoSuperseded):
            self._show_note(self.tr("Only the last redemption can be undone. Ask the manager."))
        elif isinstance(error, NothingToUndo):
            self._show_note(self.tr("Already undone."))
        elif isinstance(error, CorrectionError):
            # Refused for a reason with no words of its own: the core's English stays in the log.
            log.warning("undo refused: %s", error)
            self._show_note(self.tr("Could not undo. Ask the manager."))
        else:
            log.error("undo failed: %s", error, exc_info=error)
            self._show_note(self.tr("Could not undo. Ask the manager."))
            self.failed.emit(error)

    def _show_note(self, text: str) -> None:
        self._note = text
        self._note_timer.start()
        self.refresh()

    def _clear_note(self) -> None:
        self._note = ""
        self._note_timer.stop()
        self.refresh()
