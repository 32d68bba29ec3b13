"""Runs the fraud checks in the background of a server process.

Several workers may each run a loop; on Postgres an advisory lock lets one of them work at a
time (the others skip that round), and the flag table's unique key makes a repeat harmless.
"""

from __future__ import annotations

import logging
import threading

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from sync_backend.db import is_postgres
from sync_backend.fraud.service import run_checks
from sync_backend.settings import Settings

log = logging.getLogger(__name__)

FRAUD_LOCK_ID = 0x50494B41  # "PIKA"


def run_once(factory: sessionmaker[Session], settings: Settings) -> int:
    with factory() as session, session.begin():
        if is_postgres(session):
            got = session.execute(
                sa.text("SELECT pg_try_advisory_xact_lock(:id)"), {"id": FRAUD_LOCK_ID}
            ).scalar_one()
            if not got:
                return 0
        return run_checks(session, settings)


class FraudLoop:
    def __init__(self, factory: sessionmaker[Session], settings: Settings) -> None:
        self._factory = factory
        self._settings = settings
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._settings.fraud_interval_s <= 0 or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="fraud-checks", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.wait(self._settings.fraud_interval_s):
            try:
                run_once(self._factory, self._settings)
            except Exception:  # keep checking on the next round; the error is logged
                log.exception("fraud checks failed")
