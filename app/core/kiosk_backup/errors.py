"""Why a kiosk export or restore was refused: typed, each with a message for the log.

The screen shows the translated text of the error's kind (app/core/error_kinds.py), never the
message, which may name a file path.
"""

from __future__ import annotations


class KioskBackupError(Exception):
    """Root of the export/restore refusals."""


class NotAnExportError(KioskBackupError):
    """The chosen file is not a Pika kiosk export (or of a format this kiosk cannot read)."""


class DamagedExportError(KioskBackupError):
    """The export is cut short or altered: nothing of it is used."""


class WrongPassphraseError(KioskBackupError):
    """The passphrase does not open the export."""


class WeakPassphraseError(KioskBackupError):
    """The passphrase is too short to protect a store that leaves the building."""


class RestoreRefusedError(KioskBackupError):
    """The restore would lose or mix data (not enrolled, another business, work already done
    on this kiosk); the message says which."""


class ExportWriteError(KioskBackupError):
    """The export could not be written (a full or removed USB stick); nothing was left that
    looks like an export."""
