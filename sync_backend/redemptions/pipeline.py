"""The push, one unit of work: claim → read state → decide → write.

Every push runs here, in one transaction. Several kiosks' requests that arrived together (a
group, see ``group_push``) run as one push of all of them; a single push is a group of one.

1. **Claim and read state** (one round trip on Postgres): each request's API key owner looked
   up and its Idempotency-Key claimed for that device; the server state of every serial its
   tokens claim and every item id (``rows.BatchState``).
2. **Admit**: what the claim found settles some requests as a lone push would be answered: an
   unknown, revoked or rotated-out API key, a key in flight (409), reused (422) or already
   answered (the stored answer, replayed).
3. **Charge** the rate limit, once per business for all its requests (the sum of their
   items); when that sum is refused, request by request, so the ones that still fit go through.
4. **Decide**, request by request in arrival order, item by item in the kiosk's order, against
   the shared state (``decisions``): a copy accepted by an earlier item is already redeemed for
   a later one, an item id stored by an earlier one is a duplicate, exactly what the requests
   would get one after the other. A void applies at its place (``voids``): the items before it
   are written first, so it may name a redemption of the same batch.
5. **Write**: the rows, every request's stored answer and event, the claims of requests the
   rate limit refused dropped (a claim left behind would answer every retry with 409 until
   it expired), COMMIT: one round trip on Postgres.

The write is all or nothing at first. If a concurrent request stored one of the ids or
accepted one of the copies between the state read and the write, it fails whole
(``store.LostRace``) and the caller runs the push again with ``settle_conflicts``: rows then go
in through the **conflict step**, which re-files what another request beat this one to (the
same id: a duplicate; the same copy accepted: a conflict naming the winner), never dropping it.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from pika_protocol import sync_wire
from pika_protocol.sync_wire import ItemOutcome, OutboxItem, VoidItem
from pika_protocol.validation import Reason
from sync_backend.devices.service import DeviceContext, check_key_owner, key_hash
from sync_backend.dialects import dialect_of
from sync_backend.errors import PikaError
from sync_backend.events.repository import NewEvent
from sync_backend.models import utcnow
from sync_backend.redemptions import decisions, idempotency, repository, voids
from sync_backend.redemptions.decisions import BatchContext, Decision, PushAnswer
from sync_backend.redemptions.rows import BatchState, Claim, ClaimResult, KeyAnswer, StoredItem
from sync_backend.redemptions.store import PushStore
from sync_backend.redemptions.store_pg import PostgresPushStore
from sync_backend.redemptions.store_sqlite import SqlitePushStore
from sync_backend.settings import Settings
from sync_backend.vouchers.signing import PublicKeyCache

#: How a push ended: its answer, or the refusal to raise to its client.
Outcome = PushAnswer | BaseException


@dataclass(eq=False)
class PushJob:
    """One parsed push request, and how it ended (when it waits for a group)."""

    api_key: str | None
    request: sync_wire.PushRequest
    idempotency_key: str
    #: Counts ``n`` items against the device's business's rate limit; raises to refuse.
    charge: Callable[[DeviceContext, int], None]
    answer: PushAnswer | None = None
    error: BaseException | None = None
    #: Left its group: the request's own thread runs it as a group of one.
    alone: bool = False
    #: Charged already (a push run again after a lost race is not charged twice).
    charged: bool = field(default=False, repr=False)
    settled: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def items(self) -> int:
        return len(self.request.items)

    def finish(
        self, *, answer: PushAnswer | None = None, error: BaseException | None = None
    ) -> None:
        self.answer, self.error = answer, error
        self.alone = answer is None and error is None
        self.settled.set()


_STORES: dict[str, Callable[[Session], PushStore]] = {
    "postgresql": PostgresPushStore,
    "sqlite": SqlitePushStore,
}


def push_store(session: Session) -> PushStore:
    """The push store for the session's database."""
    return _STORES[dialect_of(session).name](session)


@dataclass(eq=False)
class _Entry:
    """One request on its way through the pipeline."""

    job: PushJob
    claim: Claim
    scans: list[OutboxItem]
    device: DeviceContext | None = None
    #: This request owns its Idempotency-Key now (a refusal must drop the claim).
    claimed: bool = False
    outcome: Outcome | None = None
    batch: BatchContext | None = None
    decisions: list[Decision] = field(default_factory=list)
    voided: list[sync_wire.PushItemResult] = field(default_factory=list)


def run(
    store: PushStore,
    settings: Settings,
    keys: PublicKeyCache,
    jobs: Sequence[PushJob],
    *,
    settle_conflicts: bool = False,
) -> dict[PushJob, Outcome]:
    """Push ``jobs`` in the store's transaction (committed by :meth:`PushStore.commit`, or by
    the caller's session). Jobs missing from the result must run again alone (the same
    Idempotency-Key twice in one group: the second learns its fate after the first)."""
    received_at = utcnow()
    refused: dict[PushJob, Outcome] = {}
    entries = _entries(jobs, refused)
    if not entries:
        return refused

    # 1. claim and read state
    scans = [item for entry in entries for item in entry.scans]
    reads = decisions.read_tokens(scans)
    claims, state = store.claim_and_read(
        [entry.claim for entry in entries],
        decisions.claimed_serials(reads),
        [item.id for item in scans],
        now=received_at,
        ttl=timedelta(hours=settings.idempotency_ttl_hours),
    )
    # 2. admit, 3. charge
    _admit(store.session, entries, claims, received_at)
    _charge([entry for entry in entries if entry.outcome is None])
    running = [entry for entry in entries if entry.outcome is None]

    # 4. decide
    public_keys = keys.get(store.session)
    pending: list[Decision] = []  # decided, not yet written
    for entry in running:
        assert entry.device is not None
        request = entry.job.request
        batch = entry.batch = BatchContext.build(
            entry.device, state, public_keys, reads, received_at, request.sent_at, settings
        )
        for item in request.items:
            if isinstance(item, VoidItem):
                _settle_conflicts(store, pending, state)
                pending = []
                voided = voids.void(store.session, item, entry.device, state, received_at)
                entry.voided.append(voided)
                continue
            decided = decisions.decide(item, batch)
            entry.decisions.append(decided)
            if decided.row is not None:
                pending.append(decided)
                # Later items (and requests) of the group see this item as stored.
                state.existing[item.id] = StoredItem(
                    decided.row["outcome"], decided.row["server_reason"], None
                )
    if settle_conflicts:
        _settle_conflicts(store, pending, state)
        pending = []

    # 5. write
    answers: list[KeyAnswer] = []
    events: list[NewEvent] = []
    for entry in running:
        assert entry.device is not None and entry.batch is not None
        answered = decisions.answer(
            entry.job.request,
            entry.decisions,
            entry.voided,
            entry.device,
            entry.job.idempotency_key,
            received_at,
            entry.batch.skew,
        )
        answers.append(answered.key_answer)
        events.append(answered.event)
        entry.outcome = PushAnswer(200, answered.body, replayed=False, outcomes=answered.outcomes)
    released = [
        (entry.device.device_id, entry.claim.key)
        for entry in entries
        if entry.claimed and entry.device is not None and isinstance(entry.outcome, BaseException)
    ]
    store.commit([d.row for d in pending if d.row is not None], answers, events, released)
    return refused | {entry.job: entry.outcome for entry in entries if entry.outcome is not None}


def _entries(jobs: Sequence[PushJob], refused: dict[PushJob, Outcome]) -> list[_Entry]:
    """The jobs to claim for; a job without an API key is refused here."""
    entries: list[_Entry] = []
    seen: set[tuple[str, str]] = set()
    for job in jobs:
        try:
            hashed = key_hash(job.api_key)
        except PikaError as refusal:
            refused[job] = refusal
            continue
        if (hashed, job.idempotency_key) in seen:
            continue  # the same key twice in one group: the second learns its fate alone
        seen.add((hashed, job.idempotency_key))
        fingerprint = idempotency.fingerprint(decisions.canonical_items(job.request))
        scans = [item for item in job.request.items if isinstance(item, OutboxItem)]
        entries.append(_Entry(job, Claim(hashed, job.idempotency_key, fingerprint), scans))
    return entries


def _admit(
    session: Session, entries: list[_Entry], claims: list[ClaimResult], now: datetime
) -> None:
    """Settle what the claims say settles: refusals, replays."""
    for entry, found in zip(entries, claims, strict=True):
        try:
            entry.device = check_key_owner(found.owner, now)
            stored = idempotency.settle(session, entry.claim, found, entry.device.device_id)
        except PikaError as refusal:
            entry.outcome = refusal
            continue
        entry.claimed = found.claimed
        if stored is not None:
            entry.outcome = PushAnswer(
                stored.status_code, stored.body, replayed=True, outcomes=Counter()
            )


def _charge(entries: list[_Entry]) -> None:
    """Charge the rate limit: one call per business (and limiter) for the sum of its
    requests' items; when that is refused and there are several, request by request, so the
    ones that still fit go through. A refusal becomes the request's outcome."""
    businesses: dict[tuple[int, object], list[_Entry]] = {}
    for entry in entries:
        if not entry.job.charged and entry.device is not None:
            key = (entry.device.business_id, entry.job.charge)
            businesses.setdefault(key, []).append(entry)
    for same in businesses.values():
        first = same[0]
        assert first.device is not None
        try:
            first.job.charge(first.device, sum(entry.job.items for entry in same))
        except PikaError as refusal:
            if len(same) == 1:
                first.outcome = refusal
                continue
            for entry in same:
                assert entry.device is not None
                try:
                    entry.job.charge(entry.device, entry.job.items)
                except PikaError as refused_alone:
                    entry.outcome = refused_alone
                else:
                    entry.job.charged = True
        else:
            for entry in same:
                entry.job.charged = True


def _settle_conflicts(store: PushStore, pending: list[Decision], state: BatchState) -> None:
    """The conflict step: insert, and re-file what a concurrent request beat us to (the same
    id: a duplicate of it; the same copy accepted: a conflict naming the winner)."""
    for _attempt in range(3):
        if not pending:
            return
        inserted = store.insert([d.row for d in pending if d.row is not None])
        missed = [d for d in pending if d.item.id not in inserted]
        if not missed:
            return
        stored = repository.stored_items(store.session, [d.item.id for d in missed])
        winners = repository.accepted_for(
            store.session,
            [d.row["serial"] for d in missed if d.row is not None and d.row["serial"] is not None],
        )
        pending = []
        for d in missed:
            same_id = stored.get(d.item.id)
            if same_id is not None:  # the same item arrived through another request meanwhile
                d.outcome, d.row = ItemOutcome.DUPLICATE, None
                d.reason = decisions.reason_of(same_id.server_reason)
                d.redemption_id, d.first_outcome = d.item.id, ItemOutcome(same_id.outcome)
                d.flagged = False
                state.existing[d.item.id] = same_id
                continue
            assert d.row is not None
            winner = winners.get(d.row["serial"]) if d.row["serial"] is not None else None
            if winner is None:  # the winner vanished (rolled back): try to accept again
                pending.append(d)
                continue
            d.outcome, d.reason, d.flagged = ItemOutcome.CONFLICT, Reason.ALREADY_REDEEMED, True
            d.redemption_id = winner
            d.row["outcome"] = d.outcome.value
            d.row["server_reason"] = d.reason.value
            d.row["conflict_with"] = str(winner)
            pending.append(d)
    raise RuntimeError("could not settle pushed items after 3 attempts")
