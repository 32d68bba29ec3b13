"""What can go wrong while syncing, as one family of typed errors (root: :class:`SyncError`).

The split that matters is *transient* versus *final*. A transient error (the network, a 5xx,
429, a key still in flight) keeps every outbox item for the next try; only a final answer from
the server ends an item. The sync loop turns each of these into a state the kiosk shows
(offline, revoked, must enrol again); none of them is ever shown as a traceback.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


class SyncError(Exception):
    """Root of every error raised by :mod:`app.core.sync`."""


class TransientSyncError(SyncError):
    """No final answer this time; try again later. Items stay in the outbox."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        #: Seconds the server asked us to wait (``Retry-After``), if it said.
        self.retry_after = retry_after


class ServerUnreachableError(TransientSyncError):
    """No answer at all: refused or dropped connection, timeout, a response cut short."""


class ServerBusyError(TransientSyncError):
    """The server answered but could not take the request now (5xx, 429, 409 in flight)."""

    def __init__(self, status: int, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(f"server answered {status}: {message}", retry_after=retry_after)
        self.status = status


class RateLimitedError(ServerBusyError):
    """429: head office takes nothing more for now (the business is over its tier, or this
    device over its own sync budget). Not "offline": the server answered, and says when to
    come back (``retry_after``) and how many units were still free (``remaining``), so the
    kiosk can send a batch that fits then. ``bucket`` names the budget (``items``, ``sync``);
    both are None when the 429 is not the backend's own (a proxy's)."""

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        remaining: int | None = None,
        bucket: str | None = None,
    ) -> None:
        super().__init__(429, message, retry_after=retry_after)
        self.remaining = remaining
        self.bucket = bucket


class ProtocolError(TransientSyncError):
    """A success status whose body is not what the wire promises (a proxy page, a cut body).

    Treated as transient: nothing is ended on an answer the kiosk cannot read.
    """


class RequestRefusedError(SyncError):
    """A 4xx answer: this request will never succeed as it is.

    ``code`` is the backend's stable machine code, ``problems`` its per-field list (for a push,
    locations such as ``["items", 3, "token"]`` name the item at fault).
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        problems: Sequence[Mapping[str, Any]] = (),
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(f"server refused the request ({status} {code}): {message}")
        self.status = status
        self.code = code
        self.server_message = message
        self.problems = list(problems)
        self.extra = dict(extra or {})


class NotAuthorisedError(RequestRefusedError):
    """401: the device's API key is unknown or was rotated out. The kiosk must enrol again."""


class DeviceRevokedError(RequestRefusedError):
    """403 ``device_revoked``: head office revoked this kiosk; its local data must be wiped."""


class EnrolmentRefusedError(SyncError):
    """The enrolment code was refused (unknown, used, expired, mistyped) or cannot be used here."""


class InvalidEnrolmentCodeError(EnrolmentRefusedError, ValueError):
    """The scanned or typed text is not an enrolment code at all (checked before any network)."""


class NotEnrolledForSyncError(SyncError):
    """Sync was asked for, but this kiosk has no server address or no device API key."""


class CredentialStoreError(SyncError):
    """The OS keyring could not keep or give back the device API key."""
