"""The analytics projector's rounds: head office's events, pushed rows and expiries rolled up."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from sync_backend.analytics.lifecycle import BusinessCalendar
from sync_backend.analytics.projector import (
    project_redemptions,
    record_expiries,
    roll_up_head_office_events,
)
from sync_backend.background import PeriodicJob, take_job_lock
from sync_backend.models import utcnow
from sync_backend.settings import Settings

ANALYTICS_LOCK_ID = 0x50494B42  # "PIKB": beside the fraud checks' "PIKA"


def project_round(session: Session, calendar: BusinessCalendar, now: datetime) -> int:
    """Everything not rolled up yet, in the caller's transaction; returns how many events."""
    return (
        roll_up_head_office_events(session)
        + project_redemptions(session, calendar)
        + record_expiries(session, calendar, now)
    )


def run_once(factory: sessionmaker[Session], calendar: BusinessCalendar) -> int:
    """One round; 0 when another process holds the round."""
    with factory() as session, session.begin():
        if not take_job_lock(session, ANALYTICS_LOCK_ID):
            return 0
        return project_round(session, calendar, utcnow())


def analytics_job(factory: sessionmaker[Session], settings: Settings) -> PeriodicJob:
    calendar = BusinessCalendar.named(settings.analytics_timezone)
    return PeriodicJob(
        "analytics-projector", settings.analytics_interval_s, lambda: run_once(factory, calendar)
    )
