"""Runs the fraud checks in the background of a server process.

Several workers may each run a loop; on Postgres an advisory lock lets one of them work at a
time (the others skip that round), and the flag table's unique key makes a repeat harmless.
"""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from sync_backend.background import PeriodicJob, take_job_lock
from sync_backend.fraud.service import run_checks
from sync_backend.settings import Settings

FRAUD_LOCK_ID = 0x50494B41  # "PIKA"


def run_once(factory: sessionmaker[Session], settings: Settings) -> int:
    with factory() as session, session.begin():
        if not take_job_lock(session, FRAUD_LOCK_ID):
            return 0
        return run_checks(session, settings)


def fraud_job(factory: sessionmaker[Session], settings: Settings) -> PeriodicJob:
    return PeriodicJob(
        "fraud-checks", settings.fraud_interval_s, lambda: run_once(factory, settings)
    )
