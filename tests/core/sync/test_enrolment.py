"""Enrolment codes, enrolling (and again), and the wipe of a revoked kiosk."""

from __future__ import annotations

from pathlib import Path

import keyring
import pytest
from sqlalchemy import select
from stdnum import luhn

from app.core.device import read_identity
from app.core.store import KioskStore, schema
from app.core.store.database_key import SERVICE, open_kiosk_store
from app.core.store.database_key import entry_name as store_key_entry
from app.core.sync import (
    EnrolmentRefusedError,
    InvalidEnrolmentCodeError,
    SyncApi,
    apply_enrolment,
    parse_enrolment_text,
    read_wipe_note,
    wipe_local_data,
)
from app.core.sync.credentials import load_api_key
from app.core.sync.enrolment import SERVER_URL_SETTING
from pika_protocol.tokens import SHORT_CODE_ALPHABET
from tests.core.store.conftest import Counter
from tests.support.head_office import HeadOffice

DATA = "ABCDEFGHJK"
CODE = f"{DATA[:5]}-{DATA[5:]}{luhn.calc_check_digit(DATA, alphabet=SHORT_CODE_ALPHABET)}"


def test_codes_are_read_forgivingly_and_checked_before_any_network() -> None:
    assert parse_enrolment_text(CODE).code == CODE
    assert parse_enrolment_text(f"  {CODE.lower().replace('-', ' ')} ").code == CODE
    with_url = parse_enrolment_text(f"pika-enrol:{CODE}@https://pika.example.com:8443/")
    assert with_url.server_url == "https://pika.example.com:8443"
    looks_alike = CODE.replace("0", "O").replace("1", "I")
    assert parse_enrolment_text(looks_alike).code == CODE


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "no enrolment code"),
        ("ABCDE-FGHJK", "not an enrolment code"),
        (CODE[:-1] + ("0" if CODE[-1] != "0" else "1"), "typing mistake"),
        ("ABCDE-FGHJ!!", "not an enrolment code"),
        (f"pika-enrol:{CODE}@ftp://x", "not a server address"),
    ],
)
def test_bad_codes_are_refused_with_what_is_wrong(text: str, problem: str) -> None:
    with pytest.raises(InvalidEnrolmentCodeError, match=problem):
        parse_enrolment_text(text)


def enrol(store: KioskStore, backend: HeadOffice, name: str = "Caja 1") -> str:
    """Enrol with a new code from ``backend`` (a code enrols once); the code."""
    code = backend.new_enrolment_code()
    api = SyncApi("http://backend.test", transport=backend.transport())
    answer = api.enrol(code, name)
    apply_enrolment(store, answer, server_url="http://backend.test", device_name=name)
    return code


def test_enrolment_keeps_the_key_in_the_keyring_only(
    store: KioskStore, backend: HeadOffice, tmp_path: Path
) -> None:
    code = enrol(store, backend)
    device = read_identity(store)
    enrolled = backend.device_of_code(code)
    assert (device.device_id, device.business_id) == (enrolled, backend.business_id)
    api_key = load_api_key(store.path)
    assert api_key is not None and backend.holds_key(device.device_id, api_key)
    assert store.settings.get(SERVER_URL_SETTING) == "http://backend.test"
    with store._db.transaction() as conn:
        values = [v for (v,) in conn.execute(select(schema.settings.c.value))]
    assert api_key not in values
    assert api_key.encode() not in store.path.read_bytes()


def test_a_refused_code_writes_nothing(store: KioskStore, backend: HeadOffice) -> None:
    api = SyncApi("http://backend.test", transport=backend.transport())
    used = backend.new_enrolment_code()
    api.enrol(used, "Caja 3")  # another kiosk enrolled with it first
    with pytest.raises(EnrolmentRefusedError, match="enrolment_code_refused"):
        api.enrol(used, "Caja 1")
    assert load_api_key(store.path) is None and store.settings.get("device_id") is None


def test_enrolling_again_waits_for_the_outbox_and_for_the_same_business(
    counter: Counter,
    store: KioskStore,
    backend: HeadOffice,
    tmp_path: Path,
    head_office_template: Path,
) -> None:
    counter.scan(counter.voucher(1))  # queued under the device the counter fixture set
    with pytest.raises(EnrolmentRefusedError, match="waiting to sync"):
        enrol(store, backend)
    [item] = store.outbox.pending()
    store.outbox.mark_answered({item.item_id: "accepted:valid:"})
    enrol(store, backend, name="Caja 1 nueva")
    assert read_identity(store).device_name == "Caja 1 nueva"

    with (
        HeadOffice.running(tmp_path, head_office_template, business_id=77) as other,
        pytest.raises(EnrolmentRefusedError, match="wipe it"),
    ):
        enrol(store, other)
    assert read_identity(store).business_id == backend.business_id


def test_wipe_leaves_nothing_readable_and_a_note(tmp_path: Path, backend: HeadOffice) -> None:
    path = tmp_path / "kiosk" / "kiosk.db"
    store = open_kiosk_store(path).store
    code = enrol(store, backend)
    note = wipe_local_data(store, reason="device_revoked")
    assert store.closed and not path.exists()
    assert not list(path.parent.glob("kiosk.db*"))
    assert keyring.get_password(SERVICE, store_key_entry(path)) is None
    assert load_api_key(path) is None
    read_back = read_wipe_note(path.parent)
    assert read_back == note and note.device_id == backend.device_of_code(code)
    fresh = open_kiosk_store(path).store  # the next start is a clean first start
    assert fresh.settings.get("device_id") is None
    fresh.close()
