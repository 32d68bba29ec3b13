"""The manager panel's "Today / this week" tab: this counter's own figures, offline."""

from __future__ import annotations

from datetime import UTC

from app.core import demo
from app.core.counter import Counter
from app.core.store import ScanSource
from app.ui.week_tab import WeekTab
from tests.ui.manager_support import DemoKiosk, kiosk
from tests.ui.test_manager_view import FakeProbe, make_view

__all__ = ["kiosk"]


def redeem_with_totals(kiosk: DemoKiosk) -> None:
    """Three redemptions (two with a typed total), one refusal, as the window records them."""
    counter = Counter(kiosk.store, demo.DEMO_DEVICE, clock=kiosk.clock, ask_sale_total=True)

    def run() -> None:
        for index, typed in ((0, "₲ 150.000"), (1, "45000"), (2, "")):
            outcome = counter.scan(kiosk.catalogue.vouchers[index].token, ScanSource.CAMERA)
            counter.settle_sale_total(outcome.recorded.scan_id, typed)
            kiosk.clock.advance(60)
        counter.scan(kiosk.catalogue.revoked.token, ScanSource.CAMERA)

    kiosk.ops.store_op(run).result()


def test_today_and_this_week_from_the_store(qtbot, kiosk) -> None:
    redeem_with_totals(kiosk)
    tab = WeekTab(kiosk.ops, kiosk.store, kiosk.clock, UTC)
    qtbot.addWidget(tab)
    tab.refresh()
    qtbot.waitUntil(lambda: tab.week is not None, timeout=3000)
    today = tab.today_label.text()
    assert "3 redemptions" in today and "₲ 195.000 (2 of 3)" in today and "1 refused" in today
    assert "₲ 195.000" in tab.week_label.text()
    rows = tab.table.rowCount()
    assert rows == kiosk.clock.now.weekday() + 1  # Monday to today, today on top
    cells = [tab.table.item(0, column).text() for column in range(tab.table.columnCount())]
    assert "(today)" in cells[0] and cells[1:4] == ["3", "₲ 195.000", "1"]
    assert cells[4] == "Voucher cancelled: 1"
    for row in range(1, rows):
        assert tab.table.item(row, 1).text() == "0"


def test_the_manager_panel_shows_it_on_its_tab(qtbot, kiosk) -> None:
    redeem_with_totals(kiosk)
    view = make_view(qtbot, kiosk, FakeProbe([]))
    index = view.tabs.indexOf(view.week_tab)
    assert view.tabs.tabText(index) == "Today / this week"
    view.tabs.setCurrentIndex(index)
    qtbot.waitUntil(lambda: view.week_tab.week is not None, timeout=3000)
    assert "₲ 195.000" in view.week_tab.today_label.text()
