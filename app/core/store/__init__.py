"""The kiosk's local encrypted store (SQLCipher through SQLAlchemy, Alembic-migrated).

Import from here: :class:`KioskStore` and its records and errors. No Qt in this package.
"""

from app.core.store.errors import (
    CorruptStoreError,
    DatabaseKeyMissingError,
    InvalidRecordError,
    InvalidVoucherError,
    KeyringUnavailableError,
    PlaintextKeyringRefusedError,
    PublicKeyConflictError,
    SchemaTooNewError,
    StoreBusyError,
    StoreClosedError,
    StoreError,
    StoreFileMissingError,
    StoreIOError,
    UnknownRedemptionError,
    WrongKeyError,
)
from app.core.store.kiosk_store import KioskStore, SettingKey
from app.core.store.records import (
    DiscountKind,
    Offer,
    OutboxItem,
    OutboxKind,
    OutboxState,
    RecordedScan,
    ScanRecord,
    ScanSource,
)

__all__ = [
    "CorruptStoreError",
    "DatabaseKeyMissingError",
    "DiscountKind",
    "InvalidRecordError",
    "InvalidVoucherError",
    "KeyringUnavailableError",
    "KioskStore",
    "Offer",
    "OutboxItem",
    "OutboxKind",
    "OutboxState",
    "PlaintextKeyringRefusedError",
    "PublicKeyConflictError",
    "RecordedScan",
    "ScanRecord",
    "ScanSource",
    "SchemaTooNewError",
    "SettingKey",
    "StoreBusyError",
    "StoreClosedError",
    "StoreError",
    "StoreFileMissingError",
    "StoreIOError",
    "UnknownRedemptionError",
    "WrongKeyError",
]
