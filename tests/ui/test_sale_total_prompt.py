"""The sale-total prompt in the real demo window (offscreen Qt): keyboard only, never in the
way of the next scan, and what the cashier typed travels with the redemption."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace

import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt

from app.core.colour import AA_TEXT
from app.core.counter import ScanOutcome
from app.core.demo import DEMO_USUAL_TICKET
from app.core.sale_prompt import IDLE_SECONDS
from app.core.session import KioskSession, open_session
from app.core.store import QueuedScan, SaleTotalAnswer, schema
from app.ui.app import parts_for
from app.ui.kiosk_window import KioskWindow
from app.ui.language import Language
from app.ui.operations import Operations
from app.ui.sale_total_prompt import ERROR_COLOUR
from pika_protocol.tokens import short_code_for
from tests.support.colour_vision import MACHADO_2009, hex_linear, luminance, simulate
from tests.ui.manager_support import TickClock
from tests.ui.test_result_colours import background


@dataclass
class Kiosk:
    window: KioskWindow
    session: KioskSession
    ops: Operations
    clock: TickClock

    def code(self, index: int) -> str:
        assert self.session.demo is not None
        return short_code_for(self.session.demo.vouchers[index].token)

    def type_code(self, qtbot, index: int) -> ScanOutcome:  # type: ignore[no-untyped-def]
        with qtbot.waitSignal(self.window.outcome_shown, timeout=5000) as shown:
            self.window.entry.setText(self.code(index))
            qtbot.keyClick(self.window.entry, Qt.Key.Key_Return)
        return shown.args[0]

    def held(self) -> set[uuid.UUID]:
        store = self.session.store

        def read() -> set[uuid.UUID]:
            ready = {item.item_id for item in store.outbox.pending()}
            return {i.item_id for i in store.outbox.pending(include_held=True)} - ready

        return self.ops.store_op(read).result()

    def sent_total(self, item_id: uuid.UUID) -> int | None:
        store = self.session.store

        def read() -> int | None:
            [item] = [i for i in store.outbox.pending() if i.item_id == item_id]
            assert isinstance(item.payload, QueuedScan)
            return item.payload.item.sale_total

        return self.ops.store_op(read).result()

    def stored_total(self, item_id: uuid.UUID) -> int | None:
        store = self.session.store
        r = schema.redemptions

        def read() -> int | None:
            with store._db.transaction() as conn:
                return conn.execute(
                    sa.select(r.c.sale_total).where(r.c.redemption_id == item_id)
                ).scalar_one()

        return self.ops.store_op(read).result()


@pytest.fixture
def kiosk(qtbot, tmp_path) -> Iterator[Kiosk]:
    ops = Operations()
    session = ops.store_op(lambda: open_session(tmp_path, demo=True)).result()
    clock = TickClock()
    window = KioskWindow(replace(parts_for(session), clock=clock), ops)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield Kiosk(window, session, ops, clock)
    ops.shutdown(close_store=session.store.close)


def settled(qtbot, kiosk: Kiosk, press) -> SaleTotalAnswer:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(kiosk.window.sale_prompt.settled, timeout=5000) as done:
        press()
    return done.args[0]


def test_after_a_valid_scan_enter_skips_and_the_redemption_goes(qtbot, kiosk: Kiosk) -> None:
    prompt = kiosk.window.sale_prompt
    assert not prompt.isVisible()
    outcome = kiosk.type_code(qtbot, 0)
    rid = outcome.recorded.scan_id
    assert prompt.is_open and prompt.field.isVisible()
    assert kiosk.window.focusWidget() is prompt.field  # type at once, no mouse
    assert kiosk.held() == {rid}
    answer = settled(qtbot, kiosk, lambda: qtbot.keyClick(prompt.field, Qt.Key.Key_Return))
    assert answer is SaleTotalAnswer.SKIPPED
    assert not prompt.is_open and kiosk.held() == set()
    assert kiosk.sent_total(rid) is None
    assert kiosk.window.focusWidget() is kiosk.window.entry  # ready for the next code


def test_a_typed_total_then_enter_travels_with_the_redemption(qtbot, kiosk: Kiosk) -> None:
    prompt = kiosk.window.sale_prompt
    rid = kiosk.type_code(qtbot, 0).recorded.scan_id
    qtbot.keyClicks(prompt.field, "150.000")
    answer = settled(qtbot, kiosk, lambda: qtbot.keyClick(prompt.field, Qt.Key.Key_Return))
    assert answer is SaleTotalAnswer.RECORDED
    assert kiosk.sent_total(rid) == 150_000 and kiosk.stored_total(rid) == 150_000
    assert "₲ 150.000" in prompt.message.text() and prompt.isVisible()  # the note, a moment


def test_an_absurd_total_is_refused_with_a_message_and_nothing_is_stored(
    qtbot, kiosk: Kiosk
) -> None:
    prompt = kiosk.window.sale_prompt
    rid = kiosk.type_code(qtbot, 0).recorded.scan_id
    qtbot.keyClicks(prompt.field, "9.000.000")
    qtbot.keyClick(prompt.field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "✗" in prompt.message.text(), timeout=5000)
    text = prompt.message.text()
    assert "₲ 9.000.000" in text and f"₲ {DEMO_USUAL_TICKET:,}".replace(",", ".") in text
    assert prompt.is_open and kiosk.held() == {rid}
    assert kiosk.stored_total(rid) is None
    # corrected, then Enter: taken
    prompt.field.clear()
    qtbot.keyClicks(prompt.field, "90000")
    assert "✗" not in prompt.message.text()  # typing again clears the refusal
    answer = settled(qtbot, kiosk, lambda: qtbot.keyClick(prompt.field, Qt.Key.Key_Return))
    assert answer is SaleTotalAnswer.RECORDED and kiosk.sent_total(rid) == 90_000


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("-5000", "negative"),
        ("0", "zero"),
        ("150,50", "cents"),
        ("abc", "not an amount"),
    ],
)
def test_wrong_figures_say_why(qtbot, kiosk: Kiosk, typed: str, words: str) -> None:
    prompt = kiosk.window.sale_prompt
    kiosk.type_code(qtbot, 0)
    qtbot.keyClicks(prompt.field, typed)
    qtbot.keyClick(prompt.field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: words in prompt.message.text(), timeout=5000)
    assert prompt.is_open


def test_esc_skips(qtbot, kiosk: Kiosk) -> None:
    prompt = kiosk.window.sale_prompt
    rid = kiosk.type_code(qtbot, 0).recorded.scan_id
    qtbot.keyClicks(prompt.field, "150000", delay=70)  # a person's pace
    assert prompt.field.text() == "150000"
    answer = settled(qtbot, kiosk, lambda: qtbot.keyClick(prompt.field, Qt.Key.Key_Escape))
    assert answer is SaleTotalAnswer.SKIPPED and kiosk.sent_total(rid) is None


def test_a_new_scan_closes_it_and_the_same_voucher_again_does_not(
    qtbot, kiosk: Kiosk
) -> None:
    prompt = kiosk.window.sale_prompt
    first = kiosk.type_code(qtbot, 0).recorded.scan_id
    qtbot.keyClicks(prompt.field, "12")
    kiosk.type_code(qtbot, 0)  # the same voucher again: already used, the prompt stays
    assert prompt.is_open and prompt.rules.open is not None
    assert prompt.rules.open.redemption_id == first and prompt.field.text() == "12"
    with qtbot.waitSignal(prompt.settled, timeout=5000):
        second = kiosk.type_code(qtbot, 1).recorded.scan_id
    assert prompt.rules.open is not None and prompt.rules.open.redemption_id == second
    assert prompt.field.text() == ""  # the half-typed figure was not kept
    assert kiosk.held() == {second} and kiosk.sent_total(first) is None


def test_it_closes_by_itself_when_nobody_types(qtbot, kiosk: Kiosk) -> None:
    prompt = kiosk.window.sale_prompt
    rid = kiosk.type_code(qtbot, 0).recorded.scan_id
    kiosk.clock.advance(IDLE_SECONDS + 0.1)
    answer = settled(qtbot, kiosk, lambda: None)
    assert answer is SaleTotalAnswer.SKIPPED and not prompt.is_open
    assert kiosk.held() == set() and kiosk.sent_total(rid) is None


def test_undo_closes_it(qtbot, kiosk: Kiosk) -> None:
    prompt = kiosk.window.sale_prompt
    kiosk.type_code(qtbot, 0)
    with qtbot.waitSignal(kiosk.window.undo_bar.undone, timeout=5000):
        kiosk.window.undo_bar.button.click()
    qtbot.waitUntil(lambda: not prompt.is_open, timeout=5000)
    assert kiosk.held() == set()


def test_spanish_first(qtbot, kiosk: Kiosk, qapp) -> None:
    language = Language(qapp)
    try:
        assert language.switch("es")
        prompt = kiosk.window.sale_prompt
        kiosk.type_code(qtbot, 0)
        qtbot.waitUntil(lambda: "opcional" in prompt.title.text(), timeout=2000)
        qtbot.keyClicks(prompt.field, "9000000")
        qtbot.keyClick(prompt.field, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: "veces" in prompt.message.text(), timeout=5000)
        assert "₲ 9.000.000" in prompt.message.text()
    finally:
        language.reset()


@pytest.mark.parametrize("vision", ["normal", *MACHADO_2009])
def test_a_refusal_reads_for_every_colour_vision(qtbot, kiosk: Kiosk, vision: str) -> None:
    """The refusal is words with a ✗ (never colour alone), and its red text keeps WCAG AA
    contrast on the prompt's background as each dichromacy sees it (Machado et al. 2009)."""
    prompt = kiosk.window.sale_prompt
    kiosk.type_code(qtbot, 0)
    qtbot.keyClicks(prompt.field, "0")
    qtbot.keyClick(prompt.field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "✗" in prompt.message.text(), timeout=5000)
    assert prompt.message.text().startswith("✗ ") and len(prompt.message.text()) > 20
    backdrop = background(prompt.message.grab().toImage())
    text = hex_linear(ERROR_COLOUR)
    if vision != "normal":
        backdrop, text = simulate(backdrop, vision), simulate(text, vision)
    low, high = sorted((float(luminance(backdrop)), float(luminance(text))))
    assert (high + 0.05) / (low + 0.05) >= AA_TEXT


def test_a_kiosk_shutting_down_with_the_prompt_open_asks_nothing_more(qtbot, tmp_path) -> None:
    """The window closed and its operations stopped: the prompt's clock runs out without
    asking the store for anything (the next start lets the held redemption go)."""
    ops = Operations()
    session = ops.store_op(lambda: open_session(tmp_path, demo=True)).result()
    clock = TickClock()
    window = KioskWindow(replace(parts_for(session), clock=clock), ops)
    qtbot.addWidget(window)
    window.show()
    kiosk = Kiosk(window, session, ops, clock)
    kiosk.type_code(qtbot, 0)
    assert window.sale_prompt.is_open
    ops.shutdown(close_store=session.store.close)
    clock.advance(IDLE_SECONDS + 1)
    qtbot.wait(600)  # two ticks: an exception here fails the test (pytest-qt)
    window.close()
    qtbot.wait(300)
