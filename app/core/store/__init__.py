"""The kiosk's local encrypted store (SQLCipher through SQLAlchemy, Alembic-migrated).

Import from here: :func:`open_kiosk_store` (key from the OS keyring, then the store),
:class:`KioskStore` (its rooms: ``store.settings``, ``store.reference``, ``store.activity``,
``store.outbox``), its records, the outbox payload types and the errors. No Qt in this package.
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
from app.core.store.kiosk_store import KioskStore
from app.core.store.outbox_payload import (
    OutboxPayload,
    QueuedScan,
    QueuedVoid,
    ScanEvidence,
    Unsendable,
)
from app.core.store.records import (
    CounterRow,
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
from app.core.store.sale_totals import SaleTotalAnswer
from app.core.store.settings import SettingKey

__all__ = [
    "CorruptStoreError",
    "CounterRow",
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
    "OutboxPayload",
    "OutboxState",
    "PlaintextKeyringRefusedError",
    "PublicKeyConflictError",
    "QueuedScan",
    "QueuedVoid",
    "RecordedScan",
    "RemoteRedemption",
    "SaleTotalAnswer",
    "ScanEvidence",
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
    "Unsendable",
    "WrongKeyError",
    "forget_database_key",
    "load_database_key",
    "open_kiosk_store",
]
