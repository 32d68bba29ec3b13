"""Kiosk mode: full screen, not closable without the manager PIN; manager panel and undo."""

from __future__ import annotations

import dataclasses

import pytest

from app.core.manager_pin import DEMO_PIN
from app.core.session import open_session
from app.ui.app import build_window
from app.ui.operations import Operations
from app.ui.pin_dialog import PinDialog
from pika_protocol.tokens import short_code_for
from pika_protocol.validation import Reason


@pytest.fixture
def kiosk(qtbot, tmp_path):
    ops = Operations()
    session = ops.store_op(lambda: open_session(tmp_path, demo=True)).result()
    window = build_window(session, ops)
    qtbot.addWidget(window)
    window.enter_kiosk_mode()
    yield window, session
    window._exit_allowed = True
    window.close()
    ops.shutdown(close_store=session.store.close)


def pin_pad(qtbot, window) -> PinDialog:
    qtbot.waitUntil(
        lambda: window.manager.pad is not None and window.manager.pad.isVisible(), timeout=3000
    )
    return window.manager.pad


def test_kiosk_mode_is_full_screen_and_close_asks_for_the_pin(qtbot, kiosk) -> None:
    window, _ = kiosk
    assert window.isFullScreen()
    window.close()
    assert window.isVisible()  # refused: a cashier cannot leave
    pad = pin_pad(qtbot, window)
    pad.reject()
    assert window.isVisible()


def test_manager_exit_with_the_pin_closes_the_kiosk(qtbot, kiosk) -> None:
    window, _ = kiosk
    opened: list = []
    window.manager.panel_opened.connect(opened.append)
    window.manager_button.click()
    pad = pin_pad(qtbot, window)
    qtbot.waitUntil(lambda: pad.isEnabled(), timeout=3000)
    for digit in DEMO_PIN:
        qtbot.keyClick(pad, digit)
    qtbot.keyClick(pad, "\r")
    qtbot.waitUntil(lambda: bool(opened), timeout=5000)
    opened[0].exit_requested.emit()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=3000)


def test_cashier_undo_makes_the_voucher_redeemable_again(qtbot, kiosk) -> None:
    window, session = kiosk
    code = short_code_for(session.demo.vouchers[0].token)
    seen: list = []
    window.outcome_shown.connect(seen.append)
    window.entry.setText(code)
    window.submit_entry()
    qtbot.waitUntil(lambda: len(seen) == 1, timeout=3000)
    assert seen[0].reason is Reason.VALID
    qtbot.waitUntil(lambda: window.undo_bar.button.isVisible(), timeout=3000)
    with qtbot.waitSignal(window.undo_bar.undone, timeout=3000):
        window.undo_bar.button.click()
    window.entry.setText(code)
    window.submit_entry()
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=3000)
    assert seen[1].reason is Reason.VALID


@pytest.mark.parametrize("kiosk_mode", [True, False])
@pytest.mark.parametrize("demo", [True, False])
def test_a_video_as_camera_is_on_the_counter_screen_only_in_the_demo(
    qtbot, tmp_path, demo: bool, kiosk_mode: bool
) -> None:
    """Choosing a video opens a file browser: outside the demo that is the manager's (the
    panel's settings have it, behind the PIN), never the cashier's."""
    ops = Operations()
    session = ops.store_op(lambda: open_session(tmp_path, demo=True)).result()
    window = build_window(session if demo else dataclasses.replace(session, demo=None), ops)
    qtbot.addWidget(window)
    if kiosk_mode:
        window.enter_kiosk_mode()
    else:
        window.show()
    assert window.video_button.isVisible() is demo
    window._exit_allowed = True
    window.close()
    ops.shutdown(close_store=session.store.close)
