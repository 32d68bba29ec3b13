"""FlowLabel: one line while its row has room, wrapped (never cut) when it has not."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from app.ui.flow_label import FlowLabel

TEXT = "Esperando para enviar · funciona normalmente · reloj desfasado 6 min"


def test_it_asks_for_one_line_and_settles_for_its_longest_word(qtbot) -> None:
    label = FlowLabel()
    qtbot.addWidget(label)
    label.setText(TEXT)
    one_line = QLabel(TEXT)  # QLabel's own hint when it may not wrap: the whole line
    qtbot.addWidget(one_line)
    one_line.setFont(label.font())
    hint = label.sizeHint()
    assert abs(hint.width() - one_line.sizeHint().width()) <= 1
    assert hint.height() == label.heightForWidth(10_000)  # one line high
    least = label.minimumSizeHint().width()
    assert least < hint.width() / 3  # the longest word, a fraction of the line
    # narrower than its hint it wraps, and is as tall as its lines need
    assert label.heightForWidth(least) >= 3 * label.fontMetrics().lineSpacing()


def test_max_lines_keeps_a_short_text_to_two_lines(qtbot) -> None:
    label = FlowLabel(max_lines=2)
    qtbot.addWidget(label)
    label.setText("Pendientes de sincronizar: 12")
    one_line = label.heightForWidth(10_000)
    least = label.minimumSizeHint().width()
    assert label.heightForWidth(least) <= one_line + label.fontMetrics().lineSpacing()
    assert label.heightForWidth(least - 2) > one_line + label.fontMetrics().lineSpacing()
    assert least < label.sizeHint().width()


def test_its_hint_follows_the_text_and_the_font(qtbot) -> None:
    label = FlowLabel()
    qtbot.addWidget(label)
    label.setText("En línea")
    short = label.sizeHint().width()
    label.setText(TEXT)
    longer = label.sizeHint().width()
    assert longer > short
    font = label.font()
    font.setPixelSize(font.pixelSize() * 2 if font.pixelSize() > 0 else 30)
    label.setFont(font)
    assert label.sizeHint().width() > longer
