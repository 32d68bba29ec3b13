"""A new kiosk enrolled through its enrolment screen against the real backend (offscreen Qt)."""

from __future__ import annotations

import os

import pytest

from app.core.session import STORE_FILE, open_session
from app.ui.enrolment_dialog import EnrolmentDialog
from app.ui.operations import Operations
from tests.e2e.harness import Backend, HeadOffice

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture
def screen(qtbot, tmp_path):
    ops = Operations()
    dialog = EnrolmentDialog(ops, tmp_path / STORE_FILE)
    qtbot.addWidget(dialog)
    dialog.show()
    yield dialog, tmp_path
    ops.shutdown()


def test_typed_code_enrols_the_kiosk(
    qtbot, screen, backend: Backend, head_office: HeadOffice
) -> None:
    dialog, data_dir = screen
    business = head_office.business_with_book(3)
    code = head_office.enrolment_code(business)
    dialog.server.setText(backend.url)
    dialog.device_name.setText("Caja 2")
    with qtbot.waitSignal(dialog.enrolled, timeout=20_000) as enrolled:
        qtbot.keyClicks(dialog.code, code.lower())
        qtbot.keyClick(dialog.code, "\r")
    device = enrolled.args[0]
    assert device.business_id == business and device.device_name == "Caja 2"
    session = open_session(data_dir, demo=False)  # the kiosk now starts normally
    try:
        assert session.device == device
    finally:
        session.store.close()


def test_mistyped_code_is_caught_before_any_network(qtbot, screen) -> None:
    dialog, _ = screen
    dialog.server.setText("http://127.0.0.1:9")  # nothing listens: it must not be asked
    dialog.code.setText("ABCDE-FGHJK0")
    dialog.enrol()
    assert "check character" in dialog.status.text() or "typing mistake" in dialog.status.text()
    assert dialog.enrol_button.isEnabled()


def test_refused_code_says_why_and_lets_the_user_retry(qtbot, screen, backend: Backend) -> None:
    dialog, _ = screen
    from stdnum import luhn

    from app.core.sync.enrolment import parse_enrolment_text  # a well-formed but unknown code
    from pika_protocol.tokens import SHORT_CODE_ALPHABET

    body = "ABCDEFGHJK"
    code = body + luhn.calc_check_digit(body, alphabet=SHORT_CODE_ALPHABET)
    parse_enrolment_text(code)
    dialog.server.setText(backend.url)
    dialog.code.setText(code)
    dialog.enrol()
    qtbot.waitUntil(
        lambda: dialog.enrol_button.isEnabled() and dialog.status.text() != "", timeout=20_000
    )
    qtbot.waitUntil(lambda: "refused" in dialog.status.text().lower(), timeout=20_000)
