"""Why the kiosk cannot start, in the screen's language (source text English, as everywhere).

The store's errors carry what happened as types and fields (``KeyringProblem``, the file's
path); this is the one place they become words for the person at the kiosk or IT, so the
refusal is shown once, in Spanish or English, never as the core's English text or a traceback.
No message takes the exception's own words (a keyring backend's name, SQLite's error): those
are technical and English, and go to the log (see ``refuse_to_start``). A path is ours: IT
needs it to find the file.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from app.core.store import (
    CorruptStoreError,
    DatabaseKeyMissingError,
    KeyringProblem,
    KeyringUnavailableError,
    SchemaTooNewError,
    StoreBusyError,
    StoreError,
    StoreFileMissingError,
    WrongKeyError,
)

_CONTEXT = "StartupError"

TITLE = QT_TRANSLATE_NOOP("StartupError", "Pika Counter cannot start")

_KEYRING = {
    KeyringProblem.NONE: QT_TRANSLATE_NOOP(
        "StartupError", "There is no usable keyring on this computer."
    ),
    KeyringProblem.PLAINTEXT: QT_TRANSLATE_NOOP(
        "StartupError",
        "The only keyring here keeps secrets in a clear-text file, so it is not used. "
        "Uninstall keyrings.alt or set PYTHON_KEYRING_BACKEND to a real keyring.",
    ),
    KeyringProblem.UNREADABLE: QT_TRANSLATE_NOOP("StartupError", "The keyring could not be read."),
    KeyringProblem.REFUSED: QT_TRANSLATE_NOOP(
        "StartupError", "The keyring refused to keep the key."
    ),
    KeyringProblem.NOT_KEPT: QT_TRANSLATE_NOOP(
        "StartupError", "The keyring did not keep the key it was given."
    ),
}

_KEYRING_FIX = QT_TRANSLATE_NOOP(
    "StartupError",
    "Pika Counter keeps the key of its encrypted data in the operating system's keyring. On "
    "Linux install and unlock gnome-keyring or KWallet (for example apt-get install "
    "gnome-keyring, then log in to a desktop session that unlocks it); on Windows the "
    "Credential Manager and on macOS the Keychain must be reachable for the user running the "
    "kiosk. To try the kiosk without a keyring, start it in demo mode (pika-kiosk --demo): it "
    "keeps nothing.",
)

_WRONG_KEY = QT_TRANSLATE_NOOP(
    "StartupError",
    "The key in the keyring does not open the kiosk data {path}. The file was left untouched. "
    "Restore the keyring entry it was made with, or move the file away to start empty (its "
    "redemptions not yet sent would be lost).",
)
_CORRUPT = QT_TRANSLATE_NOOP(
    "StartupError",
    "The kiosk data {path} is damaged or is not Pika Counter data. The file was left "
    "untouched: restore it from a backup or move it away to start empty.",
)
_TOO_NEW = QT_TRANSLATE_NOOP(
    "StartupError",
    "The kiosk data {path} was written by a newer version of Pika Counter. Install that "
    "version again; the file was left untouched.",
)
_KEY_MISSING = QT_TRANSLATE_NOOP(
    "StartupError",
    "The kiosk data {path} exists but the keyring has no key for it (the keyring was reset, "
    "or the file was copied from another computer or user). The file was left untouched: "
    "restore the keyring, or move the file away to start empty.",
)
_FILE_MISSING = QT_TRANSLATE_NOOP(
    "StartupError",
    "The keyring has a key for the kiosk data {path}, but the file is missing (moved, deleted, "
    "or on a drive that is not mounted). Put the file back.",
)
_BUSY = QT_TRANSLATE_NOOP(
    "StartupError",
    "The kiosk data is in use by another program (is Pika Counter already open?). Close it "
    "and start again.",
)
_OTHER = QT_TRANSLATE_NOOP(
    "StartupError",
    "The kiosk data could not be opened. Start the kiosk again; if it happens again, call IT "
    "(the details are in the kiosk's log).",
)


def _tr(text: object) -> str:
    return QCoreApplication.translate(_CONTEXT, str(text))


def technical_detail(error: StoreError) -> str:
    """What IT needs in the log: the error's own words, without the advice the screen gives
    (a keyring error's text repeats its fix in English)."""
    if isinstance(error, KeyringUnavailableError):
        return f"{error.kind.value}: {error.problem}"
    return str(error)


def startup_title() -> str:
    return _tr(TITLE)


def startup_error_text(error: StoreError) -> str:
    """What went wrong and what to do about it, in the current language."""
    if isinstance(error, KeyringUnavailableError):
        problem = _tr(_KEYRING[error.kind])
        return f"{problem}\n\n{_tr(_KEYRING_FIX)}"
    if isinstance(error, WrongKeyError):
        return _tr(_WRONG_KEY).format(path=error.path)
    if isinstance(error, CorruptStoreError):
        return _tr(_CORRUPT).format(path=error.path)
    if isinstance(error, SchemaTooNewError):
        return _tr(_TOO_NEW).format(path=error.path)
    if isinstance(error, DatabaseKeyMissingError):
        return _tr(_KEY_MISSING).format(path=error.path)
    if isinstance(error, StoreFileMissingError):
        return _tr(_FILE_MISSING).format(path=error.path)
    if isinstance(error, StoreBusyError):
        return _tr(_BUSY)
    return _tr(_OTHER)
