"""Is the database answering? Probed in the background, answered from memory (issue 12).

Readiness must turn red within about two seconds of the database hanging, and must answer
even then, so it never queries the database itself: :class:`DatabaseProbe` asks every
``db_probe_interval_s`` on a connection of its own, in a thread of its own (not the worker
thread pool that requests may have filled), and counts a probe that takes longer than
``db_probe_timeout_s`` as a failure. While the last probe failed, requests that need the
database are answered 503 at once (:func:`gate_engine`, :class:`DatabaseGate`) instead of
each waiting out the timeouts of ``db_bounds``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sync_backend.migrate import current_revision, head_revision
from sync_backend.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ProbeResult:
    database: bool
    migrations: bool
    #: ``time.monotonic()`` of the probe; None before the first one.
    at: float | None
    error: str = ""


NOT_PROBED = ProbeResult(database=False, migrations=False, at=None, error="not probed yet")


class DatabaseProbe:
    def __init__(self, settings: Settings) -> None:
        from sync_backend.db import make_engine

        self.interval_s = settings.db_probe_interval_s
        self.timeout_s = settings.db_probe_timeout_s
        self.retry_after_s = settings.db_retry_after_s
        # One connection, waits bounded by the probe's own timeout.
        probe_settings = settings.model_copy(
            update={"db_pool_size": 1, "db_max_overflow": 0, "db_pool_timeout_s": self.timeout_s}
        )
        self._engine: Engine = make_engine(probe_settings, statement_timeout_s=self.timeout_s)
        self._executor: ThreadPoolExecutor | None = None
        self._head = head_revision()
        self._running: asyncio.Future[str | None] | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._on_recovery: list[Callable[[], None]] = []
        self.result = NOT_PROBED

    def when_recovered(self, action: Callable[[], None]) -> None:
        """Run ``action`` each time the database answers again after the probe saw it down
        (``create_app``: drop the request pool, whose connections died with the database)."""
        self._on_recovery.append(action)

    @property
    def database_down(self) -> bool:
        """The last probe failed. Before the first probe: not down (nothing is known)."""
        return self.result.at is not None and not self.result.database

    def refuse_if_down(self) -> None:
        """Raise 503 ``database_unavailable`` while the last probe failed."""
        if self.database_down:
            from sync_backend.errors import DatabaseUnavailable

            raise DatabaseUnavailable.now(self.retry_after_s)

    async def start(self) -> None:
        """Probe once (so readiness is known when serving starts), then keep probing."""
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="db-probe")
        self._running = None
        self._stopping = False
        await self.probe()
        self._task = asyncio.create_task(self._loop(), name="database-probe")

    async def stop(self) -> None:
        self._stopping = True  # the loop ends at its next turn even if a cancel is lost
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
        self._engine.dispose()

    async def _loop(self) -> None:
        while not self._stopping:
            await asyncio.sleep(self.interval_s)
            try:
                await self.probe()
            except Exception:  # never let the probe loop die: readiness would freeze
                log.exception("database probe failed unexpectedly")

    async def probe(self) -> ProbeResult:
        if self._running is not None and not self._running.done():
            # The previous probe is still waiting for the database: it is not answering.
            return self._record(False, False, "the previous probe is still waiting")
        assert self._executor is not None, "probe() before start()"
        running = asyncio.get_running_loop().run_in_executor(self._executor, self._query)
        running.add_done_callback(_consume)
        self._running = running
        try:
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow a cancel that
            # lands as the probe answers, and stop() then waited for ever (a CI run hung so).
            async with asyncio.timeout(self.timeout_s):
                revision = await asyncio.shield(running)
        except TimeoutError:
            return self._record(False, False, f"no answer within {self.timeout_s:g} s")
        except Exception as exc:
            return self._record(False, False, f"{type(exc).__name__}: {exc}"[:300])
        return self._record(True, revision == self._head, "")

    def _query(self) -> str | None:
        with self._engine.connect() as conn:
            return current_revision(conn)

    def _record(self, database: bool, migrations: bool, error: str) -> ProbeResult:
        was_down = self.database_down
        self.result = ProbeResult(database, migrations, time.monotonic(), error)
        if self.database_down != was_down:
            if self.database_down:
                log.warning("database not answering: %s", error)
            else:
                log.warning("database answering again")
                for action in self._on_recovery:
                    try:
                        action()
                    except Exception:  # a failing action must not stop the probe
                        log.exception("after the database came back")
        return self.result


def _consume(future: asyncio.Future[Any]) -> None:
    """Retrieve a late probe's outcome, so asyncio does not log it as never retrieved."""
    if not future.cancelled():
        future.exception()


def gate_engine(engine: Engine, probe: DatabaseProbe) -> None:
    """Refuse pool checkouts while the probe says the database is down (new connections are
    refused by ``make_engine(before_connect=probe.refuse_if_down)``): work already queued for
    a worker thread then fails at once instead of waiting out a timeout of its own."""

    def refuse(*_args: Any) -> None:
        probe.refuse_if_down()

    sa.event.listen(engine, "checkout", refuse)
