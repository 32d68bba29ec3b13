"""The one way the UI runs work off the GUI thread (as Anki's CollectionOp / QueryOp).

Every call that touches the kiosk store goes through :meth:`Operations.store_op`, which runs it
on the store's single thread: SQLite connections belong to the thread that opened them, and one
writer means no locking surprises. Other slow work (rendering a sheet, reading a video) goes
through :meth:`Operations.background_op` on a separate thread so it never delays a scan.

Callbacks run on the GUI thread. Never touch widgets inside the operation itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal

T = TypeVar("T")
log = logging.getLogger(__name__)


class Operations(QObject):
    """Runs operations on worker threads and hands results back on the GUI thread."""

    _finished = Signal(object, object, object)  # future, on_success, on_failure
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store")
        self._background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="background")
        self._in_flight = 0
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
        self._in_flight += 1
        if self._in_flight == 1:
            self.busy_changed.emit(True)
        future = pool.submit(op)
        future.add_done_callback(lambda f: self._finished.emit(f, on_success, on_failure))
        return future

    def _deliver(self, future: Future[Any], on_success: Any, on_failure: Any) -> None:
        self._in_flight -= 1
        if self._in_flight == 0:
            self.busy_changed.emit(False)
        error = future.exception()
        if error is None:
            if on_success is not None:
                on_success(future.result())
        elif on_failure is not None:
            on_failure(error)
        else:
            log.error("operation failed with no failure handler", exc_info=error)

    def shutdown(self, close_store: Callable[[], None] | None = None) -> None:
        """Finish queued work, close the store on its own thread, stop the threads."""
        if close_store is not None:
            self._store_thread.submit(close_store).result()
        self._background.shutdown(wait=True)
        self._store_thread.shutdown(wait=True)
