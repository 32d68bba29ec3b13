"""The one way the UI runs work off the GUI thread (as Anki's CollectionOp / QueryOp).

Every call that touches the kiosk store goes through :meth:`Operations.store_op`, which runs it
on the store's single thread: SQLite connections belong to the thread that opened them, and one
writer means no locking surprises. Other slow work (rendering a sheet, reading a video) goes
through :meth:`Operations.background_op` on a separate thread so it never delays a scan.

Callbacks run on the GUI thread. Never touch widgets inside the operation itself.

Worker threads never own what the GUI handed them. An operation and its callbacks usually hold
widgets (``lambda: self.counter.scan(...)``, ``self.show_outcome``); a worker that dropped the
last reference to one would finalise a Qt object off the GUI thread (see ``app/ui/gui_gc.py``).
So the GUI thread keeps every job until it is delivered, a worker releases its own references
before it signals, and the signal carries only the job's number. For the same reason the first
Operations switches Python's cyclic collector over to the GUI thread.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal

from app.ui.gui_gc import collect_on_gui_thread

T = TypeVar("T")
log = logging.getLogger(__name__)


@dataclass
class _Job:
    """What the GUI thread keeps of one operation until its result is delivered."""

    op: Callable[[], Any]
    future: Future[Any]
    on_success: Callable[[Any], None] | None
    on_failure: Callable[[BaseException], None] | None


class Operations(QObject):
    """Runs operations on worker threads and hands results back on the GUI thread."""

    _finished = Signal(int)  # job number; the job itself stays with the GUI thread
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        collect_on_gui_thread()
        self._store_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store")
        self._background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="background")
        self._jobs: dict[int, _Job] = {}
        self._stopped = False
        self._numbers = itertools.count()
        # Emitted from worker threads; Qt queues the call onto this object's (GUI) thread.
        self._finished.connect(self._deliver)

    def store_op(
        self,
        op: Callable[[], T],
        on_success: Callable[[T], None] | None = None,
        on_failure: Callable[[BaseException], None] | None = None,
    ) -> Future[T]:
        """Run ``op`` on the store thread (the only thread that may use the store)."""
        return self._submit(self._store_thread, op, on_success, on_failure)

    def store_call(self, op: Callable[[], T]) -> T:
        """Run ``op`` on the store thread and wait for its result.

        For worker threads that are not the GUI thread (the sync thread): no callbacks, no busy
        signal, nothing touched on this object. Never call it from the GUI thread.
        """
        return self._store_thread.submit(op).result()

    def background_op(
        self,
        op: Callable[[], T],
        on_success: Callable[[T], None] | None = None,
        on_failure: Callable[[BaseException], None] | None = None,
    ) -> Future[T]:
        """Run slow work that does not touch the store (rendering, file I/O)."""
        return self._submit(self._background, op, on_success, on_failure)

    def _submit(
        self,
        pool: ThreadPoolExecutor,
        op: Callable[[], T],
        on_success: Callable[[T], None] | None,
        on_failure: Callable[[BaseException], None] | None,
    ) -> Future[T]:
        future: Future[T] = Future()
        number = next(self._numbers)
        self._jobs[number] = _Job(op, future, on_success, on_failure)
        if len(self._jobs) == 1:
            self.busy_changed.emit(True)
        pool.submit(self._run, number)
        return future

    def _run(self, number: int) -> None:
        """On a worker thread: run the job, then let go of it before telling the GUI thread."""
        job = self._jobs[number]
        op, future = job.op, job.future
        del job
        if future.set_running_or_notify_cancel():
            try:
                future.set_result(op())
            except BaseException as exc:
                future.set_exception(exc)
        del op, future
        self._finished.emit(number)

    def _deliver(self, number: int) -> None:
        job = self._jobs.pop(number)
        if not self._jobs:
            self.busy_changed.emit(False)
        if job.future.cancelled():
            return
        error = job.future.exception()
        if error is None:
            if job.on_success is not None:
                job.on_success(job.future.result())
        elif job.on_failure is not None:
            job.on_failure(error)
        else:
            log.error("operation failed with no failure handler", exc_info=error)

    @property
    def stopped(self) -> bool:
        """Whether :meth:`shutdown` ran: no more work is taken (a timer must not ask for any)."""
        return self._stopped

    def shutdown(self, close_store: Callable[[], None] | None = None) -> None:
        """Finish queued work, close the store on its own thread, stop the threads."""
        self._stopped = True
        if close_store is not None:
            self._store_thread.submit(close_store).result()
        self._background.shutdown(wait=True)
        self._store_thread.shutdown(wait=True)
