"""The kiosk's own backup: an encrypted export of its store, and its restore on a new PC.

:mod:`~app.core.kiosk_backup.export` writes the file, :mod:`~app.core.kiosk_backup.restore`
reads it back after the replacement PC is enrolled again, :mod:`~app.core.kiosk_backup.sealed_file`
is the file format. No Qt here: the manager panel's Backup tab (app/ui/backup_tab.py) only
runs these steps on the right threads.
"""

from app.core.kiosk_backup.errors import (
    DamagedExportError,
    ExportWriteError,
    KioskBackupError,
    NotAnExportError,
    RestoreRefusedError,
    WeakPassphraseError,
    WrongPassphraseError,
)
from app.core.kiosk_backup.export import Snapshot, check_passphrase, take_snapshot, write_export
from app.core.kiosk_backup.restore import (
    RestoreReport,
    Unsealed,
    adopt,
    check_can_restore,
    describe,
    unseal,
)

__all__ = [
    "DamagedExportError",
    "ExportWriteError",
    "KioskBackupError",
    "NotAnExportError",
    "RestoreRefusedError",
    "RestoreReport",
    "Snapshot",
    "Unsealed",
    "WeakPassphraseError",
    "WrongPassphraseError",
    "adopt",
    "check_can_restore",
    "check_passphrase",
    "describe",
    "take_snapshot",
    "unseal",
    "write_export",
]
