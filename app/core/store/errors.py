"""What can go wrong with the kiosk's local store, as one family of typed errors.

Every error the store raises is a :class:`StoreError`, so the UI translates one root at one
edge (a dialog or a state) and shows ``str(error)``: each message says what happened and what
the person at the kiosk or IT can do about it. None of these is raised after changing a file
the store did not create: a store that cannot be opened is left exactly as it was found.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path


class StoreError(Exception):
    """Root of every error raised by :mod:`app.core.store`."""


class WrongKeyError(StoreError):
    """The database key does not open this store file (or the file is not a Pika store)."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"The key in the keyring does not open the kiosk store {path}. The file was left "
            "untouched. Restore the keyring entry this store was made with, or move the file "
            "away to start an empty store (its unsynced redemptions would then be lost)."
        )
        self.path = path


class CorruptStoreError(StoreError):
    """The store file is damaged or is not an encrypted Pika store at all."""

    def __init__(self, path: Path, detail: str) -> None:
        super().__init__(
            f"The kiosk store {path} is damaged or is not a Pika store ({detail}). The file was "
            "left untouched; restore it from a backup or move it away to start an empty store."
        )
        self.path = path
        self.detail = detail


class StoreBusyError(StoreError):
    """Another program holds the store file locked (e.g. a second kiosk window)."""


class StoreIOError(StoreError):
    """The database failed for a reason other than damage (disk full, I/O error...)."""


class SchemaTooNewError(StoreError):
    """The store was migrated by a newer version of the kiosk than the one running."""

    def __init__(self, path: Path, revisions: tuple[str, ...]) -> None:
        super().__init__(
            f"The kiosk store {path} was written by a newer version of Pika Counter "
            f"(schema {', '.join(revisions)}). Install that version again; the file was left "
            "untouched."
        )
        self.path = path
        self.revisions = revisions


class StoreClosedError(StoreError):
    """A method was called after :meth:`KioskStore.close`."""


class InvalidRecordError(StoreError, ValueError):
    """Data handed to the store is not what it claims to be; nothing was written."""


class InvalidVoucherError(InvalidRecordError):
    """A voucher token from sync could not be read; the whole batch was refused."""


class PublicKeyConflictError(InvalidRecordError):
    """A signing key id is already known with different key bytes."""


class UnknownRedemptionError(InvalidRecordError):
    """No live redemption has the given id (never recorded, or already voided)."""


# Key management -------------------------------------------------------------------------------


class KeyringProblem(StrEnum):
    """Why the keyring cannot keep the database key: a stable code the UI words itself."""

    NONE = "none"  # only the fail/null backends: no keyring on this computer
    PLAINTEXT = "plaintext"  # a clear-text file keyring, refused
    UNREADABLE = "unreadable"  # there, but locked or unreachable (no D-Bus session)
    REFUSED = "refused"  # it would not take the key
    NOT_KEPT = "not_kept"  # it took the key but did not give it back


class KeyringUnavailableError(StoreError):
    """No usable OS keyring to keep the database key in; says how to get one.

    ``kind`` says why in a stable code and ``detail`` carries the keyring's own words (a
    backend name, its error), so the kiosk can say it in the screen's language.
    """

    FIX = (
        "Pika Counter keeps the key of its encrypted store in the operating system's keyring. "
        "On Linux install and unlock a Secret Service provider (gnome-keyring or KWallet, e.g. "
        "`apt-get install gnome-keyring` and log in to a desktop session that unlocks it); on "
        "Windows the Credential Manager and on macOS the Keychain are used and must be "
        "reachable for the user running the kiosk. Or start in demo mode, which uses a "
        "throwaway key and keeps nothing."
    )

    def __init__(
        self, problem: str, kind: KeyringProblem = KeyringProblem.NONE, detail: str = ""
    ) -> None:
        super().__init__(f"{problem} {self.FIX}")
        self.problem = problem
        self.kind = kind
        self.detail = detail


class PlaintextKeyringRefusedError(KeyringUnavailableError):
    """The only keyring available writes secrets to disk in clear text; it is refused."""


class DatabaseKeyMissingError(StoreError):
    """A store file exists but the keyring holds no key for it."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"The kiosk store {path} exists but the keyring has no key for it (the keyring "
            "was reset, or the store was copied from another machine or user). The file was "
            "left untouched: restore the keyring, or move the file away to start an empty store."
        )
        self.path = path


class StoreFileMissingError(StoreError):
    """The keyring holds a key for a store whose file is gone."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"The keyring has a key for the kiosk store {path}, but the file is missing (moved, "
            "deleted, or on a drive that is not mounted). Put the file back; to really start "
            "over, reset the kiosk's store from the settings (this forgets the old key)."
        )
        self.path = path
