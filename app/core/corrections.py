"""Putting a redemption right: the cashier's undo of their last one, the manager's void.

Both end in :meth:`KioskStore.activity.void_redemption`, which keeps the redemption row, marks it
voided and records the void as an event and an outbox item for head office in one
transaction: nothing is ever deleted, and the voucher becomes redeemable again.

The cashier may only undo the redemption they just made: it must be this device's latest
redemption and no older than the undo window. Anything else needs the manager, who may void
any live redemption but must say why.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from app.core.counter import ScanOutcome
from app.core.store import RecordedScan, ScanRecord, UnknownRedemptionError
from pika_protocol.validation import Reason

if TYPE_CHECKING:
    from app.core.device import DeviceIdentity
    from app.core.store import KioskStore

#: The void reason recorded for a cashier's undo (a stable code head office can count).
UNDO_REASON = "cashier-undo"
MAX_REASON_CHARS = 200
DEFAULT_UNDO_WINDOW = timedelta(seconds=60)
#: How many of the latest scans are searched for a later redemption before refusing an undo.
#: Far more than a counter can scan inside any undo window (debounced, one voucher at a time).
UNDO_LOOKBACK_SCANS = 500


class CorrectionKind(StrEnum):
    UNDO = "undo"  # the cashier, within the undo window
    VOID = "void"  # the manager, with a reason


class CorrectionError(Exception):
    """Root of the correction errors; nothing was changed when one is raised."""


class NothingToUndo(CorrectionError):
    """The scan made no redemption here, or it was already undone or voided."""


class UndoWindowClosed(CorrectionError):
    """The undo window has passed: only the manager can void this redemption now."""


class UndoSuperseded(CorrectionError):
    """Another redemption was made since: only the last one can be undone at the counter."""


class InvalidVoidReason(CorrectionError, ValueError):
    """A void needs a reason in words (not blank, at most :data:`MAX_REASON_CHARS`)."""


class NotVoidable(CorrectionError):
    """No live redemption has this id (unknown, or already voided)."""


@dataclass(frozen=True, slots=True)
class Correction:
    """What an undo or a void changed, for the screen to show and refresh from."""

    kind: CorrectionKind
    redemption_id: uuid.UUID
    reason: str
    at: datetime
    #: Outbox items waiting to sync after the correction (the void is one of them).
    pending_sync: int


class RedemptionState(StrEnum):
    LIVE = "live"
    VOIDED = "voided"


@dataclass(frozen=True, slots=True)
class HistoryLine:
    """One line of the manager's scan history: the scan and, for a redemption, whether it
    still stands."""

    record: ScanRecord
    redemption: RedemptionState | None

    @property
    def voidable(self) -> bool:
        return self.redemption is RedemptionState.LIVE


def utc_now() -> datetime:
    return datetime.now(UTC)


class Corrections:
    """Undo and void for one device. Use it where the store may be used (the store thread),
    apart from :meth:`undo_seconds_left`, which reads nothing from the store."""

    def __init__(
        self,
        store: KioskStore,
        device: DeviceIdentity,
        *,
        clock: Callable[[], datetime] = utc_now,
        undo_window: timedelta = DEFAULT_UNDO_WINDOW,
    ) -> None:
        self.store = store
        self.device = device
        self._clock = clock
        self.undo_window = undo_window

    def now(self) -> datetime:
        """The kiosk's clock (what "today" is for the manager's figures)."""
        return self._clock()

    @property
    def undo_window(self) -> timedelta:
        return self._undo_window

    @undo_window.setter
    def undo_window(self, window: timedelta) -> None:
        if window <= timedelta(0):
            raise ValueError(f"the undo window must be positive, got {window}")
        self._undo_window = window

    # -- cashier undo ---------------------------------------------------------------------------

    def undo_seconds_left(self, scan: ScanOutcome | RecordedScan) -> float:
        """Seconds left to undo ``scan`` by the clock alone (0 when it made no redemption
        here). Cheap and store-free, for a countdown; :meth:`undo` checks everything."""
        recorded = _recorded(scan)
        if recorded.redemption_id is None or recorded.device_id != self.device.device_id:
            return 0.0
        left = recorded.scanned_at + self.undo_window - self._clock()
        return max(0.0, left.total_seconds())

    def undo(self, scan: ScanOutcome | RecordedScan) -> Correction:
        """Undo the cashier's last redemption, if it still may be undone.

        Raises :class:`NothingToUndo`, :class:`UndoWindowClosed` or :class:`UndoSuperseded`.
        """
        recorded = _recorded(scan)
        redemption_id = recorded.redemption_id
        if redemption_id is None:
            raise NothingToUndo("this scan did not redeem a voucher")
        if recorded.device_id != self.device.device_id:
            raise NothingToUndo("this redemption was made at another device")
        if self.undo_seconds_left(recorded) <= 0:
            raise UndoWindowClosed(
                f"the {self.undo_window.total_seconds():.0f} s undo window has passed; "
                "ask the manager to void it"
            )
        self._require_latest(recorded)
        return self._void(CorrectionKind.UNDO, redemption_id, UNDO_REASON, NothingToUndo)

    def _require_latest(self, recorded: RecordedScan) -> None:
        for record in self.store.activity.recent_scans(UNDO_LOOKBACK_SCANS):
            if record.scan_id == recorded.scan_id:
                return
            if record.redemption_id is not None and record.device_id == self.device.device_id:
                raise UndoSuperseded(
                    "another voucher was redeemed since; ask the manager to void this one"
                )
        raise UndoSuperseded("too many scans since this one; ask the manager to void it")

    # -- manager void ---------------------------------------------------------------------------

    def void(self, redemption_id: uuid.UUID | str, reason: str) -> Correction:
        """Void any live redemption (manager). Raises :class:`InvalidVoidReason` for a blank
        or overlong reason, :class:`NotVoidable` for an unknown or already voided one."""
        text = reason.strip() if isinstance(reason, str) else ""
        if not text:
            raise InvalidVoidReason("say why this redemption is voided")
        if len(text) > MAX_REASON_CHARS:
            raise InvalidVoidReason(f"keep the reason under {MAX_REASON_CHARS} characters")
        try:
            rid = uuid.UUID(str(redemption_id))
        except ValueError as exc:
            raise NotVoidable(f"{redemption_id!r} is not a redemption id") from exc
        return self._void(CorrectionKind.VOID, rid, text, NotVoidable)

    def _void(
        self,
        kind: CorrectionKind,
        redemption_id: uuid.UUID,
        reason: str,
        missing: type[CorrectionError],
    ) -> Correction:
        at = self._clock()
        try:
            self.store.activity.void_redemption(
                redemption_id, reason=reason, voided_at=at, device_id=self.device.device_id
            )
        except UnknownRedemptionError as exc:
            raise missing(f"redemption {redemption_id} is already undone or voided") from exc
        return Correction(kind, redemption_id, reason, at, self.store.outbox.pending_count())

    # -- what the manager sees ------------------------------------------------------------------

    def history(self, limit: int = 50) -> list[HistoryLine]:
        """The latest scans, newest first, each redemption marked live or voided."""
        lines = []
        for record in self.store.activity.recent_scans(limit):
            state = None
            if record.redemption_id is not None and record.serial is not None:
                live = self.store.activity.find_redemption(record.serial)
                is_live = live is not None and live.redemption_id == str(record.redemption_id)
                state = RedemptionState.LIVE if is_live else RedemptionState.VOIDED
            lines.append(HistoryLine(record, state))
        return lines

    def counts_today(self) -> dict[Reason, int]:
        """Scans per reason since local midnight (the shop's day, not UTC's)."""
        local_now = self._clock().astimezone()
        midnight = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
        return self.store.activity.scan_counts(midnight)


def _recorded(scan: ScanOutcome | RecordedScan) -> RecordedScan:
    return scan.recorded if isinstance(scan, ScanOutcome) else scan
