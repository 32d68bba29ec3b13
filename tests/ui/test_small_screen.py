"""The counter fits a 1024×768 screen in Spanish and English, in every state it shows.

Cashier PCs often have such a screen: a window whose minimum is wider than the screen is cut
off at the right, and in kiosk mode it cannot be full screen. Long Spanish texts (a header, a
badge, a note) must wrap, never push the window wider.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from PySide6.QtCore import QSize
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from app.core.kiosk_settings import KioskSettings
from app.core.manager_pin import DEMO_PIN
from app.core.session import KioskSession, open_session
from app.core.sync import Connection, SyncApi, SyncEngine, SyncLoop, SyncStatus
from app.ui.app import build_window, parts_for
from app.ui.kiosk_window import KioskWindow
from app.ui.language import Language
from app.ui.operations import Operations
from app.ui.pin_dialog import PinDialog
from app.ui.sync_worker import SyncWorker
from pika_protocol.tokens import short_code_for

SMALL = QSize(1024, 768)


def assert_fits(widget: QWidget, what: str) -> None:
    hint = widget.minimumSizeHint()
    assert hint.width() <= SMALL.width() and hint.height() <= SMALL.height(), (
        f"{what}: needs at least {hint.width()}×{hint.height()}"
    )


def assert_on_small_screen(window: KioskWindow, what: str) -> None:
    QApplication.processEvents()
    assert_fits(window, what)
    assert window.size() == SMALL, f"{what}: the window is {window.width()}×{window.height()}"
    # and a text that wrapped to fit got the height its lines need: none is cut
    for label in window.findChildren(QLabel):
        if label.isVisible() and label.wordWrap() and label.text():
            needed = label.heightForWidth(label.width())
            assert label.height() >= needed, f"{what}: {label.text()!r} is cut"


@pytest.fixture(params=["es", "en"])
def language(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[str]:
    switcher = Language(qapp)
    assert switcher.switch(request.param)
    yield request.param
    switcher.reset()


@pytest.fixture
def demo(qtbot, tmp_path, language) -> Iterator[tuple[KioskWindow, KioskSession]]:
    ops = Operations()
    session = ops.store_op(lambda: open_session(tmp_path, demo=True)).result()
    window = build_window(session, ops)
    qtbot.addWidget(window)
    window.resize(SMALL)
    window.show()
    yield window, session
    ops.shutdown(close_store=session.store.close)


def unstarted_sync(window: KioskWindow, session: KioskSession, ops: Operations) -> SyncWorker:
    """A sync worker that never runs (nothing listens at its address): its status is the
    test's to emit."""
    api = SyncApi("http://127.0.0.1:9")
    engine = SyncEngine(session.store, api, session.device, run_on_store=ops.store_call)
    sync = SyncWorker(SyncLoop(engine), window)
    window.attach_sync(sync)
    return sync


def test_every_counter_state_fits_1024x768(qtbot, demo) -> None:
    window, session = demo
    assert session.demo is not None
    vouchers = session.demo.vouchers
    shown: list[object] = []
    window.outcome_shown.connect(shown.append)

    def enter(code: str) -> None:
        before = len(shown)
        window.entry.setText(code)
        window.submit_entry()
        qtbot.waitUntil(lambda: len(shown) > before, timeout=5000)

    assert_on_small_screen(window, "ready")
    enter(short_code_for(vouchers[0].token))
    assert window.sale_prompt.is_open
    assert_on_small_screen(window, "valid, sale total asked")
    prompt = window.sale_prompt
    prompt.field.setText("9.000.000")  # absurd for the demo shop (its usual sale: ₲ 60.000)
    prompt.submit()
    qtbot.waitUntil(lambda: "✗" in prompt.message.text(), timeout=5000)
    assert_on_small_screen(window, "absurd sale total refused")
    prompt.field.setText("150.000")
    prompt.submit()
    qtbot.waitUntil(lambda: not prompt.is_open, timeout=5000)
    assert_on_small_screen(window, "sale total saved")
    enter(short_code_for(vouchers[0].token))
    assert_on_small_screen(window, "already used")
    enter(short_code_for(session.demo.expired.token))
    assert_on_small_screen(window, "expired")
    enter("7KQ2-M9XD-Q")
    assert_on_small_screen(window, "unreadable")
    enter(short_code_for(vouchers[1].token))
    prompt.skip()
    with qtbot.waitSignal(window.undo_bar.undone, timeout=5000):
        window.undo_bar.undo()
    assert window.undo_bar.note.text()
    assert_on_small_screen(window, "redemption undone")
    window.camera_column.say_unavailable("camera 0 cannot be opened")
    assert_on_small_screen(window, "no camera")
    window.stop_camera()


def test_the_longest_connection_badge_fits_1024x768(qtbot, tmp_path, language) -> None:
    """An enrolled kiosk's badge is longer than the demo's: waiting to send, with its clock
    off, and a long queue beside it."""
    ops = Operations()
    session = ops.store_op(lambda: open_session(tmp_path, demo=True)).result()
    parts = replace(
        parts_for(session),
        demo=False,
        throwaway_key=False,
        demo_catalogue=None,
        settings=KioskSettings(),
    )
    window = KioskWindow(parts, ops)
    qtbot.addWidget(window)
    window.resize(SMALL)
    window.show()
    try:
        assert_on_small_screen(window, "not enrolled for sync")
        sync = unstarted_sync(window, session, ops)
        status = SyncStatus(connection=Connection.WAITING_TO_SEND, clock_skew_s=-3600.0)
        assert status.clock_skewed
        sync.status_changed.emit(status)
        window.refresh_pending()
        qtbot.waitUntil(lambda: "60" in window.connection_badge.text(), timeout=3000)
        assert_on_small_screen(window, "waiting to send, clock off")
    finally:
        window.exit_kiosk()
        ops.shutdown(close_store=session.store.close)


def test_the_pin_pad_and_every_manager_tab_fit_1024x768(qtbot, demo) -> None:
    window, session = demo
    unstarted_sync(window, session, window.ops)  # the panel has a Sync tab too
    window.manager.open()
    pad = window.manager.pad
    assert isinstance(pad, PinDialog)
    assert_fits(pad, "PIN pad")
    with qtbot.waitSignal(window.manager.panel_opened, timeout=5000) as opened:
        for digit in DEMO_PIN:
            pad.press(digit)
        pad.submit()
    panel = opened.args[0]
    panel.resize(SMALL)
    for index in range(panel.tabs.count()):
        panel.tabs.setCurrentIndex(index)
        QApplication.processEvents()
        assert_fits(panel, f"manager panel, tab {panel.tabs.tabText(index)}")
        assert panel.size() == SMALL
    panel.close()
