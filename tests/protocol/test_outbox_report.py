"""The outbox report a kiosk sends with each pull (``sync_wire.OUTBOX_HEADER``)."""

from __future__ import annotations

import pytest

from pika_protocol.sync_wire import outbox_report, read_outbox_report


def test_a_report_reads_back() -> None:
    assert outbox_report(12, 7200.7) == "12 7200"
    assert read_outbox_report("12 7200") == (12, 7200)
    assert outbox_report(0, 55) == "0 0" and read_outbox_report("0 0") == (0, 0)
    assert read_outbox_report("0 99") == (0, 0)  # nothing waiting has no age
    assert outbox_report(3, -40) == "3 0"  # a clock set back: not a negative age


@pytest.mark.parametrize(
    "text",
    [None, "", "12", "12 ", "a 1", "1 b", "-1 5", "1.5 2", "1 2 3", "١٢ ٣", "9" * 41, "99999999 1"],
)
def test_anything_else_is_not_understood(text: str | None) -> None:
    assert read_outbox_report(text) is None
