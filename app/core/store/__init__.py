"""The kiosk's local encrypted store (SQLCipher through SQLAlchemy, Alembic-migrated).

Import from here: :func:`open_kiosk_store` (key from the OS keyring, then the store),
:class:`KioskStore` and its records and errors. No Qt in this package.
"""

from app.core.store.database_key import (
    DatabaseKey,
    OpenedStore,
    forget_database_key,
    load_database_key,
    open_kiosk_store,
)
from app.core.store.errors import (
    CorruptStoreError,
    DatabaseKeyMissingError,
    InvalidRecordError,
    InvalidVoucherError,
    KeyringProblem,
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
    RemoteRedemption,
    ScanRecord,
    ScanSource,
)

__all__ = [
    "CorruptStoreError",
    "DatabaseKey",
    "DatabaseKeyMissingError",
    "DiscountKind",
    "InvalidRecordError",
    "InvalidVoucherError",
    "KeyringProblem",
    "KeyringUnavailableError",
    "KioskStore",
    "Offer",
    "OpenedStore",
    "OutboxItem",
    "OutboxKind",
    "OutboxState",
    "PlaintextKeyringRefusedError",
    "PublicKeyConflictError",
    "RecordedScan",
    "RemoteRedemption",
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
    "forget_database_key",
    "load_database_key",
    "open_kiosk_store",
]
