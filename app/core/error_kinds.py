"""What went wrong, as a short fixed list a person at the kiosk can act on.

An exception's own text (OpenCV's, SQLite's, httpx's, ours) is English, technical and
sometimes holds a file path: it belongs in the log. The screen shows the message of the
exception's :class:`ErrorKind` instead, translated (the UI looks the English source text below
up in resources/translations; scripts/update_translations.sh collects it from this file). No
message has a placeholder, so nothing of the exception can be interpolated into it.
"""

from __future__ import annotations

from enum import StrEnum

from app.core.kiosk_backup.errors import (
    DamagedExportError,
    ExportWriteError,
    NotAnExportError,
    RestoreRefusedError,
    WeakPassphraseError,
    WrongPassphraseError,
)
from app.core.scanning.errors import ScanError, SourceError
from app.core.store.errors import (
    CorruptStoreError,
    DatabaseKeyMissingError,
    KeyringUnavailableError,
    SchemaTooNewError,
    StoreBusyError,
    StoreError,
    StoreFileMissingError,
    WrongKeyError,
)
from app.core.sync.errors import (
    CredentialStoreError,
    DeviceRevokedError,
    EnrolmentRefusedError,
    InvalidEnrolmentCodeError,
    NotAuthorisedError,
    NotEnrolledForSyncError,
    ProtocolError,
    ServerBusyError,
    SyncError,
    TransientSyncError,
)

# The context the messages are translated in (the UI and the .ts file use it).
CONTEXT = "ErrorKind"


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # the name lupdate looks for
    """Marks ``text`` for pyside6-lupdate without importing Qt (the core never does)."""
    return text


class ErrorKind(StrEnum):
    CAMERA_MISSING = "camera_missing"
    VIDEO_UNREADABLE = "video_unreadable"
    STORE_BUSY = "store_busy"
    STORE_FAILED = "store_failed"
    STORE_DAMAGED = "store_damaged"
    KEYRING = "keyring"
    SYNC_OFFLINE = "sync_offline"
    SYNC_BUSY = "sync_busy"
    SYNC_NOT_AUTHORISED = "sync_not_authorised"
    SYNC_REVOKED = "sync_revoked"
    SYNC_FAILED = "sync_failed"
    NOT_ENROLLED = "not_enrolled"
    SHEET_NOT_SAVED = "sheet_not_saved"
    ENROLMENT_CODE_INVALID = "enrolment_code_invalid"
    SERVER_ADDRESS_INVALID = "server_address_invalid"
    ENROLMENT_REFUSED = "enrolment_refused"
    ENROLMENT_UNREACHABLE = "enrolment_unreachable"
    ENROLMENT_CAMERA_MISSING = "enrolment_camera_missing"
    BACKUP_PASSPHRASE_WEAK = "backup_passphrase_weak"
    BACKUP_PASSPHRASE_WRONG = "backup_passphrase_wrong"
    BACKUP_DAMAGED = "backup_damaged"
    BACKUP_NOT_AN_EXPORT = "backup_not_an_export"
    BACKUP_NOT_WRITTEN = "backup_not_written"
    BACKUP_RESTORE_REFUSED = "backup_restore_refused"
    UNEXPECTED = "unexpected"


#: Each message says what happened in plain words and what to do next; never how.
MESSAGES = {
    ErrorKind.CAMERA_MISSING: QT_TRANSLATE_NOOP(
        "ErrorKind",
        "No camera: type the code or use a USB scanner. Trying the camera again…",
    ),
    ErrorKind.VIDEO_UNREADABLE: QT_TRANSLATE_NOOP(
        "ErrorKind",
        "The video used as the camera cannot be played: type the code or use a USB scanner. "
        "The manager can choose another video in the settings.",
    ),
    ErrorKind.STORE_BUSY: QT_TRANSLATE_NOOP(
        "ErrorKind",
        "The kiosk's data is in use by another program: nothing was recorded. Close the other "
        "Pika Counter window and try again.",
    ),
    ErrorKind.STORE_FAILED: QT_TRANSLATE_NOOP(
        "ErrorKind",
        "The kiosk could not read or save its data (the disk may be full): nothing was "
        "recorded. Try again; if it happens again, call IT.",
    ),
    ErrorKind.STORE_DAMAGED: QT_TRANSLATE_NOOP(
        "ErrorKind",
        "The kiosk's data cannot be opened. Call IT before scanning more vouchers.",
    ),
    ErrorKind.KEYRING: QT_TRANSLATE_NOOP(
        "ErrorKind",
        "The computer's keyring could not be read. Call IT; the kiosk keeps working offline.",
    ),
    ErrorKind.SYNC_OFFLINE: QT_TRANSLATE_NOOP(
        "ErrorKind",
        "Head office cannot be reached. The kiosk keeps working and sends everything later.",
    ),
    ErrorKind.SYNC_BUSY: QT_TRANSLATE_NOOP(
        "ErrorKind",
        "Head office asked the kiosk to wait. It keeps working and sends everything later.",
    ),
    ErrorKind.SYNC_NOT_AUTHORISED: QT_TRANSLATE_NOOP(
        "ErrorKind",
        "Head office does not accept this kiosk any more: enrol it again (ask head office for "
        "a code). It keeps working offline meanwhile.",
    ),
    ErrorKind.SYNC_REVOKED: QT_TRANSLATE_NOOP(
        "ErrorKind",
        "Head office revoked this kiosk.",
    ),
    ErrorKind.SYNC_FAILED: QT_TRANSLATE_NOOP(
        "ErrorKind",
        "Head office refused the last sync. The kiosk keeps working; if this stays, call IT.",
    ),
    ErrorKind.NOT_ENROLLED: QT_TRANSLATE_NOOP(
        "ErrorKind",
        "This kiosk is not enrolled with head office: it works offline.",
    ),
    ErrorKind.SHEET_NOT_SAVED: QT_TRANSLATE_NOOP(
        "ErrorKind",
        "The voucher sheet could not be saved there. Choose another folder.",
    ),
    ErrorKind.ENROLMENT_CODE_INVALID: QT_TRANSLATE_NOOP(
        "ErrorKind",
        "This is not an enrolment code, or it has a typing mistake: a code has 11 letters and "
        "digits (XXXXX-XXXXXX). Compare it with the one head office gave you.",
    ),
    ErrorKind.SERVER_ADDRESS_INVALID: QT_TRANSLATE_NOOP(
        "ErrorKind",
        "The server address must be written like https://pika.example.com.",
    ),
    ErrorKind.ENROLMENT_REFUSED: QT_TRANSLATE_NOOP(
        "ErrorKind",
        "The enrolment was refused: the code may be used or expired, or this kiosk still holds "
        "another enrolment's data. Ask head office for a new code; IT finds the details in the "
        "log.",
    ),
    ErrorKind.ENROLMENT_UNREACHABLE: QT_TRANSLATE_NOOP(
        "ErrorKind",
        "Head office cannot be reached: check the server address and the network, then try again.",
    ),
    ErrorKind.ENROLMENT_CAMERA_MISSING: QT_TRANSLATE_NOOP(
        "ErrorKind",
        "No camera: scan the enrolment QR with the USB scanner, or type its code.",
    ),
    ErrorKind.BACKUP_PASSPHRASE_WEAK: QT_TRANSLATE_NOOP(
        "ErrorKind",
        "The passphrase needs at least 10 characters: the export leaves the shop on a stick.",
    ),
    ErrorKind.BACKUP_PASSPHRASE_WRONG: QT_TRANSLATE_NOOP(
        "ErrorKind",
        "That passphrase does not open this export. Nothing was changed; try again.",
    ),
    ErrorKind.BACKUP_DAMAGED: QT_TRANSLATE_NOOP(
        "ErrorKind",
        "The export is damaged or incomplete. Nothing was changed; use another copy.",
    ),
    ErrorKind.BACKUP_NOT_AN_EXPORT: QT_TRANSLATE_NOOP(
        "ErrorKind",
        "This file is not a Pika Counter export. Choose the .pikabackup file.",
    ),
    ErrorKind.BACKUP_NOT_WRITTEN: QT_TRANSLATE_NOOP(
        "ErrorKind",
        "The export could not be written there (is the USB stick full or removed?). Nothing "
        "half-written was left; choose another folder.",
    ),
    ErrorKind.BACKUP_RESTORE_REFUSED: QT_TRANSLATE_NOOP(
        "ErrorKind",
        "Restore only on a kiosk just enrolled for the same business that has not scanned "
        "anything yet. Nothing was changed.",
    ),
    ErrorKind.UNEXPECTED: QT_TRANSLATE_NOOP(
        "ErrorKind",
        "Something went wrong. Try again; if it happens again, call IT.",
    ),
}

#: Most specific first: several of these derive from one another.
_BY_TYPE: tuple[tuple[type[BaseException] | tuple[type[BaseException], ...], ErrorKind], ...] = (
    (InvalidEnrolmentCodeError, ErrorKind.ENROLMENT_CODE_INVALID),
    (WeakPassphraseError, ErrorKind.BACKUP_PASSPHRASE_WEAK),
    (WrongPassphraseError, ErrorKind.BACKUP_PASSPHRASE_WRONG),
    (DamagedExportError, ErrorKind.BACKUP_DAMAGED),
    (NotAnExportError, ErrorKind.BACKUP_NOT_AN_EXPORT),
    (ExportWriteError, ErrorKind.BACKUP_NOT_WRITTEN),
    (RestoreRefusedError, ErrorKind.BACKUP_RESTORE_REFUSED),
    (EnrolmentRefusedError, ErrorKind.ENROLMENT_REFUSED),
    (SourceError, ErrorKind.CAMERA_MISSING),
    (ScanError, ErrorKind.VIDEO_UNREADABLE),
    ((KeyringUnavailableError, CredentialStoreError), ErrorKind.KEYRING),
    (StoreBusyError, ErrorKind.STORE_BUSY),
    (
        (
            CorruptStoreError,
            WrongKeyError,
            SchemaTooNewError,
            DatabaseKeyMissingError,
            StoreFileMissingError,
        ),
        ErrorKind.STORE_DAMAGED,
    ),
    (StoreError, ErrorKind.STORE_FAILED),
    (DeviceRevokedError, ErrorKind.SYNC_REVOKED),
    (NotAuthorisedError, ErrorKind.SYNC_NOT_AUTHORISED),
    (ServerBusyError, ErrorKind.SYNC_BUSY),
    (ProtocolError, ErrorKind.SYNC_FAILED),
    (TransientSyncError, ErrorKind.SYNC_OFFLINE),
    (NotEnrolledForSyncError, ErrorKind.NOT_ENROLLED),
    (SyncError, ErrorKind.SYNC_FAILED),
)


def kind_of(error: BaseException, *, camera_is_file: bool = False) -> ErrorKind:
    """The kind of ``error``. ``camera_is_file``: the camera in use is a video file or image
    folder, so a source that fails is a video that cannot be played, not a missing camera."""
    for types, kind in _BY_TYPE:
        if isinstance(error, types):
            if kind is ErrorKind.CAMERA_MISSING and camera_is_file:
                return ErrorKind.VIDEO_UNREADABLE
            return kind
    return ErrorKind.UNEXPECTED


def enrolment_kind_of(error: BaseException) -> ErrorKind:
    """The kind of an error met while enrolling: there is no sync to keep working offline
    with yet, so an unreachable or busy head office means "check the address and network"."""
    kind = kind_of(error)
    if kind in (ErrorKind.SYNC_OFFLINE, ErrorKind.SYNC_BUSY):
        return ErrorKind.ENROLMENT_UNREACHABLE
    if kind in (ErrorKind.SYNC_FAILED, ErrorKind.SYNC_NOT_AUTHORISED):
        return ErrorKind.ENROLMENT_REFUSED
    if kind in (ErrorKind.CAMERA_MISSING, ErrorKind.VIDEO_UNREADABLE):
        return ErrorKind.ENROLMENT_CAMERA_MISSING
    return kind


def message(kind: ErrorKind) -> str:
    """The English source text of ``kind``'s message (the UI shows its translation)."""
    return MESSAGES[kind]
