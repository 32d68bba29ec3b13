"""The cashier's undo button: countdown, undo inside the window, refusals after it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget

from app.core.corrections import Correction, CorrectionKind
from app.core.screen import READY, Screen, ScreenState
from app.ui.undo_bar import UndoBar
from pika_protocol.validation import Reason
from tests.ui.manager_support import DemoKiosk, kiosk

__all__ = ["kiosk"]


_windows: list[QWidget] = []


def make_bar(qtbot, kiosk: DemoKiosk) -> UndoBar:
    """The bar inside a shown window, as the kiosk window holds it."""
    window = QWidget()
    _windows[:] = [window]  # keep it alive for the test
    qtbot.addWidget(window)
    bar = UndoBar(kiosk.ops, kiosk.corrections, window)
    QVBoxLayout(window).addWidget(bar)
    window.show()
    return bar


def test_hidden_until_a_redemption_then_counts_down(qtbot, kiosk) -> None:
    bar = make_bar(qtbot, kiosk)
    assert not bar.isVisible()
    bar.offer(kiosk.scan(0))
    assert bar.isVisible() and bar.button.isVisible()
    assert "(59 s)" in bar.button.text()
    kiosk.clock.advance(20)
    qtbot.waitUntil(lambda: "(39 s)" in bar.button.text(), timeout=2000)


def test_undo_inside_the_window_frees_the_voucher(qtbot, kiosk) -> None:
    bar = make_bar(qtbot, kiosk)
    outcome = kiosk.scan(0)
    bar.offer(outcome)
    with qtbot.waitSignal(bar.undone, timeout=3000) as undone:
        qtbot.mouseClick(bar.button, Qt.MouseButton.LeftButton)
    correction = undone.args[0]
    assert isinstance(correction, Correction)
    assert correction.kind is CorrectionKind.UNDO
    assert correction.redemption_id == outcome.recorded.redemption_id
    assert not bar.button.isVisible()
    assert bar.note.text()
    assert kiosk.scan(0).reason is Reason.VALID


def test_the_button_goes_away_when_the_window_closes(qtbot, kiosk) -> None:
    bar = make_bar(qtbot, kiosk)
    bar.offer(kiosk.scan(0))
    kiosk.clock.advance(60)
    qtbot.waitUntil(lambda: not bar.isVisible(), timeout=2000)
    bar.undo()  # nothing to undo any more: no store call, no signal
    assert bar.outcome is None
    assert kiosk.scan(0).reason is Reason.ALREADY_REDEEMED


def test_a_tap_racing_the_countdown_is_refused_by_the_core(qtbot, kiosk) -> None:
    bar = make_bar(qtbot, kiosk)
    bar.offer(kiosk.scan(0))
    kiosk.clock.advance(60)  # the window closed, but the countdown has not ticked yet
    with qtbot.assertNotEmitted(bar.undone, wait=300):
        bar.undo()
        qtbot.waitUntil(lambda: "Too late" in bar.note.text(), timeout=3000)
    assert not bar.button.isVisible()
    assert kiosk.scan(0).reason is Reason.ALREADY_REDEEMED


def test_a_second_redemption_replaces_the_first(qtbot, kiosk) -> None:
    bar = make_bar(qtbot, kiosk)
    bar.offer(kiosk.scan(0))
    second = kiosk.scan(1)
    bar.offer(second)
    assert bar.outcome is second
    with qtbot.waitSignal(bar.undone, timeout=3000) as undone:
        bar.undo()
    assert undone.args[0].redemption_id == second.recorded.redemption_id
    assert kiosk.scan(0).reason is Reason.ALREADY_REDEEMED
    assert kiosk.scan(1).reason is Reason.VALID


def test_a_rejected_scan_keeps_the_last_redemption_undoable(qtbot, kiosk) -> None:
    bar = make_bar(qtbot, kiosk)
    first = kiosk.scan(0)
    bar.offer(first)
    again = kiosk.scan(0)
    assert again.reason is Reason.ALREADY_REDEEMED
    bar.offer(again)
    assert bar.outcome is first
    with qtbot.waitSignal(bar.undone, timeout=3000):
        bar.undo()


def test_a_redemption_made_since_is_explained(qtbot, kiosk) -> None:
    bar = make_bar(qtbot, kiosk)
    bar.offer(kiosk.scan(0))
    kiosk.scan(1)  # redeemed, but this bar never saw it
    with qtbot.assertNotEmitted(bar.undone, wait=300):
        bar.undo()
        qtbot.waitUntil(lambda: "Only the last" in bar.note.text(), timeout=3000)
    assert kiosk.scan(0).reason is Reason.ALREADY_REDEEMED


def test_the_button_never_stands_under_a_result_it_does_not_belong_to(qtbot, kiosk) -> None:
    bar = make_bar(qtbot, kiosk)
    redemption = kiosk.scan(0)
    bar.offer(redemption)
    assert bar.button.isVisible()
    height = bar.height()
    refusal = kiosk.scan(0)  # the same voucher again: already used
    bar.offer(refusal)
    assert not bar.button.isVisible() and bar.outcome is redemption
    # its space stays, so the result above does not move
    assert bar.sizePolicy().retainSizeWhenHidden() and bar.height() == height
    bar.follow(ScreenState(Screen.RESULT, refusal, 0.0, 2))
    assert not bar.button.isVisible()
    bar.follow(READY)  # back on "ready", the last redemption may be undone again
    assert bar.button.isVisible()
