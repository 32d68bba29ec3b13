"""Work a server process repeats in the background (fraud checks, analytics projection).

Several processes may each run the same job; on Postgres a transaction-scoped advisory lock
lets one of them work at a time (the others skip that round). Each job's writes are
idempotent anyway, so the lock saves work, not correctness.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from sqlalchemy.orm import Session

from sync_backend.dialects import dialect_of

log = logging.getLogger(__name__)


def take_job_lock(session: Session, lock_id: int) -> bool:
    """Whether this transaction may do the job's round (always on SQLite: one process)."""
    return dialect_of(session).try_lock(session, lock_id)


class PeriodicJob:
    """Runs ``work`` every ``interval_s`` seconds on a daemon thread until stopped.

    An exception is logged and the next round tries again: a job that fails once (a database
    restart, a deadlock) must not stop for the life of the process.
    """

    def __init__(self, name: str, interval_s: float, work: Callable[[], object]) -> None:
        self._name = name
        self._interval_s = interval_s
        self._work = work
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._interval_s <= 0 or self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.wait(self._interval_s):
            try:
                self._work()
            except Exception:  # the next round tries again; the error is logged
                log.exception("%s failed", self._name)
