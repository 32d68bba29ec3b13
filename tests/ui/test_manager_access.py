"""The way into the manager panel: PIN pad, then panel, signals passed on to the window."""

from __future__ import annotations

from datetime import timedelta

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from app.core.kiosk_settings import KioskSettings
from app.core.manager_pin import DEMO_PIN
from app.ui.manager_access import ManagerAccess
from app.ui.manager_view import ManagerView
from app.ui.pin_dialog import PinDialog
from tests.ui.manager_support import DemoKiosk, kiosk

__all__ = ["kiosk"]


@pytest.fixture
def window(qtbot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.show()
    return widget


def make_access(kiosk: DemoKiosk, window: QWidget, **kwargs) -> ManagerAccess:
    return ManagerAccess(
        kiosk.ops,
        kiosk.corrections,
        kiosk.pin,
        KioskSettings(undo_window_seconds=45),
        window,
        camera_probe=lambda: [],
        **kwargs,
    )


def enter(pad: PinDialog, pin: str) -> None:
    for digit in pin:
        pad.press(digit)
    pad.submit()


def open_panel(qtbot, access: ManagerAccess, pin: str) -> ManagerView:
    pad = access.open()
    assert isinstance(pad, PinDialog) and pad.isVisible()
    with qtbot.waitSignal(access.panel_opened, timeout=3000) as opened:
        enter(pad, pin)
    view = opened.args[0]
    assert isinstance(view, ManagerView) and view.isVisible()
    return view


def test_the_settings_undo_window_is_applied_at_once(kiosk, window) -> None:
    make_access(kiosk, window)
    assert kiosk.corrections.undo_window == timedelta(seconds=45)


def test_right_pin_opens_the_panel_and_its_signals_reach_the_window(qtbot, kiosk, window) -> None:
    kiosk.ops.store_op(lambda: kiosk.pin.set_up("2468")).result()
    access = make_access(kiosk, window)
    view = open_panel(qtbot, access, "2468")
    assert access.open() is view  # a second tap brings the open panel forward

    view.settings_tab.undo_spin.setValue(90)
    with qtbot.waitSignal(access.settings_changed, timeout=3000) as changed:
        view.settings_tab.save_settings()
    assert changed.args[0].undo_window_seconds == 90
    assert access.settings.undo_window_seconds == 90
    assert kiosk.corrections.undo_window == timedelta(seconds=90)

    with qtbot.waitSignal(access.exit_requested, timeout=1000):
        view.exit_button.click()
    with qtbot.waitSignal(view.finished, timeout=1000):
        view.back_button.click()
    qtbot.waitUntil(lambda: access.panel is None, timeout=1000)


def test_void_in_the_panel_reaches_the_window(qtbot, kiosk, window) -> None:
    kiosk.ops.store_op(lambda: kiosk.pin.set_up("2468")).result()
    outcome = kiosk.scan(0)
    access = make_access(kiosk, window)
    view = open_panel(qtbot, access, "2468")
    qtbot.waitUntil(lambda: view.table.rowCount() == 1, timeout=3000)
    with qtbot.waitSignal(access.redemption_voided, timeout=3000) as voided:
        view.void(view.page.lines[0], "Scanned by mistake")
    assert voided.args == [str(outcome.recorded.redemption_id)]


def test_a_wrong_pin_keeps_the_panel_closed(qtbot, kiosk, window) -> None:
    kiosk.ops.store_op(lambda: kiosk.pin.set_up("2468")).result()
    access = make_access(kiosk, window)
    pad = access.open()
    assert isinstance(pad, PinDialog)
    with qtbot.assertNotEmitted(access.panel_opened, wait=300):
        enter(pad, "1111")
        qtbot.waitUntil(lambda: "Wrong PIN" in pad.message.text(), timeout=3000)
    assert access.panel is None
    assert access.open() is pad


def test_a_demo_kiosk_opens_with_the_demo_pin(qtbot, kiosk, window) -> None:
    access = make_access(kiosk, window, demo=True)
    pad = access.open()
    assert isinstance(pad, PinDialog) and DEMO_PIN in pad.hint.text()
    with qtbot.waitSignal(access.panel_opened, timeout=3000):
        enter(pad, DEMO_PIN)


def test_a_new_kiosk_sets_its_pin_on_first_open(qtbot, kiosk, window) -> None:
    access = make_access(kiosk, window)
    pad = access.open()
    assert isinstance(pad, PinDialog)
    enter(pad, "9753")
    qtbot.waitUntil(lambda: "choose" in pad.message.text().lower(), timeout=3000)
    enter(pad, "9753")
    with qtbot.waitSignal(access.panel_opened, timeout=3000):
        enter(pad, "9753")
    kiosk.ops.store_op(lambda: kiosk.pin.verify("9753")).result()


def _focused(qtbot, pad: PinDialog) -> QWidget:
    """Where a keyboard's keys go: the widget holding the focus in the pad (Qt sends them
    to the active window itself when no widget holds it)."""
    qtbot.waitUntil(lambda: QApplication.activeWindow() is pad, timeout=3000)
    focused = QApplication.focusWidget() or pad
    assert focused.window() is pad
    return focused


def _cancel_with_button(qtbot, pad: PinDialog) -> None:
    qtbot.mouseClick(pad.cancel_button, Qt.MouseButton.LeftButton)


def _cancel_with_escape(qtbot, pad: PinDialog) -> None:
    qtbot.keyClick(_focused(qtbot, pad), Qt.Key.Key_Escape)


def _cancel_with_close_button(qtbot, pad: PinDialog) -> None:
    pad.close()  # what the window manager's close button (or Alt+F4) does


def _cancel_by_typing_then_escape(qtbot, pad: PinDialog) -> None:
    qtbot.keyClicks(_focused(qtbot, pad), "12")
    qtbot.keyClick(_focused(qtbot, pad), Qt.Key.Key_Escape)


@pytest.mark.parametrize(
    "cancel",
    [
        _cancel_with_button,
        _cancel_with_escape,
        _cancel_with_close_button,
        _cancel_by_typing_then_escape,
    ],
)
def test_a_cancelled_pad_opens_again_and_takes_the_pin(qtbot, kiosk, window, cancel) -> None:
    kiosk.ops.store_op(lambda: kiosk.pin.set_up("2468")).result()
    access = make_access(kiosk, window)
    for _ in range(2):  # cancelled twice: the second open must not find a dead pad either
        pad = access.open()
        assert isinstance(pad, PinDialog) and pad.isVisible()
        cancel(qtbot, pad)
        qtbot.waitUntil(lambda p=pad: not shiboken6.isValid(p), timeout=3000)  # Qt deleted it
        assert access.panel is None
    pad = access.open()
    assert isinstance(pad, PinDialog) and pad.isVisible()
    with qtbot.waitSignal(access.panel_opened, timeout=3000):
        enter(pad, "2468")


def test_enter_on_a_keyboard_accepts_the_pin(qtbot, kiosk, window) -> None:
    kiosk.ops.store_op(lambda: kiosk.pin.set_up("2468")).result()
    access = make_access(kiosk, window)
    pad = access.open()
    assert isinstance(pad, PinDialog)
    with qtbot.waitSignal(access.panel_opened, timeout=3000):
        qtbot.keyClicks(_focused(qtbot, pad), "2468")
        qtbot.keyClick(_focused(qtbot, pad), Qt.Key.Key_Return)
