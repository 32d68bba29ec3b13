"""USB keyboard-wedge scanners through the real window, with simulated key events."""

from __future__ import annotations

import pytest

from app.core.session import open_session
from app.core.tokens import short_code_for
from app.core.validation import Reason
from app.ui.app import build_window
from app.ui.operations import Operations


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
