"""Starting the kiosk: demo without a keyring works; normal mode without one refuses clearly."""

from __future__ import annotations

import logging

import keyring
import pytest
from keyring.backends import fail

from app.core.device import NotEnrolledError
from app.core.session import open_session
from app.core.store import KeyringUnavailableError
from app.ui import app as kiosk_app


@pytest.fixture
def no_keyring():
    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(before)


def test_demo_runs_without_keyring_on_a_throwaway_key(tmp_path, no_keyring) -> None:
    session = open_session(tmp_path, demo=True)
    try:
        assert session.throwaway_key
        assert session.device.business_name
    finally:
        session.store.close()


def test_normal_mode_refuses_without_keyring(tmp_path, no_keyring) -> None:
    with pytest.raises(KeyringUnavailableError) as err:
        open_session(tmp_path, demo=False)
    assert "keyring" in str(err.value).lower()
    assert not (tmp_path / "kiosk.db").exists()


def test_normal_mode_without_enrolment_says_so(tmp_path) -> None:
    with pytest.raises(NotEnrolledError, match="enrol"):
        open_session(tmp_path, demo=False)


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("es", ("No hay ningún llavero", "gnome-keyring", "modo demo")),
        ("en", ("There is no usable keyring", "gnome-keyring", "demo mode")),
    ],
)
def test_window_start_refuses_once_in_the_screen_language(
    qapp, tmp_path, no_keyring, monkeypatch, capsys, caplog, language, words
) -> None:
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(
        kiosk_app.QMessageBox,
        "critical",
        lambda _parent, title, text: shown.append((title, text)),
    )
    code = kiosk_app.run_kiosk(data_dir=tmp_path, demo=False, video=None, language=language)
    assert code == 2
    assert len(shown) == 1
    title, text = shown[0]
    assert all(word in text for word in words), text
    assert title == (
        "Pika Counter no puede iniciar" if language == "es" else "Pika Counter cannot start"
    )
    err = capsys.readouterr().err
    assert err == f"pika-kiosk: {text}\n"  # said once, the dialog's words, no traceback
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
