"""Starting the kiosk: demo without a keyring works; normal mode without one refuses clearly."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from app.core.device import NotEnrolledError
from app.core.session import open_session
from app.core.store import (
    KeyringProblem,
    KeyringUnavailableError,
    PlaintextKeyringRefusedError,
    StoreError,
)
from app.ui import app as kiosk_app
from app.ui.language import Language
from app.ui.startup_errors import startup_error_text, technical_detail

ROOT = Path(__file__).resolve().parents[2]


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
    # the technical detail once, in the log only (English, for IT), without the fix again
    logged = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert logged == [
        "the kiosk cannot start: KeyringUnavailableError: none: "
        "No usable keyring was found on this computer."
    ]


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["fail", "null"])
def test_a_real_start_without_a_keyring_says_it_once_translated(tmp_path, backend) -> None:
    """``pika-kiosk`` (normal mode) where only the fail/null keyrings exist, as issue 11 found
    it: the refusal was English, said three times, once with a traceback, and named the
    backend. Now: one Spanish message, the technical detail once in the log, no traceback."""
    env = {
        **os.environ,
        "PYTHON_KEYRING_BACKEND": f"keyring.backends.{backend}.Keyring",
        "QT_QPA_PLATFORM": "offscreen",
        "TMPDIR": str(tmp_path),
    }
    data = tmp_path / "data"
    child = subprocess.Popen(
        [sys.executable, "-m", "app.main", "--data-dir", str(data), "--lang", "es"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    said = threading.Event()

    def read_stderr() -> None:
        assert child.stderr is not None
        for line in child.stderr:
            lines.append(line)
            if line.startswith("pika-kiosk:"):
                said.set()

    reader = threading.Thread(target=read_stderr, daemon=True)
    reader.start()
    try:
        # The message is said, then the dialog waits for a person: SIGTERM closes it.
        assert said.wait(120), "".join(lines)
        child.send_signal(signal.SIGTERM)
        stdout, _ = child.communicate(timeout=60)
    finally:
        child.kill()
    reader.join(10)
    err = "".join(lines)
    assert child.returncode == 2, err
    assert stdout == ""
    assert "Traceback" not in err
    assert err.count("pika-kiosk:") == 1
    message = err.split("pika-kiosk: ", 1)[1]
    assert message.startswith("No hay ningún llavero del sistema que se pueda usar")
    assert "modo demo" in message
    assert "keyring." not in message and backend not in message.lower()
    assert "No usable keyring" not in message  # the core's English stays out of the message
    errors = [line for line in lines if " ERROR " in line]
    assert errors == [
        errors[0].split(" ERROR ")[0] + " ERROR app.ui.app: the kiosk cannot start: "
        "KeyringUnavailableError: none: No usable keyring was found on this computer.\n"
    ]
    assert err.count("No usable keyring") == 1
    assert not (data / "kiosk.db").exists()


@pytest.mark.parametrize(
    "error",
    [
        PlaintextKeyringRefusedError(
            "The keyring backend keyrings.alt.file.PlaintextKeyring stores secrets in clear text.",
            KeyringProblem.PLAINTEXT,
            "keyrings.alt.file.PlaintextKeyring (priority: 0.5)",
        ),
        KeyringUnavailableError(
            "The keyring could not be read (DBus: org.freedesktop.DBus.Error.NoReply).",
            KeyringProblem.UNREADABLE,
            "DBus: org.freedesktop.DBus.Error.NoReply",
        ),
        StoreError("(sqlite3.OperationalError) disk I/O error"),
    ],
    ids=["plaintext", "unreadable", "other"],
)
def test_the_message_never_carries_the_exceptions_own_words(qapp, error) -> None:
    """A keyring backend's name or SQLite's English went into the (Spanish) message."""
    language = Language(qapp)
    try:
        language.switch("es")
        text = startup_error_text(error)
    finally:
        language.reset()
    for raw in ("keyrings.alt.file", "DBus", "sqlite3", "disk I/O", "priority"):
        assert raw not in text
    assert str(getattr(error, "problem", error)) in technical_detail(error)  # for the log
    assert any(word in text for word in ("llavero", "datos del quiosco")), text
