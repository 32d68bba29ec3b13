"""The enrolment QR read by the camera: the code comes out, other QR codes are ignored."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import qrcode
from pytestqt.qtbot import QtBot
from stdnum import luhn

from app.ui.enrolment_camera import EnrolmentCodeReader, is_enrolment_code
from app.ui.operations import Operations
from pika_protocol.tokens import SHORT_CODE_ALPHABET

DATA = "K7M2Q9X4B1"
CODE = f"{DATA[:5]}-{DATA[5:]}{luhn.calc_check_digit(DATA, alphabet=SHORT_CODE_ALPHABET)}"


@pytest.fixture
def ops() -> Iterator[Operations]:
    operations = Operations()
    yield operations
    operations.shutdown()


def qr_frames(folder: Path, *texts: str) -> Path:
    folder.mkdir()
    for index, text in enumerate(texts):
        image = qrcode.make(text, box_size=8, border=4).get_image().convert("RGB")
        image.save(folder / f"{index:02d}.png")
    return folder


def test_the_camera_reads_the_code_and_ignores_other_qr_codes(
    qtbot: QtBot, tmp_path: Path, ops: Operations
) -> None:
    folder = qr_frames(tmp_path / "frames", "https://not-a-code.example", f"{CODE[:-1]}0", CODE)
    reader = EnrolmentCodeReader(ops)
    try:
        with qtbot.waitSignal(reader.code_read, timeout=10_000) as read:
            reader.start(str(folder))
    finally:
        reader.stop()
    assert read.args == [CODE]


def test_no_camera_is_said(qtbot: QtBot, tmp_path: Path, ops: Operations) -> None:
    reader = EnrolmentCodeReader(ops)
    with qtbot.waitSignal(reader.failed, timeout=5000) as failed:
        reader.start(str(tmp_path / "missing.mp4"))
    assert failed.args[0]


def test_only_enrolment_codes_count() -> None:
    assert is_enrolment_code(CODE) and is_enrolment_code(f"pika-enrol:{CODE}@https://x.example")
    assert not is_enrolment_code(f"{CODE[:-1]}{'1' if CODE[-1] == '0' else '0'}")


def test_the_enrolment_screen_enrols_from_the_camera(
    qtbot: QtBot, tmp_path: Path, ops: Operations, head_office_template: Path
) -> None:
    from app.core.session import STORE_FILE
    from app.core.sync.credentials import load_api_key
    from app.ui.enrolment_dialog import EnrolmentDialog
    from tests.support.head_office import HeadOffice

    with HeadOffice.running(tmp_path, head_office_template) as backend:
        folder = qr_frames(
            tmp_path / "frames", f"pika-enrol:{backend.enrolment_code}@http://b.test"
        )
        store_path = tmp_path / STORE_FILE
        dialog = EnrolmentDialog(ops, store_path, transport=backend.transport(), camera=str(folder))
        qtbot.addWidget(dialog)
        assert dialog.camera_button.isVisibleTo(dialog)
        with qtbot.waitSignal(dialog.enrolled, timeout=10_000) as enrolled:
            dialog.camera_button.click()
        assert enrolled.args[0].device_id == backend.device_of_code(backend.enrolment_code)
        assert dialog.server.text() == "http://b.test"
        assert backend.holds_key(enrolled.args[0].device_id, load_api_key(store_path))
