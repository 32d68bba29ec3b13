"""A video file stands in for the webcam: the window redeems the vouchers it shows."""

from __future__ import annotations

import pytest

from app.core.scanning import Pacing
from app.core.scanning.demo import write_demo_folder, write_demo_video
from app.core.session import open_session
from app.ui.app import build_window
from app.ui.operations import Operations
from pika_protocol.validation import Reason


@pytest.fixture
def window(qtbot, tmp_path):
    ops = Operations()
    session = ops.store_op(lambda: open_session(tmp_path / "store", demo=True)).result()
    window = build_window(session, ops)
    qtbot.addWidget(window)
    yield window, session
    window.stop_camera()
    ops.shutdown(close_store=session.store.close)


def collect(qtbot, window, expected: int) -> list:
    outcomes: list = []
    window.outcome_shown.connect(outcomes.append)
    qtbot.waitUntil(lambda: len(outcomes) >= expected, timeout=30_000)
    return outcomes


def test_video_file_redeems_the_vouchers_it_shows(qtbot, window, tmp_path) -> None:
    win, session = window
    shown = [session.demo.vouchers[0], session.demo.vouchers[13], session.demo.revoked]
    video = tmp_path / "counter.avi"
    write_demo_video(video, [v.token for v in shown], hold_frames=6, gap_frames=4)
    outcomes: list = []
    win.outcome_shown.connect(outcomes.append)
    win.start_video(video, pacing=Pacing.ALL)
    qtbot.waitUntil(lambda: len(outcomes) >= 3, timeout=30_000)
    qtbot.wait(300)  # a debounce failure would show up as extra outcomes
    assert [o.reason for o in outcomes] == [Reason.VALID, Reason.VALID, Reason.REVOKED]
    serials = [o.recorded.claims.serial for o in outcomes]
    assert serials == [v.serial for v in shown]
    assert all(o.recorded.source == "camera" for o in outcomes)


def test_image_folder_works_as_camera(qtbot, window, tmp_path) -> None:
    win, session = window
    folder = tmp_path / "frames"
    write_demo_folder(folder, [session.demo.vouchers[3].token])
    outcomes: list = []
    win.outcome_shown.connect(outcomes.append)
    win.start_video(folder, pacing=Pacing.ALL)
    qtbot.waitUntil(lambda: len(outcomes) >= 1, timeout=30_000)
    assert outcomes[0].reason is Reason.VALID


def test_missing_video_is_a_clear_error_not_a_crash(qtbot, window, tmp_path) -> None:
    win, _ = window
    win.start_video(tmp_path / "nope.avi")
    # the cashier reads that the video cannot be played; which file and why is in the log
    assert "nope.avi" not in win.statusBar().currentMessage()
    assert win.statusBar().currentMessage()
    assert win.camera_column.worker is None


def test_live_video_plays_like_a_camera_with_preview(qtbot, window, tmp_path) -> None:
    win, session = window
    video = tmp_path / "live.avi"
    write_demo_video(video, [session.demo.vouchers[4].token], hold_frames=10, gap_frames=5)
    outcomes: list = []
    win.outcome_shown.connect(outcomes.append)
    win.start_video(video)  # LIVE: real-time, newest frame wins, preview shown
    qtbot.waitUntil(lambda: len(outcomes) >= 1, timeout=30_000)
    assert outcomes[0].reason is Reason.VALID
    assert not win.preview.isHidden()
    qtbot.waitUntil(lambda: win.preview.frames_shown > 0, timeout=5_000)


def test_the_end_of_a_video_is_said_and_it_plays_again(qtbot, window, tmp_path) -> None:
    win, session = window
    voucher = session.demo.vouchers[6]
    video = tmp_path / "short.avi"
    write_demo_video(video, [voucher.token], hold_frames=6, gap_frames=2, fps=30)
    outcomes = collect_from(win)
    win.start_video(video)  # LIVE, with preview, as the demo plays it
    qtbot.waitUntil(lambda: len(outcomes) == 1, timeout=30_000)
    qtbot.waitUntil(lambda: not win.camera_column.ended_bar.isHidden(), timeout=10_000)
    assert (
        "ended" in win.camera_column.video_ended.text()
        and win.camera_column.replay_button.isVisibleTo(win)
    )
    win.camera_column.replay_button.click()
    qtbot.waitUntil(lambda: win.camera_column.ended_bar.isHidden(), timeout=5_000)
    qtbot.waitUntil(lambda: len(outcomes) == 2, timeout=30_000)
    assert [o.reason for o in outcomes] == [Reason.VALID, Reason.ALREADY_REDEEMED]
    qtbot.waitUntil(lambda: not win.camera_column.ended_bar.isHidden(), timeout=10_000)


def test_a_stopped_camera_is_not_an_ended_video(qtbot, window, tmp_path) -> None:
    win, session = window
    video = tmp_path / "long.avi"
    write_demo_video(video, [session.demo.vouchers[7].token], hold_frames=60, gap_frames=30)
    win.start_video(video)
    qtbot.waitUntil(
        lambda: win.camera_column.worker is not None and win.camera_column.worker.running,
        timeout=10_000,
    )
    camera = win.camera_column.worker
    win.stop_camera()
    qtbot.waitUntil(lambda: not camera.running, timeout=5_000)
    qtbot.wait(300)  # the loop's "finished" arrives queued
    assert win.camera_column.ended_bar.isHidden()


def collect_from(win) -> list:
    outcomes: list = []
    win.outcome_shown.connect(outcomes.append)
    return outcomes
