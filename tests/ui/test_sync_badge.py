"""The window shows the sync state by itself: offline when the server is unreachable, waiting
to send when head office takes no more for now, and a redemption never waits for the
network."""

from __future__ import annotations

from dataclasses import replace

import httpx

from app.core.demo import demo_signing_key
from app.core.kiosk_settings import KioskSettings
from app.core.session import KioskSession, open_session
from app.core.sync import Connection, SyncApi, SyncEngine, SyncLoop
from app.ui.app import parts_for
from app.ui.kiosk_parts import KioskParts
from app.ui.kiosk_window import KioskWindow
from app.ui.language import Language
from app.ui.operations import Operations
from app.ui.sync_panel import SyncPanel
from app.ui.sync_worker import SyncWorker
from pika_protocol import sync_wire
from pika_protocol.tokens import short_code_for
from pika_protocol.validation import Reason
from tests.support.head_office import HeadOffice, error


def enrolled_parts(session: KioskSession) -> KioskParts:
    """A demo store's parts as an enrolled kiosk has them: no demo notes, default settings."""
    return replace(
        parts_for(session),
        demo=False,
        throwaway_key=False,
        demo_catalogue=None,
        settings=KioskSettings(),
    )


def test_unreachable_server_shows_offline_and_redeeming_still_works(qtbot, tmp_path) -> None:
    ops = Operations()
    session = ops.store_op(lambda: open_session(tmp_path, demo=True)).result()
    window = KioskWindow(enrolled_parts(session), ops)
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


def test_a_shop_over_its_tier_shows_waiting_to_send_in_spanish_and_keeps_redeeming(
    qtbot, qapp, tmp_path, head_office_template
) -> None:
    """Head office answers every push 429 (the business is over its tier): the badge says
    "waiting to send" (the kiosk's first language, Spanish), never "offline"; the items stay
    queued and the counter keeps redeeming."""
    ops = Operations()
    session = ops.store_op(lambda: open_session(tmp_path, demo=True)).result()
    device = session.device
    with HeadOffice.running(
        tmp_path,
        head_office_template,
        signing_key=demo_signing_key(),
        business_id=device.business_id,
        device_id=device.device_id,
    ) as backend:
        pushes: list[httpx.Request] = []

        def over_tier(request: httpx.Request) -> httpx.Response:
            if request.url.path == sync_wire.PUSH_PATH:
                pushes.append(request)
                refused = error(429, "rate_limited", remaining=0, bucket="items")
                refused.headers["Retry-After"] = "600"
                return refused
            return backend.handle(request)

        language = Language(qapp)
        assert language.switch("es")
        window = KioskWindow(enrolled_parts(session), ops)
        qtbot.addWidget(window)
        api = SyncApi(
            "http://backend.test", api_key=backend.api_key, transport=httpx.MockTransport(over_tier)
        )
        engine = SyncEngine(session.store, api, device, run_on_store=ops.store_call)
        sync = SyncWorker(SyncLoop(engine, interval_s=0.2), window)
        window.attach_sync(sync)
        sync.start()
        seen: list = []
        window.outcome_shown.connect(seen.append)
        try:
            qtbot.waitUntil(lambda: "En línea" in window.connection_badge.text(), timeout=10_000)
            for n, voucher in enumerate(session.demo.vouchers[:2], start=1):
                window.entry.setText(short_code_for(voucher.token))
                window.submit_entry()
                qtbot.waitUntil(lambda n=n: len(seen) == n, timeout=3000)
                assert seen[-1].reason is Reason.VALID
                # The cashier skips the sale total (Esc): the held redemption may go now.
                window.sale_prompt.skip()
                qtbot.waitUntil(lambda: bool(pushes), timeout=5000)
                qtbot.waitUntil(
                    lambda: (
                        window.connection_badge.text()
                        == "Esperando para enviar · funciona normalmente"
                    ),
                    timeout=5000,
                )
            # Held until the Retry-After: the second redemption waits without another refusal.
            qtbot.waitUntil(lambda: window.pending_label.text().endswith("2"), timeout=3000)
            qtbot.waitUntil(lambda: sync.status().pending == 2, timeout=5000)
            status = sync.status()
            assert status.connection is Connection.WAITING_TO_SEND and len(pushes) == 1
            assert status.send_after is not None
            # The manager's panel says why and until when.
            panel = SyncPanel(sync)
            qtbot.addWidget(panel)
            assert "en línea, esperando para enviar" in panel.summary.text()
            assert status.send_after.astimezone().strftime("%H:%M:%S") in panel.summary.text()
        finally:
            sync.stop()
            language.reset()
            window._exit_allowed = True
            window.close()
            ops.shutdown(close_store=session.store.close)


def test_the_screen_warns_of_clock_skew_exactly_when_head_office_flags(
    qtbot, tmp_path, head_office_template
) -> None:
    """Six minutes off: beyond head office's 300 s (which it says in every pull answer), so
    the badge warns, although the kiosk's old figure was ten minutes."""
    from datetime import UTC, datetime, timedelta

    ops = Operations()
    session = ops.store_op(lambda: open_session(tmp_path, demo=True)).result()
    device = session.device
    with HeadOffice.running(
        tmp_path,
        head_office_template,
        signing_key=demo_signing_key(),
        business_id=device.business_id,
        device_id=device.device_id,
    ) as backend:
        backend.configure(clock_skew_tolerance_s=300)
        window = KioskWindow(enrolled_parts(session), ops)
        qtbot.addWidget(window)
        api = SyncApi("http://backend.test", api_key=backend.api_key, transport=backend.transport())
        engine = SyncEngine(
            session.store,
            api,
            device,
            run_on_store=ops.store_call,
            clock=lambda: datetime.now(UTC) + timedelta(minutes=6),  # six minutes ahead
        )
        sync = SyncWorker(SyncLoop(engine, interval_s=60), window)
        window.attach_sync(sync)
        sync.start()
        try:
            qtbot.waitUntil(lambda: "Online" in window.connection_badge.text(), timeout=10_000)
            assert window.connection_badge.text() == "Online · clock off by 6 min"
            assert sync.status().clock_skew_limit_s == 300
        finally:
            sync.stop()
            window._exit_allowed = True
            window.close()
            ops.shutdown(close_store=session.store.close)
