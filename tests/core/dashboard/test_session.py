"""Signing in and loading: the key only in the keyring, the figures kept and shown offline,
a key head office no longer accepts ends the session (issue 14)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import keyring
import pytest

from app.core.dashboard.client import DashboardQuery
from app.core.dashboard.session import (
    ManagerSession,
    NoServerError,
    NothingKeptError,
    SignInAgainError,
)
from app.core.store.database_key import SERVICE
from app.core.sync.errors import RequestRefusedError
from tests.core.dashboard.head_office import ADMIN_TOKEN, INVITATION, SERVER, FakeHeadOffice
from tests.core.dashboard.sample import AS_OF

pytestmark = pytest.mark.time_machine(AS_OF, tick=False)
QUERY = DashboardQuery(7, date(2025, 3, 1), date(2025, 3, 31))


def _session(tmp_path: Path, head_office: FakeHeadOffice) -> ManagerSession:
    return ManagerSession(tmp_path / "config", tmp_path / "data", client_factory=head_office.client)


def _key_in_keyring(session: ManagerSession) -> str | None:
    return keyring.get_password(SERVICE, session.credentials._entry())


def test_an_invitation_qr_signs_in_and_the_key_stays_only_in_the_keyring(tmp_path: Path) -> None:
    head_office = FakeHeadOffice()
    session = _session(tmp_path, head_office)
    signed_in = session.sign_in_with_invitation(f"pika-manager:{INVITATION}@{SERVER}")
    assert (signed_in.role, signed_in.business_id, signed_in.server_url) == ("manager", 7, SERVER)
    settings = session.credentials.settings_path.read_text()
    assert "pikam_first" not in settings
    assert json.loads(settings)["manager_id"] == "m-1"
    assert _key_in_keyring(session) == "pikam_first"
    session.close()
    again = _session(tmp_path, head_office)
    assert again.resume() == signed_in


def test_a_typed_code_needs_the_server(tmp_path: Path) -> None:
    session = _session(tmp_path, FakeHeadOffice())
    with pytest.raises(NoServerError):
        session.sign_in_with_invitation(INVITATION)
    assert session.sign_in_with_invitation(INVITATION, SERVER + "/").server_url == SERVER


def test_a_refused_invitation_keeps_nothing(tmp_path: Path) -> None:
    session = _session(tmp_path, FakeHeadOffice())
    with pytest.raises(RequestRefusedError) as caught:
        session.sign_in_with_invitation("WRONG-CODE", SERVER)
    assert caught.value.code == "invitation_refused"
    assert session.credentials.load() is None and session.signed_in is None


def test_head_office_signs_in_with_its_admin_token(tmp_path: Path) -> None:
    session = _session(tmp_path, FakeHeadOffice())
    signed_in = session.sign_in_with_admin_token(SERVER, ADMIN_TOKEN)
    assert signed_in.role == "head_office" and signed_in.business_id is None
    loaded = session.load(DashboardQuery(None, date(2025, 3, 1), date(2025, 3, 31)))
    assert loaded.figures.ranking and not loaded.offline


def test_figures_are_kept_and_shown_offline_with_their_as_of(tmp_path: Path) -> None:
    head_office = FakeHeadOffice()
    session = _session(tmp_path, head_office)
    session.sign_in_with_invitation(INVITATION, SERVER)
    fresh = session.load(QUERY)
    assert not fresh.offline and fresh.as_of == AS_OF
    head_office.mode = "offline"
    kept = session.load(QUERY)
    assert kept.offline and kept.as_of == AS_OF and kept.figures == fresh.figures
    with pytest.raises(NothingKeptError):
        session.load(DashboardQuery(7, date(2025, 2, 1), date(2025, 2, 28)))
    session.close()
    # a restart while offline keeps the sign-in and the kept figures
    restarted = _session(tmp_path, head_office)
    assert restarted.resume() is not None
    assert restarted.load(QUERY).offline


def test_a_key_head_office_refuses_ends_the_session_and_its_figures(tmp_path: Path) -> None:
    head_office = FakeHeadOffice()
    session = _session(tmp_path, head_office)
    session.sign_in_with_invitation(INVITATION, SERVER)
    session.load(QUERY)
    head_office.mode = "unauthorised"
    with pytest.raises(SignInAgainError):
        session.load(QUERY)
    assert session.signed_in is None and _key_in_keyring(session) is None
    assert not session.copy_path.exists()
    assert session.last_server == SERVER  # the form is filled in again


def test_a_refusal_keeps_its_code_and_the_session(tmp_path: Path) -> None:
    head_office = FakeHeadOffice()
    session = _session(tmp_path, head_office)
    session.sign_in_with_invitation(INVITATION, SERVER)
    head_office.mode = "unknown_offer"
    with pytest.raises(RequestRefusedError) as caught:
        session.load(QUERY)
    assert caught.value.code == "unknown_offer" and session.signed_in is not None


def test_a_key_due_for_rotation_is_rotated_at_start(tmp_path: Path) -> None:
    head_office = FakeHeadOffice()
    session = _session(tmp_path, head_office)
    session.sign_in_with_invitation(INVITATION, SERVER)
    session.close()
    head_office.rotate = True
    again = _session(tmp_path, head_office)
    assert again.resume() is not None
    assert _key_in_keyring(again) == "pikam_second"
    assert not again.load(QUERY).offline  # the new key works


def test_sign_out_forgets_key_settings_and_figures(tmp_path: Path) -> None:
    session = _session(tmp_path, FakeHeadOffice())
    session.sign_in_with_invitation(INVITATION, SERVER)
    session.load(QUERY)
    session.sign_out()
    assert _key_in_keyring(session) is None
    assert not session.credentials.settings_path.exists() and not session.copy_path.exists()
    assert _session(tmp_path, FakeHeadOffice()).resume() is None


def test_a_refusal_at_start_that_is_not_about_the_key_keeps_the_session(tmp_path: Path) -> None:
    head_office = FakeHeadOffice()
    session = _session(tmp_path, head_office)
    session.sign_in_with_invitation(INVITATION, SERVER)
    session.close()
    head_office.mode = "not_found"  # e.g. an older head office without /v1/analytics/me
    again = _session(tmp_path, head_office)
    assert again.resume() is not None and _key_in_keyring(again) == "pikam_first"


def test_the_demo_without_a_keyring_keeps_the_key_in_memory_only(tmp_path: Path) -> None:
    """As the demo kiosk does: no usable keyring, a throwaway key; a normal start refuses."""
    from keyring.backends import fail

    from app.core.sync.errors import CredentialStoreError

    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        head_office = FakeHeadOffice()
        with pytest.raises(CredentialStoreError):
            _session(tmp_path / "normal", head_office).sign_in_with_admin_token(SERVER, ADMIN_TOKEN)
        demo = ManagerSession(
            tmp_path / "config", tmp_path / "data", client_factory=head_office.client, demo=True
        )
        signed_in = demo.sign_in_with_admin_token(SERVER, ADMIN_TOKEN)
        assert signed_in.role == "head_office" and demo.credentials.throwaway
        assert demo.resume() == signed_in  # read back from memory
        assert ADMIN_TOKEN not in (tmp_path / "config" / "manager.json").read_text()
        demo.load(QUERY)  # the offline copy opens on a throwaway key too
        demo.sign_out()
        assert demo.credentials.load() is None
        demo.close()
    finally:
        keyring.set_keyring(before)
