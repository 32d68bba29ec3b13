"""Every error the kiosk can show has a typed kind with a plain Spanish and English message,
and none of the exception's own (English, technical) text reaches the screen."""

from __future__ import annotations

import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from app.core.error_kinds import MESSAGES, ErrorKind, enrolment_kind_of, kind_of, message
from app.core.scanning import open_source
from app.core.scanning.errors import ScanError, SourceError
from app.core.store import StoreBusyError, StoreError, StoreIOError, WrongKeyError
from app.core.store.errors import CorruptStoreError, KeyringProblem, KeyringUnavailableError
from app.core.sync.enrolment import check_server_url, parse_enrolment_text
from app.core.sync.errors import (
    CredentialStoreError,
    DeviceRevokedError,
    EnrolmentRefusedError,
    NotAuthorisedError,
    NotEnrolledForSyncError,
    ProtocolError,
    RateLimitedError,
    ServerUnreachableError,
)

TS = Path(__file__).resolve().parents[2] / "resources" / "translations" / "pika_es.ts"


def spanish() -> dict[str, str]:
    """The finished Spanish translations of the ErrorKind context, by English source text."""
    found = {}
    for context in ET.parse(TS).getroot().iter("context"):
        if context.findtext("name") != "ErrorKind":
            continue
        for entry in context.iter("message"):
            translation = entry.find("translation")
            assert translation is not None
            if translation.get("type") is None and (translation.text or "").strip():
                found[entry.findtext("source") or ""] = translation.text or ""
    return found


def test_each_kind_has_a_message_in_english_and_spanish() -> None:
    translated = spanish()
    for kind in ErrorKind:
        english = message(kind)
        assert english.strip(), kind
        assert english in translated, f"{kind}: no finished Spanish translation"
        assert translated[english] != english, f"{kind}: the Spanish is the English"
    assert set(MESSAGES) == set(ErrorKind)


def test_no_message_can_carry_the_exception_text() -> None:
    """A placeholder would let str(exc) in: there is none, in either language."""
    for text in [*MESSAGES.values(), *spanish().values()]:
        assert "{" not in text and "%" not in text


def exceptions(tmp_path: Path) -> list[tuple[BaseException, ErrorKind]]:
    """Real exceptions the kiosk meets, raised the way the kiosk raises them where cheap."""
    missing_video = tmp_path / "missing-video.avi"
    garbage_video = tmp_path / "garbage-video.avi"
    garbage_video.write_bytes(b"not a video at all" * 100)
    raised: list[tuple[BaseException, ErrorKind]] = []
    for path in (missing_video, garbage_video):
        with pytest.raises(SourceError) as caught:
            open_source(str(path))
        raised.append((caught.value, ErrorKind.CAMERA_MISSING))
    for text in ("", "7KQ2M-9XDT4", "ZZZZ"):
        with pytest.raises(ValueError) as bad_code:
            parse_enrolment_text(text)
        raised.append((bad_code.value, ErrorKind.ENROLMENT_CODE_INVALID))
    return [
        *raised,
        (SourceError("camera 0 cannot be opened"), ErrorKind.CAMERA_MISSING),
        (ScanError("this OpenCV build cannot write MJPG"), ErrorKind.VIDEO_UNREADABLE),
        (StoreBusyError("database is locked"), ErrorKind.STORE_BUSY),
        (StoreIOError("cannot open the kiosk store /x: disk I/O error"), ErrorKind.STORE_FAILED),
        (StoreError("store is closed"), ErrorKind.STORE_FAILED),
        (WrongKeyError(tmp_path / "kiosk.db"), ErrorKind.STORE_DAMAGED),
        (
            CorruptStoreError(tmp_path / "kiosk.db", "file is not a database"),
            ErrorKind.STORE_DAMAGED,
        ),
        (
            KeyringUnavailableError("No usable keyring", KeyringProblem.NONE, "fail.Keyring"),
            ErrorKind.KEYRING,
        ),
        (CredentialStoreError("the keyring refused the device API key"), ErrorKind.KEYRING),
        (
            ServerUnreachableError("POST /v1/push: ConnectError: [Errno 111] Connection refused"),
            ErrorKind.SYNC_OFFLINE,
        ),
        (RateLimitedError("rate_limited: slow down", retry_after=30), ErrorKind.SYNC_BUSY),
        (ProtocolError("unexpected HTTP 502 from /v1/pull"), ErrorKind.SYNC_FAILED),
        (NotAuthorisedError(401, "unauthorised", "bad API key"), ErrorKind.SYNC_NOT_AUTHORISED),
        (
            DeviceRevokedError(403, "device_revoked", "revoked by head office"),
            ErrorKind.SYNC_REVOKED,
        ),
        (NotEnrolledForSyncError("no device API key"), ErrorKind.NOT_ENROLLED),
        (
            EnrolmentRefusedError("code_used: this code was already used"),
            ErrorKind.ENROLMENT_REFUSED,
        ),
        (sqlite3.OperationalError("database disk image is malformed"), ErrorKind.UNEXPECTED),
        (RuntimeError("Internal C++ object already deleted"), ErrorKind.UNEXPECTED),
        (OSError(28, "No space left on device"), ErrorKind.UNEXPECTED),
    ]


def test_each_exception_has_its_kind_and_none_of_its_text_is_shown(tmp_path: Path) -> None:
    translated = spanish()
    for error, expected in exceptions(tmp_path):
        kind = kind_of(error)
        assert kind is expected, (error, kind)
        detail = str(error)
        assert detail, error
        for shown in (message(kind), translated[message(kind)]):
            assert detail not in shown
            for word in ("Errno", "OpenCV", "video.avi", "kiosk.db", "HTTP", "sqlite", "C++"):
                assert word not in shown


def test_a_failing_video_is_not_called_a_missing_camera(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as caught:
        open_source(str(tmp_path / "gone.mp4"))
    assert kind_of(caught.value) is ErrorKind.CAMERA_MISSING
    assert kind_of(caught.value, camera_is_file=True) is ErrorKind.VIDEO_UNREADABLE


def test_while_enrolling_an_unreachable_server_means_check_the_address() -> None:
    offline = ServerUnreachableError("POST /v1/enrol: ConnectError")
    assert enrolment_kind_of(offline) is ErrorKind.ENROLMENT_UNREACHABLE
    assert enrolment_kind_of(ProtocolError("bad JSON")) is ErrorKind.ENROLMENT_REFUSED
    assert enrolment_kind_of(SourceError("camera 0")) is ErrorKind.ENROLMENT_CAMERA_MISSING
    with pytest.raises(ValueError) as address:
        check_server_url("pika.example.com")
    # a bad address is told apart by the dialog (which field it checked), not by the type
    assert enrolment_kind_of(address.value) is ErrorKind.ENROLMENT_CODE_INVALID
