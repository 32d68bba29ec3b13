"""The demo kiosk end to end through its real window, store and counter (offscreen Qt)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtGui import QFontMetrics

from app.core.counter import ScanOutcome, ScanSource, Tone
from app.core.result_look import LOOKS, type_scale
from app.core.session import KioskSession, open_session
from app.ui.app import build_window
from app.ui.kiosk_window import KioskWindow
from app.ui.operations import Operations
from pika_protocol.tokens import short_code_for
from pika_protocol.validation import Reason


@pytest.fixture
def demo(qtbot, tmp_path) -> Iterator[tuple[KioskWindow, KioskSession]]:
    ops = Operations()
    session = ops.store_op(lambda: open_session(tmp_path, demo=True)).result()
    window = build_window(session, ops)
    qtbot.addWidget(window)
    window.show()
    yield window, session
    ops.shutdown(close_store=session.store.close)


def type_code(qtbot, window: KioskWindow, text: str) -> ScanOutcome:
    with qtbot.waitSignal(window.outcome_shown, timeout=5000) as shown:
        window.entry.setText(text)
        qtbot.keyClick(window.entry, "\r")
    return shown.args[0]


def test_typed_code_redeems_then_shows_already_redeemed(qtbot, demo) -> None:
    window, session = demo
    assert session.demo is not None
    voucher = session.demo.vouchers[0]
    code = short_code_for(voucher.token)

    first = type_code(qtbot, window, code)
    assert first.reason is Reason.VALID
    assert window.sounds.last_played is Tone.VALID
    assert window.result_panel.property("tone") == "valid"
    assert window.result_panel.title.text() != ""
    valid_title = window.result_panel.title.text()

    second = type_code(qtbot, window, code.lower().replace("-", " "))
    assert second.reason is Reason.ALREADY_REDEEMED
    assert window.sounds.last_played is Tone.WARNING
    assert window.result_panel.property("tone") == "warning"
    assert second.recorded.prior is not None
    assert window.result_panel.title.text() != valid_title
    assert "Caja 1" in window.result_panel.reason.text()
    qtbot.waitUntil(lambda: window.pending_label.text().endswith("2"), timeout=3000)


@pytest.mark.parametrize(
    ("pick", "reason"),
    [
        (lambda c: c.expired, Reason.EXPIRED),
        (lambda c: c.not_yet_valid, Reason.NOT_YET_VALID),
        (lambda c: c.other_business, Reason.OTHER_BUSINESS),
        (lambda c: c.revoked, Reason.REVOKED),
    ],
)
def test_failing_demo_vouchers_show_their_reason(qtbot, demo, pick, reason) -> None:
    window, session = demo
    voucher = pick(session.demo)
    outcome = type_code(qtbot, window, short_code_for(voucher.token))
    assert outcome.reason is reason


def test_mistyped_code_is_red_and_recorded(qtbot, demo) -> None:
    window, session = demo
    code = short_code_for(session.demo.vouchers[1].token)
    typo = code[:-1] + ("0" if code[-1] != "0" else "1")
    outcome = type_code(qtbot, window, typo)
    assert outcome.reason is Reason.MALFORMED
    assert f"background: {LOOKS[Tone.INVALID].background}" in window.result_panel.styleSheet()


def test_a_typo_is_answered_with_what_to_check_not_with_type_it_again(qtbot, demo) -> None:
    window, session = demo
    code = short_code_for(session.demo.vouchers[1].token)
    typo = ("B" if code[0] != "B" else "C") + code[1:]
    outcome = type_code(qtbot, window, typo)
    advice = window.result_panel.detail.text()
    assert outcome.entry_problem is not None
    assert "check" in advice and "character by character" in advice
    assert "type the code printed under the QR" not in advice


def test_scanned_token_goes_through_the_same_path(qtbot, demo) -> None:
    window, session = demo
    token = session.demo.vouchers[2].token
    with qtbot.waitSignal(window.outcome_shown, timeout=5000) as shown:
        window.submit_scan(token, ScanSource.WEDGE)
    assert shown.args[0].reason is Reason.VALID


def test_result_returns_to_ready(qtbot, tmp_path) -> None:
    ops = Operations()
    session = ops.store_op(lambda: open_session(tmp_path, demo=True)).result()
    window = build_window(session, ops)
    window.apply_settings(window.settings.with_changes(result_timeout_seconds=1.0))
    qtbot.addWidget(window)
    ready = window.result_panel.title.text()
    type_code(qtbot, window, short_code_for(session.demo.vouchers[0].token))
    assert window.result_panel.title.text() != ready
    qtbot.wait(500)
    assert window.result_panel.title.text() != ready  # still showing the result
    qtbot.waitUntil(lambda: window.result_panel.title.text() == ready, timeout=3000)
    ops.shutdown(close_store=session.store.close)


def test_print_sheet_writes_pdf(qtbot, demo, tmp_path) -> None:
    window, _session = demo
    with qtbot.waitSignal(window.sheet_written, timeout=20000) as written:
        window.print_sheet(tmp_path / "out.pdf")
    assert written.args[0][0].read_bytes().startswith(b"%PDF")


def test_settings_apply_at_once(qtbot, demo) -> None:
    window, _session = demo
    window.apply_settings(window.settings.with_changes(sounds=False, mirror_preview=False))
    assert window.sounds.enabled is False and window.preview.mirror is False


def test_same_wedge_scan_twice_within_debounce_is_one_scan(qtbot, demo) -> None:
    window, session = demo
    seen: list = []
    window.outcome_shown.connect(seen.append)
    token = session.demo.vouchers[7].token
    window._wedge_scan(token, "")
    window._wedge_scan(token, "")
    qtbot.waitUntil(lambda: len(seen) == 1, timeout=3000)
    qtbot.wait(300)
    assert len(seen) == 1 and seen[0].reason is Reason.VALID


def test_missing_camera_is_a_message_not_a_crash(qtbot, demo, tmp_path, caplog) -> None:
    window, _ = demo
    assert "camera" in window.result_panel.headline.text()
    window.settings = window.settings.with_changes(camera=str(tmp_path / "no-such-video.avi"))
    window.start_configured_camera()
    # a video standing in for the camera is said to be a video that cannot be played
    qtbot.waitUntil(lambda: "cannot be played" in window.statusBar().currentMessage(), timeout=5000)
    assert window.camera_column.worker is None
    # The cashier's line is in one language; the (English) reason goes to the log.
    assert "no-such-video" not in window.statusBar().currentMessage()
    assert "no-such-video" in caplog.text
    # and the ready screen no longer asks for the camera, it asks for the typed code
    assert "camera" not in window.result_panel.headline.text()
    assert "Type the code" in window.result_panel.headline.text()


def test_a_missing_webcam_is_looked_for_again(qtbot, demo) -> None:
    window, _ = demo
    window.settings = window.settings.with_changes(camera=63)  # no such camera here
    window.start_configured_camera()
    qtbot.waitUntil(lambda: window.camera_column.retry.isActive(), timeout=10_000)
    assert window.camera_column.worker is None
    assert window.statusBar().currentMessage()
    window.stop_camera()
    assert not window.camera_column.retry.isActive()


@pytest.mark.parametrize("size", [(1024, 768), (1280, 800), (1920, 1080)])
def test_text_is_sized_from_the_window_and_the_amount_stays_on_one_line(qtbot, demo, size) -> None:
    window, session = demo
    window.resize(*size)
    qtbot.waitUntil(lambda: window.size().width() == size[0], timeout=2000)
    type_code(qtbot, window, short_code_for(session.demo.vouchers[0].token))
    headline = window.result_panel.headline
    assert "₲" in headline.text()
    # the whole amount fits the line: Qt has no reason to split it
    assert QFontMetrics(headline.font()).horizontalAdvance(headline.text()) <= headline.width()
    # header and status grow with the screen: readable from 1.5 m (about 22 pt at 1920×1080)
    header = window.business_label.font().pixelSize()
    assert header == type_scale(*size).header
    assert window.statusBar().font().pixelSize() == type_scale(*size).status
    assert header >= 18 and (size[0] < 1920 or header >= 28)
