"""A label that wraps only when its row runs out of room.

A row of labels (the counter's header, the sale-total prompt, the undo bar's note) must never
ask for more width than a 1024×768 screen has, whatever the language: Spanish texts run about
a quarter longer than English, and a label that will not wrap makes the whole window wider
than the screen. A plain word-wrapped ``QLabel`` fits, but its size hint is a heuristic made
for paragraphs that already breaks a text of 20 characters or more, so a short header would
sit on two lines beside empty space. :class:`FlowLabel` asks for its text on one line and
settles for its longest word, or for ``max_lines`` lines: a row shrinks its labels by the same
number of pixels each, and a short text beside a long one should not end up a word a line.
"""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QLabel, QWidget

#: Wider than any screen: at this width every text is on one line.
UNBOUNDED = 1 << 16


class FlowLabel(QLabel):
    """Word-wrapped; its size hint is its text on one line, its minimum its longest word (or
    the narrowest width that keeps it within ``max_lines`` lines)."""

    def __init__(self, parent: QWidget | None = None, *, max_lines: int | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.max_lines = max_lines
        self._sizes_for: tuple[object, ...] | None = None
        self._sizes: tuple[QSize, QSize] = (QSize(), QSize())

    def sizeHint(self) -> QSize:
        return QSize(self._measured()[0])

    def minimumSizeHint(self) -> QSize:
        least = super().minimumSizeHint()  # its longest word, one line high
        if self.max_lines is None:
            return least
        return QSize(self._measured()[1].width(), least.height())

    def _measured(self) -> tuple[QSize, QSize]:
        """(one line, at most ``max_lines`` lines), measured again only when what they depend
        on changed: layouts ask for hints far more often than texts change."""
        margins = self.contentsMargins()
        key = (
            self.text(),
            self.font().key(),
            self.styleSheet(),
            margins.left(),
            margins.right(),
            self.margin(),
            self.indent(),
            self.max_lines,
        )
        if key != self._sizes_for:
            line = self.heightForWidth(UNBOUNDED)
            lines = self.max_lines or 1
            spacing = self.fontMetrics().lineSpacing()
            self._sizes_for = key
            self._sizes = (
                self._narrowest(line),
                self._narrowest(line + (lines - 1) * spacing),
            )
        return self._sizes

    def _narrowest(self, height: int) -> QSize:
        """The narrowest width at which the text is at most ``height`` tall (QLabel's own
        wrapping decides), found by halving between the longest word and an unbounded line."""
        narrow, wide = super().minimumSizeHint().width(), UNBOUNDED
        if self.heightForWidth(narrow) <= height:
            return QSize(narrow, self.heightForWidth(narrow))
        while wide - narrow > 1:
            middle = (narrow + wide) // 2
            if self.heightForWidth(middle) <= height:
                wide = middle
            else:
                narrow = middle
        return QSize(wide, self.heightForWidth(wide))
