"""Group commit: the pushes that queue up while one group is written go together in the next.

Leader/follower, no timer: a push that finds nobody writing becomes the leader and writes the
queue (itself included) as one group; pushes arriving meanwhile wait, and when the leader is
done the first of them to wake leads the next group with everything queued by then. Under light
load every group is one push, with no added wait; under heavy load groups grow by themselves,
and each push costs one share of a transaction instead of a whole one.

A group is capped (``max_jobs`` requests, ``max_items`` items, at least one request) so a
queue of big batches does not turn into one huge transaction. Jobs a group sends off to run
alone are run by their own request threads after it, in parallel, not by the leader.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from typing import Generic, Protocol, TypeVar

from prometheus_client import Histogram

GROUP_SIZE = Histogram(
    "pika_push_group_requests",
    "Push requests written together in one transaction (group commit)",
    buckets=(1, 2, 4, 8, 16, 32, 64),
)


class GroupJob(Protocol):
    """What the committer needs of a job: its size, and a way to settle it.

    A push job (``pipeline.PushJob``) is one; the committer knows nothing else of pushes,
    so the two modules do not import each other.
    """

    settled: threading.Event

    @property
    def items(self) -> int: ...

    def finish(self, *, error: BaseException | None = None) -> None: ...


Job = TypeVar("Job", bound=GroupJob)


class GroupCommitter(Generic[Job]):
    def __init__(
        self,
        run_group: Callable[[list[Job]], None],
        *,
        max_jobs: int = 64,
        max_items: int = 2000,
    ) -> None:
        self._run_group = run_group
        self._max_jobs = max_jobs
        self._max_items = max_items
        self._changed = threading.Condition(threading.Lock())
        self._queue: deque[Job] = deque()
        self._leading = False

    def submit(self, job: Job) -> None:
        """Return once ``job`` is settled: answered, refused, or marked to run alone."""
        with self._changed:
            self._queue.append(job)
        while True:
            with self._changed:
                while self._leading and not job.settled.is_set():
                    self._changed.wait()
                if job.settled.is_set():
                    return
                # Nobody is writing and our job is still queued (only a leader takes jobs,
                # and it settles all it took before it lets go): lead the next group.
                group = self._take()
            try:
                GROUP_SIZE.observe(len(group))
                self._run_group(group)
            finally:
                for other in group:  # a runner that broke must not leave anyone waiting
                    if not other.settled.is_set():
                        other.finish(error=RuntimeError("group push ended without an answer"))
                with self._changed:
                    self._leading = False
                    self._changed.notify_all()

    def _take(self) -> list[Job]:
        """The next group from the queue's head (called with the lock held)."""
        self._leading = True
        group = [self._queue.popleft()]
        items = group[0].items
        while self._queue and len(group) < self._max_jobs:
            if items + self._queue[0].items > self._max_items:
                break
            items += self._queue[0].items
            group.append(self._queue.popleft())
        return group
