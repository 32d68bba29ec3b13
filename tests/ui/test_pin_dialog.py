"""The manager PIN pad, driven like a manager would (offscreen Qt, real store)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.core.manager_pin import DEMO_PIN, TRIES_BEFORE_LOCK
from app.ui.pin_dialog import PinDialog, PinPurpose
from tests.ui.manager_support import DemoKiosk, TickClock, kiosk

__all__ = ["kiosk"]

PIN = "482916"


@pytest.fixture
def with_pin(kiosk: DemoKiosk) -> DemoKiosk:
    kiosk.ops.store_op(lambda: kiosk.pin.set_up(PIN)).result()
    return kiosk


@pytest.fixture
def ticks() -> TickClock:
    return TickClock()


def make_dialog(qtbot, kiosk: DemoKiosk, ticks: TickClock, **kwargs) -> PinDialog:
    dialog = PinDialog(kiosk.ops, kiosk.pin, clock=ticks, **kwargs)
    qtbot.addWidget(dialog)
    dialog.open()
    return dialog


def tap(qtbot, dialog: PinDialog, digits: str) -> None:
    for digit in digits:
        qtbot.mouseClick(dialog.digit_buttons[digit], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)


def test_digits_are_masked_and_the_right_pin_is_accepted(qtbot, with_pin, ticks) -> None:
    dialog = make_dialog(qtbot, with_pin, ticks)
    for digit in "4829":
        qtbot.mouseClick(dialog.digit_buttons[digit], Qt.MouseButton.LeftButton)
    assert dialog.display.echoMode() is dialog.display.EchoMode.Password
    assert dialog.display.text() == "4829"
    assert dialog.display.displayText() != "4829"
    with qtbot.waitSignal(dialog.accepted, timeout=3000):
        tap(qtbot, dialog, "16")


def test_ok_needs_at_least_four_digits_and_backspace_works(qtbot, with_pin, ticks) -> None:
    dialog = make_dialog(qtbot, with_pin, ticks)
    for digit in "123":
        dialog.press(digit)
    assert not dialog.ok_button.isEnabled()
    dialog.press("4")
    assert dialog.ok_button.isEnabled()
    qtbot.mouseClick(dialog.clear_button, Qt.MouseButton.LeftButton)
    assert dialog.display.text() == "123"
    for digit in "123456789":
        dialog.press(digit)
    assert len(dialog.display.text()) == 8


def test_keyboard_digits_and_enter_work(qtbot, with_pin, ticks) -> None:
    dialog = make_dialog(qtbot, with_pin, ticks)
    with qtbot.waitSignal(dialog.accepted, timeout=3000):
        qtbot.keyClicks(dialog, PIN)
        qtbot.keyClick(dialog, Qt.Key.Key_Return)


def test_a_wrong_pin_says_how_many_tries_are_left(qtbot, with_pin, ticks) -> None:
    dialog = make_dialog(qtbot, with_pin, ticks)
    tap(qtbot, dialog, "1111")
    qtbot.waitUntil(lambda: "4" in dialog.message.text(), timeout=3000)
    assert dialog.isVisible() and dialog.result() == 0
    assert dialog.display.text() == ""


def test_five_wrong_pins_lock_the_pad_with_a_countdown(qtbot, with_pin, ticks) -> None:
    kiosk = with_pin
    dialog = make_dialog(qtbot, kiosk, ticks)
    for attempt in range(TRIES_BEFORE_LOCK):
        tap(qtbot, dialog, "0000")
        left = TRIES_BEFORE_LOCK - attempt - 1
        if left:
            qtbot.waitUntil(lambda left=left: str(left) in dialog.message.text(), timeout=3000)
    qtbot.waitUntil(lambda: "30 s" in dialog.message.text(), timeout=3000)
    assert not any(button.isEnabled() for button in dialog.digit_buttons.values())
    dialog.press("4")
    assert dialog.display.text() == ""

    ticks.advance(12)
    kiosk.clock.advance(12)
    qtbot.waitUntil(lambda: "18 s" in dialog.message.text(), timeout=3000)

    ticks.advance(18)
    kiosk.clock.advance(18)
    qtbot.waitUntil(lambda: dialog.digit_buttons["4"].isEnabled(), timeout=3000)
    assert dialog.message.text() == ""
    with qtbot.waitSignal(dialog.accepted, timeout=3000):
        tap(qtbot, dialog, PIN)


def test_a_new_pad_shows_a_lock_that_is_still_running(qtbot, with_pin, ticks) -> None:
    kiosk = with_pin
    first = make_dialog(qtbot, kiosk, ticks)
    for _ in range(TRIES_BEFORE_LOCK):
        tap(qtbot, first, "0000")
        qtbot.waitUntil(lambda: first.display.text() == "" and not first._busy, timeout=3000)
    first.reject()
    kiosk.clock.advance(10)
    second = make_dialog(qtbot, kiosk, ticks)
    qtbot.waitUntil(lambda: "20 s" in second.message.text(), timeout=3000)
    assert not second.digit_buttons["1"].isEnabled()


def test_first_run_asks_to_choose_a_pin_twice(qtbot, kiosk, ticks) -> None:
    dialog = make_dialog(qtbot, kiosk, ticks)
    tap(qtbot, dialog, "1357")
    qtbot.waitUntil(lambda: dialog.purpose is PinPurpose.SET_UP, timeout=3000)
    assert "choose" in dialog.message.text().lower()
    tap(qtbot, dialog, "2468")
    assert "again" in dialog.prompt.text()
    tap(qtbot, dialog, "2460")
    assert "different" in dialog.message.text()
    tap(qtbot, dialog, "2468")
    with qtbot.waitSignal(dialog.accepted, timeout=3000):
        tap(qtbot, dialog, "2468")
    kiosk.ops.store_op(lambda: kiosk.pin.verify("2468")).result()


def test_change_pin_asks_current_then_new_twice(qtbot, with_pin, ticks) -> None:
    kiosk = with_pin
    dialog = make_dialog(qtbot, kiosk, ticks, purpose=PinPurpose.CHANGE)
    assert "current" in dialog.prompt.text()
    tap(qtbot, dialog, PIN)
    tap(qtbot, dialog, "7777")
    with qtbot.waitSignal(dialog.accepted, timeout=3000):
        tap(qtbot, dialog, "7777")
    kiosk.ops.store_op(lambda: kiosk.pin.verify("7777")).result()


def test_change_pin_with_a_wrong_current_pin_starts_over(qtbot, with_pin, ticks) -> None:
    kiosk = with_pin
    dialog = make_dialog(qtbot, kiosk, ticks, purpose=PinPurpose.CHANGE)
    tap(qtbot, dialog, "9999")
    tap(qtbot, dialog, "7777")
    tap(qtbot, dialog, "7777")
    qtbot.waitUntil(lambda: "Wrong PIN" in dialog.message.text(), timeout=3000)
    assert "current" in dialog.prompt.text()
    kiosk.ops.store_op(lambda: kiosk.pin.verify(PIN)).result()


def test_demo_pad_shows_the_demo_pin(qtbot, kiosk, ticks) -> None:
    kiosk.ops.store_op(kiosk.pin.ensure_demo_pin).result()
    dialog = make_dialog(qtbot, kiosk, ticks, demo=True)
    assert DEMO_PIN in dialog.hint.text() and dialog.hint.isVisible()
    with qtbot.waitSignal(dialog.accepted, timeout=3000):
        tap(qtbot, dialog, DEMO_PIN)


def test_cancel_rejects(qtbot, with_pin, ticks) -> None:
    dialog = make_dialog(qtbot, with_pin, ticks)
    with qtbot.waitSignal(dialog.rejected, timeout=3000):
        qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
