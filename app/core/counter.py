"""The counter: the one path every scan takes after it was read.

decode (done by the caller) → parse + verify → validate → record → outcome. Camera, USB wedge
scanner and manual entry all end here, so a voucher is judged the same way whichever way it
came in. The scan id is made here, at scan time, and stays the redemption's idempotency key.
A redemption is committed at scan time; when the window asks the cashier for the sale total,
its outbox item is held until the prompt settles it (:meth:`Counter.settle_sale_total`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from app.core.device import DeviceIdentity
from app.core.sale_total import (
    SALE_TOTAL_HOLD,
    SaleTotalLimit,
    read_sale_total,
    usable_usual_ticket,
)
from app.core.scanning.decoded import signature_validator
from app.core.scanning.wedge import resolve
from app.core.store.records import ScanSource
from pika_protocol.tokens import ShortCodeError, looks_like_short_code, parse_short_code
from pika_protocol.validation import Reason, Validation, validate

if TYPE_CHECKING:
    from app.core.store import KioskStore, Offer, RecordedScan, SaleTotalAnswer


class Tone(StrEnum):
    """How a result looks and sounds: green, yellow or red at the counter."""

    VALID = "valid"
    WARNING = "warning"
    INVALID = "invalid"


class EntryProblem(StrEnum):
    """Why a typed code was refused before any voucher was judged: the advice differs (a
    mistyped character is not a missing voucher). Stable codes; the UI words them."""

    LENGTH = "length"  # a character missing or one too many
    CHARACTER = "character"  # a character short codes never hold
    CHECK = "check"  # the check character caught a mistyped character
    NOT_FOUND = "not_found"  # a right code, but no voucher of this kiosk has it


def tone_for(reason: Reason) -> Tone:
    """Valid is green; a used voucher is yellow (it was real, show when/where); the rest red."""
    if reason is Reason.VALID:
        return Tone.VALID
    if reason is Reason.ALREADY_REDEEMED:
        return Tone.WARNING
    return Tone.INVALID


@dataclass(frozen=True, slots=True)
class ScanOutcome:
    """What the cashier is shown for one scan, as codes and data (the UI translates)."""

    reason: Reason
    recorded: RecordedScan
    offer: Offer | None
    pending_sync: int
    detail: str = ""
    #: For a typed code refused as malformed: what was wrong with it.
    entry_problem: EntryProblem | None = None

    @property
    def accepted(self) -> bool:
        return self.reason is Reason.VALID

    @property
    def tone(self) -> Tone:
        return tone_for(self.reason)

    @property
    def asks_sale_total(self) -> bool:
        """A redemption whose outbox item waits for the sale total: the window asks for it."""
        return self.recorded.held


def utc_now() -> datetime:
    return datetime.now(UTC)


class Counter:
    """Judges and records scans for one device against its local store.

    Not thread-safe by design: the store has one writer, and the UI runs every call to the
    counter on the store's own thread.
    """

    def __init__(
        self,
        store: KioskStore,
        device: DeviceIdentity,
        clock: Callable[[], datetime] = utc_now,
        *,
        ask_sale_total: bool = False,
    ) -> None:
        self.store = store
        self.device = device
        self._clock = clock
        #: The window asks the cashier for the sale total after a valid scan: each redemption's
        #: outbox item is then held until the prompt settles it (:meth:`settle_sale_total`).
        self.ask_sale_total = ask_sale_total

    def scan(self, text: str, source: ScanSource) -> ScanOutcome:
        """Judge and record token text from a camera or scanner (or a pasted token)."""
        scanned_at = self._clock()
        validation = validate(
            text,
            business_id=self.device.business_id,
            public_keys=self.store.reference.public_keys(),
            revoked_serials=self.store.reference.revoked_serials(),
            find_redemption=self.store.activity.find_redemption,
            now=scanned_at,
        )
        return self._record(validation, text, source, scanned_at)

    def scan_wedge(self, text: str) -> ScanOutcome:
        """A code typed by a USB keyboard-wedge scanner.

        Scanners type through the keyboard layout, which can turn characters into others
        (QWERTZ, AZERTY, Caps Lock). The signature decides: the first layout reading that
        verifies is the voucher; if none does, the text as received is judged (and rejected).
        Text shaped like a short code was typed, however fast (no barcode carries one): it is
        a manual entry.
        """
        if looks_like_short_code(text):
            return self.enter_code(text)
        chosen = resolve(text, signature_validator(self.store.reference.public_keys()))
        return self.scan(chosen if chosen is not None else text, ScanSource.WEDGE)

    def enter_code(self, typed: str) -> ScanOutcome:
        """Manual entry: the printed short code, or a whole token typed or pasted.

        A short code carries no signature; it is trusted only because it maps to a signed token
        in the local voucher cache, which is then judged like a scanned one.
        """
        compact = "".join(typed.split())
        if len(compact) > 20:
            return self.scan(typed, ScanSource.MANUAL)
        try:
            code = parse_short_code(typed)
        except ShortCodeError as exc:
            return self._reject_manual(typed, exc.detail, EntryProblem(exc.code_problem.value))
        token = self.store.reference.token_for_short_code(code)
        if token is None:
            return self._reject_manual(
                typed, f"no voucher with code {code} on this device", EntryProblem.NOT_FOUND
            )
        return self.scan(token, ScanSource.MANUAL)

    def sale_total_limit(self) -> SaleTotalLimit:
        """What a typed total is checked against: the business's usual ticket, as last pulled."""
        ticket = self.store.reference.usual_ticket(self.device.business_id)
        return SaleTotalLimit(usable_usual_ticket(ticket))

    def settle_sale_total(self, redemption_id: uuid.UUID, typed: str) -> SaleTotalAnswer:
        """Close the prompt of a held redemption with what the cashier typed (empty: skipped).

        Raises :class:`~app.core.sale_total.SaleTotalRefused` for a total that cannot be right;
        then nothing changed and the prompt stays open for a corrected figure.
        """
        total = read_sale_total(typed, self.sale_total_limit())
        return self.store.sale_totals.settle(redemption_id, total, at=self._clock())

    def skip_sale_total(self, redemption_id: uuid.UUID) -> SaleTotalAnswer:
        """Close the prompt without a total (Esc, a new scan, the prompt timed out, undo)."""
        return self.store.sale_totals.settle(redemption_id, None, at=self._clock())

    def _reject_manual(self, typed: str, detail: str, problem: EntryProblem) -> ScanOutcome:
        validation = Validation(reason=Reason.MALFORMED, detail=detail)
        outcome = self._record(validation, typed, ScanSource.MANUAL, self._clock())
        return replace(outcome, entry_problem=problem)

    def _record(
        self, validation: Validation, raw_text: str, source: ScanSource, scanned_at: datetime
    ) -> ScanOutcome:
        recorded = self.store.activity.record_scan(
            validation,
            scan_id=uuid.uuid4(),
            scanned_at=scanned_at,
            device_id=self.device.device_id,
            source=source.value,
            raw_text=raw_text,
            hold_for=SALE_TOTAL_HOLD if self.ask_sale_total else None,
        )
        claims = validation.claims
        offer = self.store.reference.offer(claims.offer_id) if claims is not None else None
        return ScanOutcome(
            reason=recorded.reason,
            recorded=recorded,
            offer=offer,
            pending_sync=self.store.outbox.pending_count(),
            detail=validation.detail,
        )
