"""The manager sees sync state and each scan's server answer (conflicts included)."""

from __future__ import annotations

import pytest

from app.core.session import open_session
from app.core.sync import SyncApi, SyncEngine, SyncLoop
from app.core.sync.outbox import KioskOutcome, SyncResult
from app.ui.operations import Operations
from app.ui.sync_panel import SyncPanel, sync_result_words
from app.ui.sync_worker import SyncWorker
from pika_protocol.sync_wire import ItemOutcome


def test_each_server_answer_has_words() -> None:
    assert sync_result_words(False, None) == "Waiting"
    assert sync_result_words(True, SyncResult(ItemOutcome.ACCEPTED, "valid").text()) == "Synced"
    conflict = SyncResult(ItemOutcome.CONFLICT, "already_redeemed", "r-1", True).text()
    assert "CONFLICT" in sync_result_words(True, conflict)
    refused = SyncResult(KioskOutcome.REFUSED, "http_422_bad").text()
    # the raw code is for support (the history's tooltip), never the manager's words
    assert sync_result_words(True, refused) == (
        "Refused by head office: reason not known to this kiosk"
    )


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


@pytest.mark.parametrize(
    ("language", "count_text", "button_text", "history_text"),
    [
        ("es", "2 canjes apartados", "Reintentar los canjes apartados", "Apartado"),
        ("en", "2 redemptions set aside", "Try the set-aside redemptions again", "Set aside"),
    ],
)
def test_set_aside_redemptions_are_shown_with_a_retry_button(
    qapp, qtbot, tmp_path, language, count_text, button_text, history_text
) -> None:
    from dataclasses import replace

    from app.ui.language import Language

    screen_language = Language(qapp)
    assert screen_language.switch(language)

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
        assert panel.set_aside_label.text().startswith(count_text)
        assert panel.retry_button.text() == button_text
        panel.retry_button.click()  # the next pass tries them again, each alone
        assert engine.pusher._retry_requested.is_set()
        assert sync_result_words(False, None, set_aside=True).startswith(history_text)
        answered = SyncResult(ItemOutcome.ACCEPTED, "valid").text()
        # Answered after a retry: the answer counts, not that it once was set aside.
        assert sync_result_words(True, answered, set_aside=True) == sync_result_words(
            True, answered
        )
    finally:
        screen_language.reset()
        sync.stop()
        ops.shutdown(close_store=session.store.close)
