"""The steps of a voucher's life that analytics counts, and the business's calendar.

A lifecycle event is a fact, written once: ``source_key`` names what it records, so the
projector may read the same redemption twice (its row comes again when it is voided) and the
admin may repeat a request without counting anything twice. Printed, distributed and expired
events carry a ``quantity`` (copies of one print run and variant); the counter's events are one
scan each.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo


class LifecycleKind(StrEnum):
    PRINTED = "printed"  # a print run's copies of one variant
    DISTRIBUTED = "distributed"  # copies handed out (a book distribution, per variant)
    SCANNED = "scanned"  # one scan at a counter, accepted or refused (``reason`` when refused)
    REDEEMED = "redeemed"  # the scan gave the discount (accepted, or a conflict: it was given)
    VOIDED = "voided"  # a redemption taken back at the counter
    EXPIRED = "expired"  # copies never redeemed, at the offer's ``valid_until``


class PaymentKind(StrEnum):
    PLACEMENT = "placement"  # a fee for a place in a voucher book, charged on one day
    SUBSCRIPTION = "subscription"  # a monthly fee over a span of days


@dataclass(frozen=True)
class LifecycleDraft:
    """An event about to be recorded (``sync_backend.analytics.ledger.record``)."""

    source_key: str
    kind: LifecycleKind
    occurred_at: datetime
    business_id: int
    offer_id: int | None = None
    variant: int | None = None
    device_id: str | None = None
    quantity: int = 1
    reason: str | None = None
    sale_total: int | None = None
    discount: int | None = None


@dataclass(frozen=True)
class BusinessCalendar:
    """Days and hours as the shops live them (Paraguay: America/Asuncion, UTC−3 all year).

    Fixed on each event when it is recorded, so rollups and their rebuild group by plain
    columns on both databases.
    """

    timezone: ZoneInfo

    @classmethod
    def named(cls, name: str) -> BusinessCalendar:
        return cls(ZoneInfo(name))

    def local(self, moment: datetime) -> tuple[date, int]:
        here = moment.astimezone(self.timezone)
        return here.date(), here.hour
