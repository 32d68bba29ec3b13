"""The group committer's queue discipline, without a database: every job settled once."""

from __future__ import annotations

import threading
import time

import pytest

from pika_protocol import sync_wire
from sync_backend.redemptions.decisions import PushAnswer
from sync_backend.redemptions.group_commit import GroupCommitter
from sync_backend.redemptions.group_push import PushJob


def job(items: int = 1) -> PushJob:
    request = sync_wire.PushRequest.model_construct(items=[object()] * items, sent_at=None)
    return PushJob(None, request, "k", lambda _device, _items: None)


def answer_all(group: list[PushJob]) -> None:
    for j in group:
        j.finish(answer=PushAnswer(200, b"{}", replayed=False, outcomes={}))  # type: ignore[arg-type]


def test_a_lone_push_is_a_group_of_one_and_does_not_wait() -> None:
    groups: list[int] = []

    def run(group: list[PushJob]) -> None:
        groups.append(len(group))
        answer_all(group)

    committer = GroupCommitter(run)
    one = job()
    committer.submit(one)
    assert groups == [1] and one.answer is not None


def test_pushes_arriving_while_a_group_is_written_share_the_next_one() -> None:
    first_running, release_first = threading.Event(), threading.Event()
    groups: list[list[PushJob]] = []

    def run(group: list[PushJob]) -> None:
        groups.append(group)
        if len(groups) == 1:
            first_running.set()
            release_first.wait(5)
        answer_all(group)

    committer = GroupCommitter(run)
    jobs = [job() for _ in range(9)]
    threads = [threading.Thread(target=committer.submit, args=(jobs[0],))]
    threads[0].start()
    assert first_running.wait(5)
    for j in jobs[1:]:  # these queue up behind the group being written
        threads.append(threading.Thread(target=committer.submit, args=(j,)))
        threads[-1].start()
    deadline = time.monotonic() + 5
    while len(committer._queue) < 8:  # all eight are waiting in the queue
        assert time.monotonic() < deadline
        time.sleep(0.001)
    release_first.set()
    for t in threads:
        t.join(5)
    assert [len(g) for g in groups] == [1, 8]
    assert all(j.answer is not None for j in jobs)


@pytest.mark.parametrize(
    ("max_jobs", "max_items", "sizes", "expected"),
    [
        (3, 1000, [1] * 7, [3, 3, 1]),
        (64, 10, [4, 4, 4, 20, 1], [2, 1, 1, 1]),  # a job over the cap still goes, alone
    ],
)
def test_groups_respect_their_caps(max_jobs, max_items, sizes, expected) -> None:  # type: ignore[no-untyped-def]
    committer = GroupCommitter(answer_all, max_jobs=max_jobs, max_items=max_items)
    committer._queue.extend(job(n) for n in sizes)
    groups = []
    while committer._queue:
        groups.append(len(committer._take()))
    assert groups == expected


def test_a_runner_that_breaks_leaves_nobody_waiting() -> None:
    def run(group: list[PushJob]) -> None:
        raise RuntimeError("bug")

    committer = GroupCommitter(run)
    broken = job()
    with pytest.raises(RuntimeError):
        committer.submit(broken)
    assert isinstance(broken.error, RuntimeError)
    # The committer is free again: the next push leads a group of its own.
    committer._run_group = answer_all
    nxt = job()
    committer.submit(nxt)
    assert nxt.answer is not None


def test_many_threads_every_job_settled_exactly_once() -> None:
    seen: list[PushJob] = []
    lock = threading.Lock()

    def run(group: list[PushJob]) -> None:
        with lock:
            seen.extend(group)
        time.sleep(0.001)
        answer_all(group)

    committer = GroupCommitter(run, max_jobs=5)
    jobs = [job() for _ in range(200)]
    threads = [threading.Thread(target=committer.submit, args=(j,)) for j in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert len(seen) == len(jobs) and set(map(id, seen)) == set(map(id, jobs))
    assert all(j.answer is not None for j in jobs)
