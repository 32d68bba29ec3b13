"""The kiosk's sync client: enrolment, pushing the outbox, pulling changes, online/offline.

No Qt here. The UI runs :class:`SyncLoop` (its own thread) and reads :class:`SyncStatus`;
every store access goes through the ``run_on_store`` runner it is given.
"""

from app.core.sync.api import SyncApi
from app.core.sync.backoff import Backoff
from app.core.sync.engine import DEFAULT_CLOCK_SKEW_LIMIT_S, SyncEngine, SyncReport
from app.core.sync.enrolment import (
    SERVER_URL_SETTING,
    EnrolmentCode,
    WipeNote,
    apply_enrolment,
    check_can_enrol,
    parse_enrolment_text,
    read_wipe_note,
    wipe_local_data,
)
from app.core.sync.errors import (
    CredentialStoreError,
    DeviceRevokedError,
    EnrolmentRefusedError,
    InvalidEnrolmentCodeError,
    NotAuthorisedError,
    NotEnrolledForSyncError,
    ProtocolError,
    RateLimitedError,
    RequestRefusedError,
    ServerBusyError,
    ServerUnreachableError,
    SyncError,
    TransientSyncError,
)
from app.core.sync.loop import Connection, SyncLoop, SyncStatus
from app.core.sync.outbox import KioskOutcome, SyncOutcome, SyncResult, parse_result
from app.core.sync.pull import PullApplied
from app.core.sync.push import Pusher, PushReport, StoreRunner, run_here

__all__ = [
    "DEFAULT_CLOCK_SKEW_LIMIT_S",
    "SERVER_URL_SETTING",
    "Backoff",
    "Connection",
    "CredentialStoreError",
    "DeviceRevokedError",
    "EnrolmentCode",
    "EnrolmentRefusedError",
    "InvalidEnrolmentCodeError",
    "KioskOutcome",
    "NotAuthorisedError",
    "NotEnrolledForSyncError",
    "ProtocolError",
    "PullApplied",
    "PushReport",
    "Pusher",
    "RateLimitedError",
    "RequestRefusedError",
    "ServerBusyError",
    "ServerUnreachableError",
    "StoreRunner",
    "SyncApi",
    "SyncEngine",
    "SyncError",
    "SyncLoop",
    "SyncOutcome",
    "SyncReport",
    "SyncResult",
    "SyncStatus",
    "TransientSyncError",
    "WipeNote",
    "apply_enrolment",
    "check_can_enrol",
    "parse_enrolment_text",
    "parse_result",
    "read_wipe_note",
    "run_here",
    "wipe_local_data",
]
