"""Pushing the outbox: batches under stable keys, final answers, 429 holds, items at fault.

:class:`Pusher` is the push half of a sync pass (:class:`app.core.sync.engine.SyncEngine` runs
it before pulling). Like the engine, it does the network work on the calling thread, hands
every store access to ``run_on_store``, never sleeps and never retries by itself.

The outbox rules (README "Kiosk sync"):

* items leave the queue only on a final answer: a per-item result, or a 4xx that names the item
  (a whole-batch 4xx is split until each refused item is found; the others still go through);
* a 4xx that does not come from the backend (no backend error body: a proxy, a wrong address)
  is not an answer, it is treated as transient, so a misconfigured network never ends items;
* the same batch always travels under the same Idempotency-Key (see :func:`batch_key`); a
  split batch is another body, so it gets its own key (the server deduplicates items by id);
* one item the server cannot take (it answers 5xx to any request that carries it) never holds
  back the items behind it: a batch that fails with such a 5xx a second time is split in
  halves until the item at fault is found (it fails alone twice in a row, so a blip does not
  count), and that item is *set aside* (kept pending in the store, out of the push queue,
  shown to the manager and counted) once a later request in the same pass, carrying other
  items, was answered: proof that the server answers others. A
  server failing for everyone (no answer, 503, a Retry-After, or every request 5xx) never
  sets anything aside; the pass just fails and the loop backs off. A set-aside item is tried
  again alone, never inside a batch, once a day (:data:`SET_ASIDE_RETRY_AFTER`) and when the
  manager asks (:meth:`Pusher.retry_set_aside`).

What the backend says about pacing, the pusher keeps and obeys:

* a push answered 429 (the business is over its tier) is not a failure and not "offline": the
  items stay queued, pushes are held until the Retry-After (:attr:`Pusher.push_held_until`,
  the counter keeps redeeming meanwhile), and the first batch after the hold holds at most the
  ``remaining + 1`` units the refusal left free (the server's Retry-After is when its oldest
  unit leaves the window), so it fits instead of being refused again; pulls go on meanwhile.
  A refusal that leaves some units free (``remaining`` > 0) is answered at once with a batch
  of that many.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections import Counter, deque
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Protocol, TypeVar

from app.core.store import KioskStore
from app.core.sync.api import SyncApi
from app.core.sync.errors import (
    DeviceRevokedError,
    NotAuthorisedError,
    ProtocolError,
    RateLimitedError,
    RequestRefusedError,
    ServerBusyError,
    TransientSyncError,
)
from app.core.sync.outbox import (
    ItemNotSendable,
    batch_key,
    parse_result,
    refused_text,
    result_text,
    unsendable_text,
    wire_item,
)
from pika_protocol import sync_wire

log = logging.getLogger(__name__)
T = TypeVar("T")

DEFAULT_BATCH_SIZE = 250
#: The longest push hold a 429 can ask for (a broken proxy must not park the outbox for a day),
#: and the hold when a 429 names no Retry-After.
MAX_PUSH_HOLD_S = 3600.0
DEFAULT_PUSH_HOLD_S = 60.0
#: A set-aside item is tried again alone this long after it was set aside (or failed its
#: latest try alone); sooner when the manager asks. A day: a fixed server takes it within a day
#: unattended, and a still-broken one costs one small request a day per item.
SET_ASIDE_RETRY_AFTER = timedelta(days=1)
#: Item ids remembered as "was in a batch that failed with a 5xx" (an answer forgets them).
MAX_REMEMBERED_FAILURES = 10_000
#: Items sent alone to see whether the server answers anyone, once narrowing met a long run
#: of failures (see ``Pusher._send_narrowing``).
PROBES = 2

Wire = sync_wire.OutboxItem | sync_wire.VoidItem


def item_may_be_at_fault(exc: BaseException) -> bool:
    """Whether a failed push may be the fault of something in its body: a 5xx other than 503,
    with no Retry-After. A 503 or a Retry-After is the server saying it is busy or down for
    everyone; no answer at all (the network) says nothing about the items either."""
    return (
        isinstance(exc, ServerBusyError)
        and not isinstance(exc, RateLimitedError)
        and 500 <= exc.status <= 599
        and exc.status != 503
        and exc.retry_after is None
    )


@dataclass(slots=True)
class _Suspects:
    """Items of one push pass that failed alone with a 5xx, waiting for proof that the server
    answers other items (then they are set aside) or for the pass to end (then they stay)."""

    problems: dict[uuid.UUID, str] = field(default_factory=dict)
    error: ServerBusyError | None = None

    def add(self, item_id: uuid.UUID, exc: ServerBusyError) -> None:
        self.problems[item_id] = str(exc)
        self.error = exc


class StoreRunner(Protocol):
    """Runs one store operation on the store's thread and returns its result."""

    def __call__(self, op: Callable[[], T], /) -> T: ...


def run_here(op: Callable[[], T], /) -> T:
    """The store runner of scripts and tests: the caller's thread is the store's thread."""
    return op()


@dataclass(slots=True)
class PushReport:
    batches: int = 0
    sent: int = 0
    #: Final answers per outcome (accepted, conflict, recorded, refused, unsendable, ...).
    outcomes: Counter[str] = field(default_factory=Counter)
    #: Set when head office asked to wait (429): nothing more is pushed before then; the
    #: items stay queued.
    held_until: datetime | None = None
    #: Pushes answered 429 in this pass.
    refused_429: int = 0
    #: Items set aside in this pass (the server fails on each of them alone).
    set_aside: int = 0
    #: Set-aside items tried again alone in this pass, and how many of those got an answer.
    retried: int = 0
    retried_answered: int = 0

    @property
    def answered(self) -> int:
        return sum(self.outcomes.values())


class Pusher:
    """Drains the outbox of one kiosk to head office. Not thread-safe: one sync thread calls
    it (except :meth:`retry_set_aside`)."""

    def __init__(
        self,
        store: KioskStore,
        api: SyncApi,
        *,
        run_on_store: StoreRunner = run_here,
        batch_size: int = DEFAULT_BATCH_SIZE,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store = store
        self.api = api
        self.run_on_store = run_on_store
        self.batch_size = max(1, batch_size)
        self.clock = clock
        #: No push before this (a 429's Retry-After).
        self.push_held_until: datetime | None = None
        #: At most this many items in the next batch (what the latest 429 left free, plus one).
        self._push_allowance: int | None = None
        #: Ids of items that were in a batch answered with an item-caused 5xx (see push).
        self._failed_5xx: set[uuid.UUID] = set()
        #: The manager asked to try the set-aside items again (any thread may set it).
        self._retry_requested = threading.Event()

    def retry_set_aside(self) -> None:
        """Try every set-aside item again (alone) in the next pass: the manager's button.
        Thread-safe; the request stands until a pass got through them all."""
        self._retry_requested.set()

    # -- push -----------------------------------------------------------------------------------

    def push(self) -> PushReport:
        """Drain the outbox until it is empty, head office asks to wait (429: the report says
        until when) or a transient error is raised."""
        report = PushReport()
        if self.push_held_until is not None:
            if self.clock() < self.push_held_until:
                report.held_until = self.push_held_until
                return report
            self.push_held_until = None
        suspects = _Suspects()
        started = self.clock()
        tried: set[uuid.UUID] = set()  # set-aside items tried alone in this pass
        while True:
            batch = self._next_batch(report, excluding=suspects.problems)
            alone = not batch
            if alone:
                batch = self._next_retry(report, started, tried)
                if not batch:
                    self._retry_requested.clear()
                    break
            try:
                if alone:
                    self._retry_alone(batch[0], report)
                else:
                    self._send_narrowing(batch, report, suspects)
            except RateLimitedError as exc:
                report.refused_429 += 1
                if exc.remaining and exc.remaining < len(batch) and report.refused_429 == 1:
                    # Room for that many right now (a backlog after a day offline): send them
                    # at once rather than wait for the Retry-After.
                    self._push_allowance = exc.remaining
                    continue
                wait = DEFAULT_PUSH_HOLD_S if exc.retry_after is None else exc.retry_after
                self.push_held_until = self.clock() + timedelta(seconds=min(wait, MAX_PUSH_HOLD_S))
                self._push_allowance = None if exc.remaining is None else exc.remaining + 1
                log.info("head office asked to wait: pushes held until %s", self.push_held_until)
                report.held_until = self.push_held_until
                return report
        if suspects.error is not None:
            # Failed alone, and nothing answered after it: it may be the server, not the item.
            # It stays in the queue; the loop backs off and the next pass judges it again.
            raise suspects.error
        return report

    def _send_narrowing(
        self, batch: Sequence[Wire], report: PushReport, suspects: _Suspects
    ) -> None:
        """Send one batch; when it fails with a 5xx an item may have caused, and its items
        failed that way before (a first failure may be a blip: the loop backs off), split it
        in halves, depth first, until each single item at fault is found: one that fails
        alone twice in a row is a suspect (``suspects``).

        Bounded against a server that fails everything: after ``2 * log2(len) + 4`` such
        failures with no answer between them, up to :data:`PROBES` items from the far end of
        what is left are sent alone; if none is answered it gives up (raises) and sets nothing
        aside. An answered probe shows the server answers others (many hostile items side by
        side at the head of the queue), and the narrowing goes on."""
        groups: deque[list[Wire]] = deque([list(batch)])
        whole = True
        in_a_row = 0
        limit = 2 * len(batch).bit_length() + 4
        failed_alone: set[uuid.UUID] = set()
        while groups:
            group = groups.popleft()
            ids = [item.id for item in group]
            try:
                self._send(group, report)
            except ServerBusyError as exc:
                if not item_may_be_at_fault(exc):
                    raise
                failed_before = not self._failed_5xx.isdisjoint(ids)
                self._remember_failed(ids)
                in_a_row += 1
                if whole and not failed_before:
                    raise
                whole = False
                if len(group) == 1 and group[0].id not in failed_alone:
                    failed_alone.add(group[0].id)  # once more, alone: a blip fails once
                    groups.appendleft(group)
                elif len(group) == 1:
                    suspects.add(group[0].id, exc)
                else:
                    middle = len(group) // 2
                    groups.extendleft([group[middle:], group[:middle]])
                if in_a_row > limit:
                    if not self._probe(groups, report):
                        raise
                    in_a_row = 0
                    self._set_aside(suspects, report)
                continue
            whole = False
            in_a_row = 0
            self._failed_5xx.difference_update(ids)
            self._set_aside(suspects, report)

    def _probe(self, groups: deque[list[Wire]], report: PushReport) -> bool:
        """Send up to :data:`PROBES` items alone, each the last of what is left: whether one
        was answered. A probe that fails goes back, alone, to be judged like any item."""
        for _ in range(PROBES):
            while groups and not groups[-1]:
                groups.pop()
            if not groups:
                return False
            item = groups[-1].pop()
            try:
                self._send([item], report)
            except ServerBusyError as exc:
                if not item_may_be_at_fault(exc):
                    raise
                self._remember_failed([item.id])
                groups.append([item])
                continue
            self._failed_5xx.discard(item.id)
            return True
        return False

    def _remember_failed(self, ids: Sequence[uuid.UUID]) -> None:
        if len(self._failed_5xx) > MAX_REMEMBERED_FAILURES:
            self._failed_5xx.clear()
        self._failed_5xx.update(ids)

    def _set_aside(self, suspects: _Suspects, report: PushReport) -> None:
        """The server just answered other items: each suspect is at fault, set it aside."""
        if not suspects.problems:
            return
        problems = dict(suspects.problems)
        suspects.problems.clear()
        suspects.error = None
        at = self.clock()

        def keep() -> None:
            self.store.outbox.set_aside(problems, at=at)
            for item_id, problem in problems.items():
                event = {"item_id": str(item_id), "problem": problem[:200]}
                self.store.activity.record_event("sync.item_set_aside", event, at=at)

        self.run_on_store(keep)
        self._failed_5xx.difference_update(problems)
        report.set_aside += len(problems)
        for item_id, problem in problems.items():
            log.warning("outbox item %s set aside: the server fails on it (%s)", item_id, problem)

    def _next_retry(
        self, report: PushReport, started: datetime, tried: set[uuid.UUID]
    ) -> list[Wire]:
        """One set-aside item due for its try alone (a day after it was set aside, or any of
        them when the manager asked) and not ``tried`` in this pass yet, or nothing."""
        cutoff = started if self._retry_requested.is_set() else started - SET_ASIDE_RETRY_AFTER
        while True:
            due = self.run_on_store(
                partial(self.store.outbox.set_aside_items, 1, set_aside_by=cutoff, excluding=tried)
            )
            if not due:
                return []
            item = due[0]
            tried.add(item.item_id)
            try:
                return [wire_item(item)]
            except ItemNotSendable as exc:
                text = unsendable_text(str(exc))
                self.run_on_store(partial(self.store.outbox.mark_answered, {item.item_id: text}))
                report.outcomes["unsendable"] += 1

    def _retry_alone(self, item: Wire, report: PushReport) -> None:
        """Try one set-aside item alone: an answer ends it (like any item); another 5xx it may
        have caused sets it aside again from now; a server down for everyone raises."""
        report.retried += 1
        before = report.answered
        try:
            self._send([item], report)
        except ServerBusyError as exc:
            if not item_may_be_at_fault(exc):
                raise
            at = self.clock()
            problem = {item.id: str(exc)}
            self.run_on_store(partial(self.store.outbox.set_aside, problem, at=at))
            log.warning("set-aside outbox item %s still fails alone: %s", item.id, exc)
            return
        report.retried_answered += report.answered - before

    def _next_batch(
        self, report: PushReport, *, excluding: Collection[uuid.UUID] = ()
    ) -> list[Wire]:
        while True:
            size = min(self.batch_size, self._push_allowance or self.batch_size)
            candidates = self.run_on_store(
                partial(self.store.outbox.pending, size, excluding=list(excluding))
            )
            wire: list[sync_wire.OutboxItem | sync_wire.VoidItem] = []
            broken: dict[uuid.UUID, str] = {}
            for item in candidates:
                try:
                    wire.append(wire_item(item))
                except ItemNotSendable as exc:
                    log.error("outbox item cannot be sent and is set aside: %s", exc)
                    broken[item.item_id] = unsendable_text(str(exc))
            if broken:
                self.run_on_store(partial(self.store.outbox.mark_answered, broken))
                report.outcomes["unsendable"] += len(broken)
            if wire or not broken:
                return wire

    def _send(
        self,
        items: Sequence[sync_wire.OutboxItem | sync_wire.VoidItem],
        report: PushReport,
        *,
        salt: str = "",
    ) -> None:
        ids = [item.id for item in items]
        request = sync_wire.PushRequest(sent_at=self.clock(), items=list(items))
        report.batches += 1
        report.sent += len(items)
        try:
            response = self.api.push(request, batch_key(ids) + salt)
        except (NotAuthorisedError, DeviceRevokedError, RateLimitedError):
            raise  # a 429 is no failed attempt: the items simply wait (see push)
        except RequestRefusedError as exc:
            if exc.code == "idempotency_key_reused" and not salt:
                # The key was first used for another body (an older kiosk version queued the
                # same items differently). The items themselves are still deduplicated by
                # their ids on the server, so a fresh key cannot count anything twice.
                log.warning("batch key reused with another body; sending under a new key")
                self._send(items, report, salt="-2")
                return
            self._after_refusal(items, exc, report)
            return
        except TransientSyncError as exc:
            error = str(exc)
            self.run_on_store(lambda: self.store.outbox.attempt_failed(ids, error))
            raise
        self._push_allowance = None
        sent = set(ids)
        answers = {r.id: result_text(r) for r in response.results if r.id in sent}
        self.run_on_store(lambda: self.store.outbox.mark_answered(answers))
        for text in answers.values():
            parsed = parse_result(text)
            report.outcomes[parsed.outcome.value if parsed else "unknown"] += 1
        missing = [item_id for item_id in ids if item_id not in answers]
        if missing:
            problem = "the server's answer did not name this item"
            self.run_on_store(lambda: self.store.outbox.attempt_failed(missing, problem))
            raise ProtocolError(f"{len(missing)} item(s) of a batch got no answer; kept")

    def _after_refusal(
        self,
        items: Sequence[sync_wire.OutboxItem | sync_wire.VoidItem],
        exc: RequestRefusedError,
        report: PushReport,
    ) -> None:
        """A 4xx for a whole batch: find the items at fault, end only those, send the rest."""
        limit = exc.extra.get("max_batch_items")
        if exc.code == "batch_too_large" and isinstance(limit, int) and limit > 0:
            self.batch_size = min(self.batch_size, limit)
        if len(items) == 1:
            item = items[0]
            log.warning("outbox item %s refused for good: %s", item.id, exc)
            text = refused_text(exc.status, exc.code)
            self.run_on_store(lambda: self.store.outbox.mark_answered({item.id: text}))
            report.outcomes["refused"] += 1
            return
        named = sorted(
            {
                p["loc"][1]
                for p in exc.problems
                if isinstance(p.get("loc"), list)
                and len(p["loc"]) > 1
                and p["loc"][0] == "items"
                and isinstance(p["loc"][1], int)
                and 0 <= p["loc"][1] < len(items)
            }
        )
        if named:
            for index in named:
                self._after_refusal([items[index]], exc, report)
            rest = [item for i, item in enumerate(items) if i not in set(named)]
            groups = [rest] if rest else []
        else:
            middle = len(items) // 2
            groups = [list(items[:middle]), list(items[middle:])]
        for group in groups:
            for start in range(0, len(group), self.batch_size):
                self._send(group[start : start + self.batch_size], report)
