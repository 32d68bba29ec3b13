"""USB keyboard-wedge scanners through the real window, with simulated key events."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from app.core.session import open_session
from app.ui.app import build_window
from app.ui.operations import Operations
from pika_protocol.tokens import short_code_for
from pika_protocol.validation import Reason


@pytest.fixture
def window(qtbot, tmp_path):
    ops = Operations()
    session = ops.store_op(lambda: open_session(tmp_path, demo=True)).result()
    win = build_window(session, ops)
    qtbot.addWidget(win)
    win.show()
    win.entry.setFocus()
    yield win, session
    win.close()
    ops.shutdown(close_store=session.store.close)


def outcomes_of(win) -> list:
    seen: list = []
    win.outcome_shown.connect(seen.append)
    return seen


def test_fast_burst_with_enter_is_a_scan_and_leaves_the_entry_clean(qtbot, window) -> None:
    win, session = window
    seen = outcomes_of(win)
    token = session.demo.vouchers[0].token
    qtbot.keyClicks(win.entry, token + "\r")
    qtbot.waitUntil(lambda: len(seen) == 1, timeout=5000)
    assert seen[0].reason is Reason.VALID
    assert seen[0].recorded.source == "wedge"
    assert win.entry.text() == ""


def test_scanner_without_enter_ends_by_going_quiet(qtbot, window) -> None:
    win, session = window
    seen = outcomes_of(win)
    qtbot.keyClicks(win.entry, session.demo.vouchers[1].token)
    qtbot.waitUntil(lambda: len(seen) == 1, timeout=5000)
    assert seen[0].reason is Reason.VALID
    assert win.entry.text() == ""


def test_slow_typing_stays_in_the_entry_and_enter_submits_it(qtbot, window) -> None:
    win, session = window
    seen = outcomes_of(win)
    code = short_code_for(session.demo.vouchers[2].token)
    qtbot.keyClicks(win.entry, code, delay=70)  # a person: 70 ms between keys
    qtbot.wait(300)
    assert win.entry.text() == code and seen == []
    qtbot.keyClick(win.entry, "\r")
    qtbot.waitUntil(lambda: len(seen) == 1, timeout=5000)
    assert seen[0].reason is Reason.VALID
    assert seen[0].recorded.source == "manual"


def test_qwertz_layout_is_resolved_by_the_signature(qtbot, window) -> None:
    win, session = window
    seen = outcomes_of(win)
    token = next(v.token for v in session.demo.vouchers if "Y" in v.token or "Z" in v.token)
    garbled = token.translate(str.maketrans("YZ", "ZY"))
    qtbot.keyClicks(win.entry, garbled + "\r")
    qtbot.waitUntil(lambda: len(seen) == 1, timeout=5000)
    assert seen[0].reason is Reason.VALID
    assert seen[0].recorded.claims.serial == next(
        v.serial for v in session.demo.vouchers if v.token == token
    )


def test_garbage_burst_is_recorded_as_unreadable(qtbot, window) -> None:
    win, _ = window
    seen = outcomes_of(win)
    qtbot.keyClicks(win.entry, "HTTPS://EXAMPLE.COM/PROMO\r")
    qtbot.waitUntil(lambda: len(seen) == 1, timeout=5000)
    assert seen[0].reason is Reason.MALFORMED


def post_keys(widget, text: str, *, start_ms: int, gap_ms: int) -> None:
    """Queue key presses stamped ``gap_ms`` apart, as the keyboard made them; they are all
    handled in one go afterwards, as by a UI thread that was busy while they were typed."""
    for i, char in enumerate(text):
        if char == "\r":
            key, shown = Qt.Key.Key_Return, "\r"
        elif char == "-":
            key, shown = Qt.Key.Key_Minus, char
        elif char.isdigit():
            key, shown = Qt.Key(Qt.Key.Key_0.value + int(char)), char
        else:
            key, shown = Qt.Key(Qt.Key.Key_A.value + ord(char.upper()) - ord("A")), char
        event = QKeyEvent(QEvent.Type.KeyPress, key, Qt.KeyboardModifier.NoModifier, shown)
        event.setTimestamp(start_ms + i * gap_ms)
        QApplication.postEvent(widget, event)


@pytest.mark.parametrize("gap_ms", [60, 70, 80])
def test_typing_handled_late_by_a_busy_thread_is_still_typing(qtbot, window, gap_ms) -> None:
    win, session = window
    seen = outcomes_of(win)
    code = short_code_for(session.demo.vouchers[3].token)
    post_keys(win.entry, code, start_ms=5_000_000, gap_ms=gap_ms)
    qtbot.waitUntil(lambda: win.entry.text() == code, timeout=3000)
    post_keys(win.entry, "\r", start_ms=5_000_000 + len(code) * gap_ms, gap_ms=gap_ms)
    qtbot.waitUntil(lambda: len(seen) == 1, timeout=5000)
    assert seen[0].reason is Reason.VALID
    assert seen[0].recorded.source == "manual"


def test_a_scanner_handled_late_by_a_busy_thread_is_still_a_scanner(qtbot, window) -> None:
    win, session = window
    seen = outcomes_of(win)
    post_keys(win.entry, session.demo.vouchers[4].token + "\r", start_ms=7_000_000, gap_ms=3)
    qtbot.waitUntil(lambda: len(seen) == 1, timeout=5000)
    assert seen[0].reason is Reason.VALID
    assert seen[0].recorded.source == "wedge"
    assert win.entry.text() == ""


def test_keys_held_back_as_a_possible_scan_come_back_in_order(qtbot, window) -> None:
    win, _ = window
    # Five keys in a rush, then a person's pace: the rush is held back, then given back.
    for i, (char, at) in enumerate(zip("ABCDEFG", [0, 10, 20, 30, 40, 150, 260], strict=True)):
        post_keys(win.entry, char, start_ms=9_000_000 + at, gap_ms=0)
        if i == 4:
            qtbot.wait(50)
    qtbot.waitUntil(lambda: win.entry.text() == "ABCDEFG", timeout=3000)


def test_the_same_scan_again_within_the_debounce_window_is_explained(qtbot, window) -> None:
    win, session = window
    seen = outcomes_of(win)
    token = session.demo.vouchers[5].token
    win._wedge_scan(token, "")
    qtbot.waitUntil(lambda: len(seen) == 1, timeout=3000)
    win._wedge_scan(token, "")
    message = win.statusBar().currentMessage()
    assert "3 s" in message and message
    qtbot.wait(200)
    assert len(seen) == 1
