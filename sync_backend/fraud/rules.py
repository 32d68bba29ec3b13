"""The fraud rules as pure functions over pushed rows: each returns flags with evidence.

Rules (thresholds in settings):

- ``double_redemption``: a copy redeemed again after its accepted redemption (offline conflict);
- ``invalid_redemption``: a kiosk gave a discount the backend holds invalid (revoked, forged...);
- ``scan_rate``: more than ``fraud_scans_per_minute`` scans by one device within 60 s;
- ``rejected_burst``: ``fraud_rejected_burst`` refused scans by one device within the window;
- ``impossible_travel``: consecutive located events of one device, or of one copy, further
  apart than ``fraud_max_speed_m_s`` allows;
- ``two_businesses``: one copy scanned at kiosks of two different businesses;
- ``clock_skew``: a kiosk clock further off than ``clock_skew_tolerance_s``;
- ``offer_cap``: more accepted redemptions of an offer than its ``cap_total``.
"""

from __future__ import annotations

import itertools
import math
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class ScanRow:
    id: str
    kind: str
    outcome: str
    business_id: int
    device_id: str
    serial: int | None
    offer_id: int | None
    server_reason: str
    kiosk_reason: str
    conflict_with: str | None
    scanned_at: datetime
    received_at: datetime
    clock_skew_s: int | None
    latitude: float | None
    longitude: float | None

    @property
    def refused(self) -> bool:
        return self.kind == "scan" or self.outcome == "rejected"

    @property
    def located(self) -> bool:
        return self.latitude is not None and self.longitude is not None


@dataclass(frozen=True, slots=True)
class FlagDraft:
    rule: str
    dedupe_key: str
    business_id: int | None
    device_id: str | None
    serial: int | None
    evidence: dict[str, Any]


def _brief(row: ScanRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "device_id": row.device_id,
        "serial": row.serial,
        "kind": row.kind,
        "outcome": row.outcome,
        "reason": row.server_reason,
        "scanned_at": row.scanned_at.isoformat(),
        "received_at": row.received_at.isoformat(),
        "location": [row.latitude, row.longitude] if row.located else None,
    }


def per_row_flags(rows: Iterable[ScanRow], clock_tolerance_s: int) -> list[FlagDraft]:
    flags: list[FlagDraft] = []
    for row in rows:
        if row.outcome == "conflict":
            flags.append(
                FlagDraft(
                    "double_redemption",
                    row.id,
                    row.business_id,
                    row.device_id,
                    row.serial,
                    {"redemption": _brief(row), "accepted_redemption_id": row.conflict_with},
                )
            )
        elif row.kind == "redemption" and row.outcome == "rejected":
            flags.append(
                FlagDraft(
                    "invalid_redemption",
                    row.id,
                    row.business_id,
                    row.device_id,
                    row.serial,
                    {"redemption": _brief(row)},
                )
            )
        future_s = (row.scanned_at - row.received_at).total_seconds()
        skew = row.clock_skew_s
        if (skew is not None and abs(skew) > clock_tolerance_s) or future_s > clock_tolerance_s:
            hour = row.received_at.strftime("%Y-%m-%dT%H")
            flags.append(
                FlagDraft(
                    "clock_skew",
                    f"{row.device_id}/{hour}",
                    row.business_id,
                    row.device_id,
                    None,
                    {
                        "clock_skew_s": skew,
                        "scanned_after_receipt_s": round(future_s, 1),
                        "example": _brief(row),
                    },
                )
            )
    return flags


def window_flags(
    rule: str,
    device_rows: Sequence[ScanRow],
    *,
    threshold: int,
    window_s: float,
    new_ids: set[str],
) -> list[FlagDraft]:
    """More than ``threshold`` rows of one device inside any ``window_s``: one flag per burst.

    ``device_rows`` are the device's rows around the new ones, sorted by scan time; only
    windows that end on a new row raise a flag, so old bursts are not flagged again.
    """
    flags: list[FlagDraft] = []
    window: deque[ScanRow] = deque()
    flagged_until: datetime | None = None
    for row in device_rows:
        window.append(row)
        while (row.scanned_at - window[0].scanned_at).total_seconds() > window_s:
            window.popleft()
        if len(window) > threshold and row.id in new_ids:
            if flagged_until is not None and window[0].scanned_at <= flagged_until:
                continue  # same burst, already flagged
            flagged_until = row.scanned_at
            first = window[0]
            flags.append(
                FlagDraft(
                    rule,
                    f"{row.device_id}/{first.id}",
                    row.business_id,
                    row.device_id,
                    None,
                    {
                        "count": len(window),
                        "threshold": threshold,
                        "window_s": window_s,
                        "from": first.scanned_at.isoformat(),
                        "to": row.scanned_at.isoformat(),
                        "ids": [r.id for r in list(window)[:25]],
                    },
                )
            )
    return flags


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine) on a 6371 km sphere."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000 * math.asin(min(1.0, math.sqrt(a)))


def travel_flags(
    subject: str, rows: Sequence[ScanRow], *, max_speed_m_s: float, new_ids: set[str]
) -> list[FlagDraft]:
    """Consecutive located rows (sorted by scan time) moving faster than ``max_speed_m_s``."""
    located = [r for r in rows if r.located]
    flags: list[FlagDraft] = []
    for before, after in itertools.pairwise(located):
        if after.id not in new_ids and before.id not in new_ids:
            continue
        assert before.latitude is not None and before.longitude is not None
        assert after.latitude is not None and after.longitude is not None
        metres = distance_m(before.latitude, before.longitude, after.latitude, after.longitude)
        seconds = (after.scanned_at - before.scanned_at).total_seconds()
        speed = math.inf if seconds <= 0 else metres / seconds
        if metres > 0 and speed > max_speed_m_s:
            flags.append(
                FlagDraft(
                    "impossible_travel",
                    f"{subject}/{before.id}/{after.id}",
                    after.business_id,
                    after.device_id if subject.startswith("device:") else None,
                    after.serial if subject.startswith("serial:") else None,
                    {
                        "subject": subject,
                        "distance_m": round(metres, 1),
                        "seconds": seconds,
                        "speed_m_s": None if math.isinf(speed) else round(speed, 1),
                        "max_speed_m_s": max_speed_m_s,
                        "before": _brief(before),
                        "after": _brief(after),
                    },
                )
            )
    return flags


def business_flags(serial: int, rows: Sequence[ScanRow]) -> list[FlagDraft]:
    businesses = sorted({r.business_id for r in rows})
    if len(businesses) < 2:
        return []
    return [
        FlagDraft(
            "two_businesses",
            f"serial:{serial}/{'-'.join(map(str, businesses))}",
            None,
            None,
            serial,
            {"businesses": businesses, "scans": [_brief(r) for r in rows[:25]]},
        )
    ]
