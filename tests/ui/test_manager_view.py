"""The manager panel: history with voids, today's counts, settings form, PIN, exit."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog

from app.core.colour import AA_TEXT, contrast_ratio
from app.core.corrections import RedemptionState
from app.core.kiosk_settings import KioskSettings
from app.core.result_look import panel_type_scale
from app.core.scanning.capture import CameraInfo
from app.ui.language import Language
from app.ui.manager_view import VOID_COLUMN, ManagerView
from app.ui.pin_dialog import PinPurpose
from pika_protocol.validation import Reason
from tests.ui.manager_support import DemoKiosk, kiosk

__all__ = ["kiosk"]


class FakeProbe:
    """Stands in for probe_cameras (no webcam in CI) and notes which thread called it."""

    def __init__(self, cameras: list[CameraInfo]) -> None:
        self.cameras = cameras
        self.threads: list[threading.Thread] = []

    def __call__(self) -> list[CameraInfo]:
        self.threads.append(threading.current_thread())
        return self.cameras


@pytest.fixture
def probe() -> FakeProbe:
    return FakeProbe([CameraInfo(0, 640, 480), CameraInfo(2, 1280, 720)])


def make_view(qtbot, kiosk: DemoKiosk, probe: FakeProbe, settings=None) -> ManagerView:
    view = ManagerView(
        kiosk.ops,
        kiosk.corrections,
        kiosk.pin,
        settings or KioskSettings(),
        camera_probe=probe,
    )
    qtbot.addWidget(view)
    view.open()
    qtbot.waitUntil(lambda: view.settings_tab.cameras is not None, timeout=3000)
    return view


def test_lists_scans_with_reason_source_offer_and_sync_state(qtbot, kiosk, probe) -> None:
    first = kiosk.scan(0)
    kiosk.scan(0)  # already redeemed
    kiosk.scan(13)  # another offer
    view = make_view(qtbot, kiosk, probe)
    qtbot.waitUntil(lambda: view.table.rowCount() == 3, timeout=3000)
    rows = [[view.table.item(row, col).text() for col in range(VOID_COLUMN)] for row in range(3)]
    newest, used, oldest = rows
    assert newest[2] == "Valid voucher" and newest[3] == kiosk.catalogue.vouchers[13].offer.title
    assert used[2] == "Already used" and used[1] == "Camera"
    assert oldest[4] == str(first.recorded.claims.serial)
    assert all(row[5] == "Waiting" for row in rows)
    voids = [view.table.cellWidget(row, VOID_COLUMN) for row in range(3)]
    assert voids[0] is not None and voids[1] is None and voids[2] is not None
    counts = view.counts_label.text()
    assert "Valid voucher: 2" in counts and "Already used: 1" in counts


def test_an_empty_history_says_so(qtbot, kiosk, probe) -> None:
    view = make_view(qtbot, kiosk, probe)
    qtbot.waitUntil(lambda: "no scans" in view.counts_label.text(), timeout=3000)
    assert view.table.rowCount() == 0


def test_void_asks_a_reason_then_frees_the_voucher(qtbot, kiosk, probe) -> None:
    outcome = kiosk.scan(0)
    view = make_view(qtbot, kiosk, probe)
    qtbot.waitUntil(lambda: view.table.rowCount() == 1, timeout=3000)
    qtbot.mouseClick(view.table.cellWidget(0, VOID_COLUMN), Qt.MouseButton.LeftButton)
    dialog = view.void_dialog
    assert dialog is not None and dialog.isVisible()
    assert not dialog.ok_button.isEnabled()
    dialog.reason_box.setEditText("   ")
    assert not dialog.ok_button.isEnabled()
    dialog.reason_box.setEditText("Scanned the wrong customer's voucher")
    assert dialog.ok_button.isEnabled()
    with qtbot.waitSignal(view.redemption_voided, timeout=3000) as voided:
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert voided.args == [str(outcome.recorded.redemption_id)]
    qtbot.waitUntil(lambda: "(voided)" in view.table.item(0, 2).text(), timeout=3000)
    assert view.table.cellWidget(0, VOID_COLUMN) is None
    assert view.page.lines[0].redemption is RedemptionState.VOIDED
    assert kiosk.scan(0).reason is Reason.VALID


def test_cancelling_the_void_changes_nothing(qtbot, kiosk, probe) -> None:
    kiosk.scan(0)
    view = make_view(qtbot, kiosk, probe)
    qtbot.waitUntil(lambda: view.table.rowCount() == 1, timeout=3000)
    dialog = view.ask_void(view.page.lines[0])
    dialog.reason_box.setEditText("mistake")
    with qtbot.assertNotEmitted(view.redemption_voided, wait=300):
        dialog.reject()
    assert kiosk.scan(0).reason is Reason.ALREADY_REDEEMED


def test_a_void_without_reason_is_refused(qtbot, kiosk, probe) -> None:
    kiosk.scan(0)
    view = make_view(qtbot, kiosk, probe)
    qtbot.waitUntil(lambda: view.table.rowCount() == 1, timeout=3000)
    with qtbot.assertNotEmitted(view.redemption_voided, wait=300):
        view.void(view.page.lines[0], "")
        qtbot.waitUntil(lambda: "reason" in view.status.text(), timeout=3000)
    assert kiosk.scan(0).reason is Reason.ALREADY_REDEEMED


def test_voiding_what_was_undone_meanwhile_is_explained(qtbot, kiosk, probe) -> None:
    outcome = kiosk.scan(0)
    view = make_view(qtbot, kiosk, probe)
    qtbot.waitUntil(lambda: view.table.rowCount() == 1, timeout=3000)
    kiosk.ops.store_op(lambda: kiosk.corrections.undo(outcome)).result()
    view.void(view.page.lines[0], "mistake")
    qtbot.waitUntil(lambda: "already voided" in view.status.text(), timeout=3000)
    qtbot.waitUntil(lambda: view.table.cellWidget(0, VOID_COLUMN) is None, timeout=3000)


def test_cameras_are_probed_off_the_gui_thread_and_listed(qtbot, kiosk, probe) -> None:
    view = make_view(qtbot, kiosk, probe, KioskSettings(camera=2))
    assert probe.threads and probe.threads[0] is not threading.main_thread()
    items = [
        view.settings_tab.camera_box.itemData(i)
        for i in range(view.settings_tab.camera_box.count())
    ]
    assert items == [0, 2]
    assert view.settings_tab.camera_box.currentData() == 2
    assert "1280x720" in view.settings_tab.camera_box.currentText()


def test_a_saved_camera_that_is_gone_stays_listed(qtbot, kiosk) -> None:
    view = make_view(qtbot, kiosk, FakeProbe([]), KioskSettings(camera=1))
    assert view.settings_tab.camera_box.currentData() == 1
    assert "not found" in view.settings_tab.camera_box.currentText()


def test_settings_are_saved_and_announced(qtbot, kiosk, probe, tmp_path: Path) -> None:
    view = make_view(qtbot, kiosk, probe)
    view.settings_tab.camera_box.setCurrentIndex(view.settings_tab.camera_box.findData(2))
    view.settings_tab.resolution_box.setCurrentText("1920x1080")
    view.settings_tab.mirror_check.setChecked(False)
    view.settings_tab.sounds_check.setChecked(False)
    view.settings_tab.language_box.setCurrentIndex(view.settings_tab.language_box.findData("en"))
    view.settings_tab.debounce_spin.setValue(2.5)
    view.settings_tab.result_spin.setValue(8)
    view.settings_tab.undo_spin.setValue(120)
    with qtbot.waitSignal(view.settings_changed, timeout=3000) as changed:
        qtbot.mouseClick(view.settings_tab.save_button, Qt.MouseButton.LeftButton)
    expected = KioskSettings(
        camera=2,
        resolution=(1920, 1080),
        mirror_preview=False,
        sounds=False,
        language="en",
        debounce_seconds=2.5,
        result_timeout_seconds=8.0,
        undo_window_seconds=120,
    )
    assert changed.args == [expected]
    stored = kiosk.ops.store_op(lambda: KioskSettings.load(kiosk.store)).result()
    assert stored.settings == expected and stored.problems == ()


def test_a_video_file_can_stand_in_for_the_camera(qtbot, kiosk, probe, tmp_path: Path) -> None:
    video = tmp_path / "counter.mp4"
    video.write_bytes(b"")
    view = make_view(qtbot, kiosk, probe)
    view.settings_tab.set_camera_path(video)
    assert view.settings_tab.camera_box.currentData() == str(video.resolve())
    with qtbot.waitSignal(view.settings_changed, timeout=3000) as changed:
        view.settings_tab.save_settings()
    assert changed.args[0].camera == video.resolve()
    view.settings_tab.look_for_cameras()  # probing again keeps the file on offer
    qtbot.waitUntil(lambda: view.settings_tab.cameras is not None, timeout=3000)
    assert view.settings_tab.camera_box.currentData() == str(video.resolve())


def test_the_form_shows_the_current_settings(qtbot, kiosk, probe) -> None:
    settings = KioskSettings(resolution=(640, 480), sounds=False, undo_window_seconds=30)
    view = make_view(qtbot, kiosk, probe, settings)
    assert view.settings_tab.resolution_box.currentText() == "640x480"
    assert not view.settings_tab.sounds_check.isChecked()
    assert view.settings_tab.undo_spin.value() == 30
    assert view.settings_tab.form_settings() == settings


def test_a_bad_resolution_is_refused_and_nothing_is_saved(qtbot, kiosk, probe) -> None:
    view = make_view(qtbot, kiosk, probe)
    view.settings_tab.resolution_box.setCurrentText("big")
    with qtbot.assertNotEmitted(view.settings_changed, wait=300):
        view.settings_tab.save_settings()
    assert "1280x720" in view.status.text()
    stored = kiosk.ops.store_op(lambda: KioskSettings.load(kiosk.store)).result()
    assert stored.settings == KioskSettings()


def test_exit_kiosk_is_announced(qtbot, kiosk, probe) -> None:
    view = make_view(qtbot, kiosk, probe)
    with qtbot.waitSignal(view.exit_requested, timeout=1000):
        qtbot.mouseClick(view.exit_button, Qt.MouseButton.LeftButton)


def test_change_pin_opens_the_pad_for_a_change(qtbot, kiosk, probe) -> None:
    kiosk.ops.store_op(lambda: kiosk.pin.set_up("2468")).result()
    view = make_view(qtbot, kiosk, probe)
    qtbot.mouseClick(view.change_pin_button, Qt.MouseButton.LeftButton)
    dialog = view.pin_dialog
    assert dialog is not None and dialog.purpose is PinPurpose.CHANGE and dialog.isVisible()
    for pin in ("2468", "1357", "1357"):
        for digit in pin:
            dialog.press(digit)
        dialog.submit()
    qtbot.waitUntil(lambda: "changed" in view.status.text(), timeout=3000)
    kiosk.ops.store_op(lambda: kiosk.pin.verify("1357")).result()


def test_the_panel_follows_a_language_switch(qtbot, qapp, kiosk, probe) -> None:
    kiosk.scan(0)
    view = make_view(qtbot, kiosk, probe)
    qtbot.waitUntil(lambda: view.table.rowCount() == 1, timeout=3000)
    language = Language(qapp)
    try:
        assert language.switch("es")
        qtbot.waitUntil(lambda: view.exit_button.text() == "Salir del modo kiosco", timeout=3000)
        assert view.table.item(0, 1).text() == "Cámara"
        assert view.table.item(0, 2).text() == "Voucher válido"
        assert view.table.cellWidget(0, VOID_COLUMN).text() == "Anular…"
    finally:
        language.reset()
    qtbot.waitUntil(lambda: view.exit_button.text() == "Exit kiosk", timeout=3000)


def test_results_arriving_after_the_panel_was_deleted_are_dropped(qtbot, kiosk) -> None:
    release = threading.Event()

    def slow_probe() -> list[CameraInfo]:
        release.wait(5)
        return [CameraInfo(0, 640, 480)]

    view = ManagerView(
        kiosk.ops, kiosk.corrections, kiosk.pin, KioskSettings(), camera_probe=slow_probe
    )
    view.open()
    view.close()
    view.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(view), timeout=3000)
    future = kiosk.ops.background_op(lambda: None)
    release.set()
    future.result(timeout=5)
    qtbot.wait(100)  # the probe's result is delivered to nobody; no error is raised


@pytest.mark.parametrize("size", [(1024, 768), (1280, 800), (1920, 1080)])
def test_the_panel_text_follows_its_size(qtbot, kiosk, probe, size) -> None:
    """As on the counter screen: at 1920×1080 the panel was Qt's default ~13 px text."""
    kiosk.scan(0)
    view = make_view(qtbot, kiosk, probe)
    qtbot.waitUntil(lambda: view.table.rowCount() == 1, timeout=3000)
    view.resize(*size)
    scale = panel_type_scale(*size)
    qtbot.waitUntil(lambda: view.type_scale == scale, timeout=3000)
    assert view.settings_tab._form_labels[0].fontInfo().pixelSize() == scale.body
    assert view.tabs.tabBar().fontInfo().pixelSize() == scale.body
    assert view.counts_label.fontInfo().pixelSize() == scale.heading
    assert view.table.fontInfo().pixelSize() == scale.table
    assert view.table.horizontalHeader().fontInfo().pixelSize() == scale.table
    assert view.table.rowHeight(0) == scale.row
    buttons = (view.back_button, view.exit_button, view.change_pin_button)
    assert all(button.fontInfo().pixelSize() == scale.button for button in buttons)
    # nothing clipped once the layout has settled: each button got the room its words need
    qtbot.waitUntil(
        lambda: all(
            button.width() >= button.sizeHint().width() and button.height() >= scale.button_height
            for button in buttons
        ),
        timeout=3000,
    )


def test_the_panel_is_usable_from_the_keyboard(qtbot, kiosk, probe) -> None:
    """Tab reaches the panel's buttons past a long history (it used to walk every cell of the
    table: with 200 rows the buttons below were out of a keyboard's reach); Enter presses the
    focused button, Esc goes back to the counter."""
    for index in range(12):
        kiosk.scan(index)
    view = make_view(qtbot, kiosk, probe)
    qtbot.waitUntil(lambda: view.table.rowCount() == 12, timeout=3000)
    view.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=3000)
    reached = []
    for _ in range(8 + 12):  # the 12 rows' Void… buttons come first (screen order)
        focused = QApplication.focusWidget()
        reached.append(focused)
        qtbot.keyClick(focused, Qt.Key.Key_Tab)
    for button in (view.refresh_button, view.change_pin_button, view.exit_button):
        assert button in reached
    assert view.back_button in reached
    qtbot.keyClick(view.back_button, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not view.isVisible(), timeout=3000)
    assert view.result() == QDialog.DialogCode.Accepted

    again = make_view(qtbot, kiosk, probe)
    qtbot.keyClick(again, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not again.isVisible(), timeout=3000)
    assert again.result() == QDialog.DialogCode.Rejected


def test_exit_kiosk_is_white_on_a_red_dark_enough_to_read(qtbot, kiosk, probe) -> None:
    """The style shaded its red to #f46d6d, 2.9:1 against the white words (AA wants 4.5)."""
    view = make_view(qtbot, kiosk, probe)
    image = view.exit_button.grab().toImage()
    colours: dict[str, int] = {}
    for x in range(4, image.width() - 4, 2):
        for y in range(4, image.height() - 4, 2):
            name = image.pixelColor(x, y).name()
            colours[name] = colours.get(name, 0) + 1
    background = max(colours, key=colours.__getitem__)
    assert contrast_ratio(background, "#ffffff") >= AA_TEXT, background


def test_tab_follows_the_screen_void_buttons_before_the_panel_buttons(qtbot, kiosk, probe):
    """The Void… buttons were made after the panel's buttons, so Tab reached them only after
    "Back to the counter": history, its rows' actions, then the way out, as on the screen."""
    for index in range(3):
        kiosk.scan(index)
    view = make_view(qtbot, kiosk, probe)
    qtbot.waitUntil(lambda: view.table.rowCount() == 3, timeout=3000)
    view.activateWindow()
    view.table.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view.table, timeout=3000)
    reached = []
    for _ in range(6):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        reached.append(QApplication.focusWidget())
    voids = [view.table.cellWidget(row, VOID_COLUMN) for row in range(3)]
    assert reached == [*voids, view.change_pin_button, view.exit_button, view.back_button]
    # the Settings tab keeps its own order: its fields, then Save, then the panel's buttons
    view.tabs.setCurrentIndex(1)
    view.settings_tab.resolution_box.setFocus()
    qtbot.waitUntil(
        lambda: QApplication.focusWidget() is view.settings_tab.resolution_box, timeout=3000
    )
    reached = []
    for _ in range(12):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        reached.append(QApplication.focusWidget())
    order = [
        view.settings_tab.mirror_check,
        view.settings_tab.save_button,
        view.change_pin_button,
        view.back_button,
    ]
    assert [reached.index(widget) for widget in order] == sorted(
        reached.index(widget) for widget in order
    )


@pytest.mark.parametrize("size", [(1024, 768), (1920, 1080)])
def test_check_boxes_and_spin_arrows_grow_with_the_text(qtbot, kiosk, probe, size) -> None:
    """At 1920×1080 the text was scaled but the boxes and arrows stayed Qt's ~16 px."""
    from PySide6.QtWidgets import QStyle, QStyleOptionButton, QStyleOptionSpinBox

    view = make_view(qtbot, kiosk, probe)
    view.tabs.setCurrentIndex(1)
    view.resize(1280, 800)  # a size first, then another, as when the panel is maximised
    qtbot.waitUntil(lambda: view.type_scale == panel_type_scale(1280, 800), timeout=3000)
    view.resize(*size)
    scale = panel_type_scale(*size)
    qtbot.waitUntil(lambda: view.type_scale == scale, timeout=3000)
    for check in (view.settings_tab.mirror_check, view.settings_tab.sounds_check):
        option = QStyleOptionButton()
        check.initStyleOption(option)
        box = check.style().subElementRect(QStyle.SubElement.SE_CheckBoxIndicator, option, check)
        assert box.width() >= scale.body  # a box at least as tall as the words beside it
        assert (box.width(), box.height()) == (scale.indicator, scale.indicator)
    for spin in (
        view.settings_tab.debounce_spin,
        view.settings_tab.result_spin,
        view.settings_tab.undo_spin,
    ):
        qtbot.waitUntil(lambda: spin.height() >= scale.row, timeout=3000)  # noqa: B023
        option = QStyleOptionSpinBox()
        spin.initStyleOption(option)
        for control in (QStyle.SubControl.SC_SpinBoxUp, QStyle.SubControl.SC_SpinBoxDown):
            rect = spin.style().subControlRect(
                QStyle.ComplexControl.CC_SpinBox, option, control, spin
            )
            assert rect.width() >= scale.body, rect
            assert rect.width() == scale.spin_button, rect
        # the arrows fit their buttons (too tall, up and down overlapped into a diamond)
        up = spin.style().subControlRect(
            QStyle.ComplexControl.CC_SpinBox, option, QStyle.SubControl.SC_SpinBoxUp, spin
        )
        assert up.height() >= scale.spin_button // 4 + 4, up
    # a sheet of their own must not cut them off the panel's text size
    widgets = (
        view.settings_tab.mirror_check,
        view.settings_tab.debounce_spin,
        view.settings_tab.undo_spin,
        view.settings_tab.result_spin.lineEdit(),
    )
    assert all(widget.fontInfo().pixelSize() == scale.body for widget in widgets)


def test_the_sync_column_says_head_office_answers_in_words(qtbot, qapp, kiosk, probe) -> None:
    """It showed the raw code (``http_422_invalid_request``); the code stays in a tooltip."""
    from app.core.sync.outbox import SyncResult, refused_text
    from app.ui.manager_view import SYNC_COLUMN
    from pika_protocol.sync_wire import ItemOutcome

    kiosk.scan(0)
    kiosk.scan(1)
    store = kiosk.corrections.store
    kiosk.ops.store_op(
        lambda: store.outbox.mark_answered(
            {
                item.item_id: text
                for item, text in zip(
                    store.outbox.pending(10),
                    (
                        refused_text(422, "invalid_request"),
                        SyncResult(ItemOutcome.REJECTED, "expired").text(),
                    ),
                    strict=True,
                )
            }
        )
    ).result()
    language = Language(qapp)
    try:
        for code, words in (
            ("es", {"Rechazado por la central: voucher vencido"}),
            ("en", {"Rejected by head office: voucher expired"}),
        ):
            language.switch(code)
            view = make_view(qtbot, kiosk, probe)  # kept: the table dies with its panel
            qtbot.waitUntil(lambda: view.table.rowCount() == 2, timeout=3000)  # noqa: B023
            cells = [view.table.item(row, SYNC_COLUMN) for row in range(2)]
            texts = {cell.text() for cell in cells}
            assert words <= texts, texts
            assert not any("http_" in text or text == "expired" for text in texts)
            tips = {cell.toolTip() for cell in cells}
            assert tips == {"refused: http_422_invalid_request", "rejected: expired"}
    finally:
        language.reset()
