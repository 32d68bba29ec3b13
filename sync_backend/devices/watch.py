"""Kiosks silent too long and outboxes not draining, per business, for the metrics.

Every process counts them from the devices table every ``fleet_interval_s`` (one small read,
no lock: each process would find the same figures, and the metrics keep the most recent).
A kiosk is *silent* past a threshold when its last pull, or its enrolment if it never
pulled, is older than that; its outbox counts only while it is in contact (pulled within
``IN_CONTACT_S``), because a kiosk out of contact is already counted as silent, and one in
contact with old items waiting is the trouble the outbox alert is for.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from sync_backend.background import PeriodicJob
from sync_backend.models import Business, Device, utcnow
from sync_backend.observability.metrics import (
    KIOSKS_ENROLLED,
    KIOSKS_SILENT,
    OUTBOX_ITEMS,
    OUTBOX_OLDEST_AGE,
)
from sync_backend.settings import Settings

#: The ``over`` labels of ``pika_kiosks_silent``; the alert rules pick one (48h).
SILENT_OVER = {
    "15m": timedelta(minutes=15),
    "1h": timedelta(hours=1),
    "24h": timedelta(hours=24),
    "48h": timedelta(hours=48),
}
IN_CONTACT_S = 15 * 60


def observe_fleet(session: Session, now: datetime) -> dict[int, dict[str, float]]:
    """Set the kiosk and outbox gauges of every business; returns the figures (for tests)."""

    def empty() -> dict[str, float]:
        return {"enrolled": 0, "outbox_items": 0, "outbox_age_s": 0.0} | {
            f"silent_{over}": 0 for over in SILENT_OVER
        }

    figures: dict[int, dict[str, float]] = defaultdict(empty)
    # A business with no kiosk (left) reads zero, not the figure it had.
    for (business_id,) in session.execute(sa.select(Business.id)):
        figures.setdefault(business_id, empty())
    rows = session.execute(
        sa.select(
            Device.business_id,
            Device.created_at,
            Device.last_seen_at,
            Device.outbox_items,
            Device.outbox_oldest_at,
        ).where(Device.revoked_at.is_(None))
    )
    for business_id, created_at, last_seen_at, items, oldest_at in rows:
        row = figures[business_id]
        row["enrolled"] += 1
        heard = last_seen_at or created_at
        for over, limit in SILENT_OVER.items():
            if now - heard > limit:
                row[f"silent_{over}"] += 1
        in_contact = (
            last_seen_at is not None and (now - last_seen_at).total_seconds() <= IN_CONTACT_S
        )
        if in_contact and items:
            row["outbox_items"] += items
            if oldest_at is not None:
                row["outbox_age_s"] = max(row["outbox_age_s"], (now - oldest_at).total_seconds())
    for business_id, row in figures.items():
        business = str(business_id)
        KIOSKS_ENROLLED.labels(business).set(row["enrolled"])
        for over in SILENT_OVER:
            KIOSKS_SILENT.labels(business, over).set(row[f"silent_{over}"])
        OUTBOX_ITEMS.labels(business).set(row["outbox_items"])
        OUTBOX_OLDEST_AGE.labels(business).set(max(row["outbox_age_s"], 0.0))
    return dict(figures)


def fleet_job(factory: sessionmaker[Session], settings: Settings) -> PeriodicJob:
    def run() -> None:
        with factory() as session, session.begin():
            observe_fleet(session, utcnow())

    return PeriodicJob("fleet-watch", settings.fleet_interval_s, run)
