"""Group push (Postgres): pushes that arrive together share one transaction.

Every push carries a transaction's fixed costs: BEGIN, COMMIT and its WAL flush, two round
trips, the driver's pipeline bookkeeping. At the counter most pushes are one redemption, so
those costs are most of the work. ``group_commit.GroupCommitter`` queues the pushes that arrive
while a group is being written and hands them to :func:`run_group` together; a lone push is a
group of one and never waits for a timer.

A group runs like one push of many kiosks' requests:

1. one round trip: BEGIN, every request's key owner + key claim in one statement, one state
   read for the serials and ids of all of them;
2. the rate limit charged once per business for the group's requests (the sum of their
   items; request by request when the sum is refused); then per request, in arrival order,
   its items decided against the shared state. A copy accepted by an earlier request of the
   group is already redeemed for a later one, and an item id stored by an earlier one is a
   duplicate: exactly what the requests would get one after the other;
3. one round trip: every row, every request's stored answer and event (one statement each,
   whatever the group's size), the key claims of requests the rate limit refused removed,
   COMMIT.

Whatever is unusual leaves the group and runs alone afterwards, in its own thread, through
``service.push`` (the single push, same rules): batches with voids, keys in flight or replays,
unknown, revoked or rotated-out API keys (their refusal is the single push's), and every
request of the group when its write loses a race to a concurrent request (``LostRace``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session, sessionmaker

from pika_protocol import sync_wire
from pika_protocol.sync_wire import OutboxItem
from sync_backend.db import pg_driver, transaction
from sync_backend.devices.service import DeviceContext, check_key_owner, key_hash
from sync_backend.errors import PikaError
from sync_backend.models import utcnow
from sync_backend.redemptions import decisions, idempotency, repository, service
from sync_backend.redemptions.decisions import PushAnswer
from sync_backend.redemptions.repository import StoredItem
from sync_backend.settings import Settings
from sync_backend.vouchers.signing import PublicKeyCache

if TYPE_CHECKING:
    from sync_backend.redemptions.group_commit import GroupCommitter

log = logging.getLogger(__name__)


@dataclass(eq=False)
class PushJob:
    """One parsed push request waiting for its group, and how it ended."""

    api_key: str | None
    request: sync_wire.PushRequest
    idempotency_key: str
    charge: Callable[[DeviceContext, int], None]
    answer: PushAnswer | None = None
    error: BaseException | None = None
    #: Left the group: the request's own thread runs it as a single push.
    alone: bool = False
    charged: bool = field(default=False, repr=False)
    settled: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def items(self) -> int:
        return len(self.request.items)

    def charge_once(self, device: DeviceContext, items: int) -> None:
        """Rate-limit charge that a group and a later single run of the same job share."""
        if not self.charged:
            self.charge(device, items)
            self.charged = True

    def finish(
        self, *, answer: PushAnswer | None = None, error: BaseException | None = None
    ) -> None:
        self.answer, self.error = answer, error
        self.alone = answer is None and error is None
        self.settled.set()


@dataclass(frozen=True)
class PushContext:
    """What running a push needs from the app: sessions, settings, the key cache."""

    sessions: sessionmaker[Session]
    settings: Settings
    keys: PublicKeyCache


def push(context: PushContext, groups: GroupCommitter[PushJob] | None, job: PushJob) -> PushAnswer:
    """Answer one push request: small ones through a group when groups are on; big ones, and
    those a group sent off, as a single push."""
    if groups is not None and job.items <= context.settings.push_group_request_items:
        groups.submit(job)
        if job.error is not None:
            raise job.error
        if job.answer is not None:
            return job.answer
    return push_alone(context, job)


def push_alone(context: PushContext, job: PushJob) -> PushAnswer:
    """The single push, in its own transaction."""
    with transaction(context.sessions) as session:
        return service.push(
            session,
            context.settings,
            context.keys,
            job.api_key,
            job.request,
            job.idempotency_key,
            job.charge_once,
        )


def run_group(context: PushContext, jobs: list[PushJob]) -> None:
    """Settle every job of ``jobs``: answered, refused, or sent off to run alone."""
    try:
        with transaction(context.sessions) as session:
            settled = _push_group(session, context.settings, context.keys, jobs)
    except repository.LostRace:
        settled = {}
    except Exception:
        # The single pushes will meet the same trouble if it lasts, and answer it one by one.
        log.warning("group push failed; its %d requests run alone", len(jobs), exc_info=True)
        settled = {}
    for job in jobs:
        outcome = settled.get(job)
        if isinstance(outcome, PushAnswer):
            job.finish(answer=outcome)
        elif isinstance(outcome, BaseException):
            job.finish(error=outcome)
        else:
            job.finish()


def _push_group(
    session: Session, settings: Settings, keys: PublicKeyCache, jobs: list[PushJob]
) -> dict[PushJob, PushAnswer | BaseException]:
    """One transaction for the group (committed on return); jobs missing from the answer run
    alone."""
    driver = pg_driver(session)
    assert driver is not None, "group pushes are the Postgres path"
    received_at = utcnow()
    ttl = timedelta(hours=settings.idempotency_ttl_hours)
    settled: dict[PushJob, PushAnswer | BaseException] = {}

    claims: list[tuple[PushJob, dict[str, Any]]] = []
    seen: set[tuple[str, str]] = set()
    for job in jobs:
        if not all(isinstance(item, OutboxItem) for item in job.request.items):
            continue  # voids are applied in order, with queries of their own: alone
        try:
            hashed = key_hash(job.api_key)
        except PikaError as refused:
            settled[job] = refused
            continue
        if (hashed, job.idempotency_key) in seen:
            continue  # the same key twice in one group: the second learns its fate alone
        seen.add((hashed, job.idempotency_key))
        claims.append(
            (
                job,
                {
                    "key_hash": hashed,
                    "key": job.idempotency_key,
                    "request_hash": idempotency.fingerprint(decisions.canonical_items(job.request)),
                },
            )
        )
    if not claims:
        return settled

    scans = [item for job, _ in claims for item in _outbox_items(job)]
    reads = decisions.read_tokens(scans)
    with driver.pipeline():
        claim_cursor = idempotency.send_owners_and_claims(
            driver, [c for _, c in claims], now=received_at, ttl=ttl
        )
        state_cursor = repository.send_state(
            driver, decisions.claimed_serials(reads), [item.id for item in scans]
        )
    claim_rows = {row[0]: row[1:] for row in claim_cursor.fetchall()}
    state = repository.read_state(state_cursor)
    public_keys = keys.get(session)

    admitted: list[tuple[PushJob, DeviceContext]] = []
    for n, (job, _claim) in enumerate(claims):
        owner, (got_lock, claimed) = idempotency.split_owner_and_claim(claim_rows.get(n))
        try:
            device = check_key_owner(owner, received_at)
        except PikaError:
            continue  # refused by the single push, in the same words
        if not (got_lock and claimed):
            continue  # in flight elsewhere, or a replay: the single push answers it
        admitted.append((job, device))
    for job, device in admitted:
        if job not in settled:
            _charge(job, device, admitted, settled)
    # Every claim the limiter refused goes in this commit, whichever request's charge refused
    # it (one charge settles its business's whole group): a claim left behind would answer
    # every retry with 409 "in flight" until the key expired, a day later.
    released = [
        (device.device_id, job.idempotency_key)
        for job, device in admitted
        if isinstance(settled.get(job), BaseException)
    ]

    rows: list[dict[str, Any]] = []
    finishes: list[dict[str, Any]] = []
    for job, device in admitted:
        if job in settled:
            continue  # refused by the rate limit
        batch = decisions.BatchContext.build(
            device, state, public_keys, reads, received_at, job.request.sent_at, settings
        )
        decided = [decisions.decide(item, batch) for item in _outbox_items(job)]
        for d in decided:
            if d.row is not None:  # later requests of the group see this item as stored
                rows.append(d.row)
                state.existing[d.item.id] = StoredItem(
                    d.row["outcome"], d.row["server_reason"], None
                )
        answered = decisions.answer(
            job.request, decided, [], device, job.idempotency_key, received_at, batch.skew
        )
        finishes.append(answered.finish)
        settled[job] = PushAnswer(200, answered.body, replayed=False, outcomes=answered.outcomes)
    repository.commit_batch(session, rows, finishes, released)
    return settled


def _charge(
    job: PushJob,
    device: DeviceContext,
    admitted: list[tuple[PushJob, DeviceContext]],
    settled: dict[PushJob, PushAnswer | BaseException],
) -> bool:
    """Charge the rate limit for ``job``: once for all the group's requests of its business
    (one Redis round trip, the sum of their items), or, when that sum is refused, request by
    request so the ones that still fit go through. Every refusal, of ``job`` or of another
    request of its business, lands in ``settled``. False when ``job`` was refused."""
    if not job.charged:
        # Requests charged the same way (one limiter) to the same business.
        same = [
            (j, d)
            for j, d in admitted
            if d.business_id == device.business_id and j.charge == job.charge
        ]
        try:
            job.charge(device, sum(j.items for j, _ in same))
        except PikaError:
            for j, d in same:
                try:
                    j.charge_once(d, j.items)
                except PikaError as refused:
                    settled[j] = refused
        else:
            for j, _ in same:
                j.charged = True
    return job not in settled


def _outbox_items(job: PushJob) -> Iterable[OutboxItem]:
    return (item for item in job.request.items if isinstance(item, OutboxItem))
