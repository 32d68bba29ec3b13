"""The manager sees sync state and each scan's server answer (conflicts included)."""

from __future__ import annotations

from app.core.session import open_session
from app.core.sync import SyncApi, SyncEngine, SyncLoop
from app.core.sync.outbox import SyncOutcome, SyncResult
from app.ui.operations import Operations
from app.ui.sync_panel import SyncPanel, sync_result_words
from app.ui.sync_worker import SyncWorker


def test_each_server_answer_has_words() -> None:
    assert sync_result_words(False, None) == "Waiting"
    assert sync_result_words(True, SyncResult(SyncOutcome.ACCEPTED, "valid").text()) == "Synced"
    conflict = SyncResult(SyncOutcome.CONFLICT, "already_redeemed", "r-1", True).text()
    assert "CONFLICT" in sync_result_words(True, conflict)
    refused = SyncResult(SyncOutcome.REFUSED, "http_422_bad").text()
    assert "http_422_bad" in sync_result_words(True, refused)


def test_panel_shows_offline_and_sync_now_tries_again(qtbot, tmp_path) -> None:
    ops = Operations()
    session = ops.store_op(lambda: open_session(tmp_path, demo=True)).result()
    engine = SyncEngine(
        session.store, SyncApi("http://127.0.0.1:9"), session.device, run_on_store=ops.store_call
    )
    sync = SyncWorker(SyncLoop(engine, interval_s=60), None)
    panel = SyncPanel(sync)
    qtbot.addWidget(panel)
    sync.start()
    try:
        qtbot.waitUntil(lambda: "offline" in panel.summary.text(), timeout=10_000)
        first = panel.status.last_attempt_at
        panel.sync_button.click()  # the loop would otherwise wait 60 s (or its backoff)
        qtbot.waitUntil(lambda: panel.status.last_attempt_at != first, timeout=10_000)
        assert "never" in panel.summary.text()
    finally:
        sync.stop()
        ops.shutdown(close_store=session.store.close)


def test_set_aside_redemptions_are_shown_with_a_retry_button(qtbot, tmp_path) -> None:
    from dataclasses import replace

    ops = Operations()
    session = ops.store_op(lambda: open_session(tmp_path, demo=True)).result()
    engine = SyncEngine(
        session.store, SyncApi("http://127.0.0.1:9"), session.device, run_on_store=ops.store_call
    )
    sync = SyncWorker(SyncLoop(engine, interval_s=60), None)
    panel = SyncPanel(sync)
    qtbot.addWidget(panel)
    try:
        panel.show()
        assert not panel.retry_button.isVisible() and not panel.set_aside_label.isVisible()
        panel.show_status(replace(sync.status(), set_aside=2))
        assert panel.retry_button.isVisible()
        assert "2 redemptions set aside" in panel.set_aside_label.text()
        panel.retry_button.click()  # the next pass tries them again, each alone
        assert engine._retry_requested.is_set()
        words = sync_result_words(False, None, set_aside=True)
        assert "Set aside" in words
        assert (
            sync_result_words(
                True, SyncResult(SyncOutcome.ACCEPTED, "valid").text(), set_aside=True
            )
            == "Synced"
        )
    finally:
        sync.stop()
        ops.shutdown(close_store=session.store.close)
