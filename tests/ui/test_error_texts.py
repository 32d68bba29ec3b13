"""The cashier's status line and the manager's Sync tab say what went wrong in the screen's
language; the exception's own English words (OpenCV, SQLite, httpx) go to the log only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core import error_kinds
from app.core.error_kinds import ErrorKind
from app.core.session import KioskSession, open_session
from app.core.store import StoreIOError
from app.core.sync import SyncApi, SyncEngine, SyncLoop
from app.ui.app import build_window
from app.ui.kiosk_window import KioskWindow
from app.ui.language import Language
from app.ui.operations import Operations
from app.ui.sync_panel import SyncPanel
from app.ui.sync_worker import SyncWorker
from app.ui.texts import error_text


@pytest.fixture
def spanish(qapp) -> Iterator[Language]:
    language = Language(qapp)
    assert language.switch("es")
    yield language
    language.reset()


@pytest.fixture
def demo(qtbot, tmp_path, spanish) -> Iterator[tuple[KioskWindow, KioskSession]]:
    ops = Operations()
    session = ops.store_op(lambda: open_session(tmp_path / "data", demo=True)).result()
    window = build_window(session, ops)
    qtbot.addWidget(window)
    window.show()
    yield window, session
    ops.shutdown(close_store=session.store.close)


def in_spanish(kind: ErrorKind) -> str:
    text = error_text(kind)
    assert text != error_kinds.message(kind), "no Spanish translation loaded"
    return text


def test_a_video_that_cannot_be_played_is_said_in_spanish(demo, tmp_path: Path, caplog) -> None:
    window, _ = demo
    garbage = tmp_path / "broken-video.avi"
    garbage.write_bytes(b"this is not a video" * 50)
    for video in (tmp_path / "missing-video.avi", garbage):
        window.start_video(video)
        shown = window.statusBar().currentMessage()
        assert shown == in_spanish(ErrorKind.VIDEO_UNREADABLE)
        assert "video.avi" not in shown and "OpenCV" not in shown
        assert video.name in caplog.text  # the technical reason is in the log


def test_a_store_error_is_said_in_spanish(demo, caplog) -> None:
    window, _ = demo
    window._failed(StoreIOError("cannot open the kiosk store /tmp/x.db: disk I/O error"))
    shown = window.statusBar().currentMessage()
    assert shown == in_spanish(ErrorKind.STORE_FAILED)
    assert "disk I/O" not in shown and "Error:" not in shown
    assert "disk I/O error" in caplog.text


def test_an_unexpected_error_is_said_in_spanish(demo) -> None:
    window, _ = demo
    window._failed(RuntimeError("Internal C++ object (PinDialog) already deleted"))
    assert window.statusBar().currentMessage() == in_spanish(ErrorKind.UNEXPECTED)


def test_a_lost_webcam_is_said_in_spanish_and_looked_for_again(qtbot, demo) -> None:
    window, _ = demo
    window.settings = window.settings.with_changes(camera=63)  # no such camera here
    window.start_configured_camera()
    qtbot.waitUntil(lambda: window.camera_column.retry.isActive(), timeout=10_000)
    assert window.statusBar().currentMessage() == in_spanish(ErrorKind.CAMERA_MISSING)
    assert "63" not in window.statusBar().currentMessage()
    window.stop_camera()


def test_the_sync_tab_says_why_in_spanish(qtbot, tmp_path: Path, spanish) -> None:
    """A real unreachable head office: httpx's 'ConnectError … Connection refused' stays out."""
    ops = Operations()
    session = ops.store_op(lambda: open_session(tmp_path, demo=True)).result()
    api = SyncApi("http://127.0.0.1:9", api_key="device-key")  # nothing listens on port 9
    engine = SyncEngine(session.store, api, session.device, run_on_store=ops.store_call)
    sync = SyncWorker(SyncLoop(engine, interval_s=60), None)
    panel = SyncPanel(sync)
    qtbot.addWidget(panel)
    sync.start()
    try:
        qtbot.waitUntil(lambda: sync.status().last_error is not None, timeout=10_000)
        panel.show_status(sync.status())
        summary = panel.summary.text()
        assert in_spanish(ErrorKind.SYNC_OFFLINE) in summary
        assert sync.status().last_error_kind is ErrorKind.SYNC_OFFLINE
        for english in ("ConnectError", "Errno", "refused", "127.0.0.1", "POST"):
            assert english not in summary
    finally:
        sync.stop()
        ops.shutdown(close_store=session.store.close)
