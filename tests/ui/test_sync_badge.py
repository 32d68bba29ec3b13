"""The window shows the sync state by itself: offline when the server is unreachable, and a
redemption never waits for the network."""

from __future__ import annotations

from app.core.counter import Counter
from app.core.session import open_session
from app.core.sync import SyncApi, SyncEngine, SyncLoop
from app.core.tokens import short_code_for
from app.core.validation import Reason
from app.ui.kiosk_window import KioskWindow
from app.ui.operations import Operations
from app.ui.sync_worker import SyncWorker


def test_unreachable_server_shows_offline_and_redeeming_still_works(qtbot, tmp_path) -> None:
    ops = Operations()
    session = ops.store_op(lambda: open_session(tmp_path, demo=True)).result()
    window = KioskWindow(
        Counter(session.store, session.device), ops, demo=False, throwaway_key=False
    )
    qtbot.addWidget(window)
    assert "not enrolled" in window.connection_badge.text()
    api = SyncApi("http://127.0.0.1:9")  # nothing listens there
    engine = SyncEngine(session.store, api, session.device, run_on_store=ops.store_call)
    sync = SyncWorker(SyncLoop(engine, interval_s=0.2), window)
    window.attach_sync(sync)
    sync.start()
    try:
        qtbot.waitUntil(lambda: "Offline" in window.connection_badge.text(), timeout=10_000)
        seen: list = []
        window.outcome_shown.connect(seen.append)
        window.entry.setText(short_code_for(session.demo.vouchers[0].token))
        window.submit_entry()
        qtbot.waitUntil(lambda: bool(seen), timeout=3000)
        assert seen[0].reason is Reason.VALID
        qtbot.waitUntil(lambda: window.pending_label.text().endswith("1"), timeout=3000)
    finally:
        sync.stop()
        window._exit_allowed = True
        window.close()
        ops.shutdown(close_store=session.store.close)
