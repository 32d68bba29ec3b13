"""The push and pull rules: one decision per pushed item, through the kiosk's own ``validate``.

Push, per batch (one transaction):

1. claim the Idempotency-Key (or replay / refuse, see ``idempotency``);
2. read the server state for the batch's serials and ids in one query;
3. decide every item with ``app.core.validation.validate`` (the very function the kiosk runs)
   against that state, in order, so two items of one batch for the same copy see each other;
4. insert all rows set-based; rows the partial unique index turns away (another request
   accepted the same copy a moment ago) are re-filed as conflicts, never dropped;
5. store the answer under the key and log the batch in the event log.

Outcomes: a kiosk ``redemption`` is accepted, a conflict (copy already redeemed: the discount
was given, so it is kept and flagged) or rejected (the backend holds the voucher invalid; kept
and flagged). A kiosk ``scan`` (refused at the counter) is recorded as evidence. An id already
stored is a duplicate of itself. The kiosk's scan time and the server's receive time are both
kept; a kiosk clock further off than the tolerance flags the items.

A kiosk ``void`` takes back one of the device's own redemptions: the row is marked voided (its
copy is free again) in the kiosk's order within the batch, and logged as an event; see
:func:`_void` for the refusals.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy.orm import Session

from app.core import sync_wire
from app.core.sync_wire import ItemKind, ItemOutcome, OutboxItem, PushItem, PushProblem, VoidItem
from app.core.validation import PriorRedemption, Reason, validate
from sync_backend.db import feed_horizon, pg_driver
from sync_backend.devices import repository as devices
from sync_backend.devices.service import DeviceContext, authenticate, check_key_owner, key_hash
from sync_backend.models import Offer, Redemption, SigningKey, Voucher, utcnow
from sync_backend.redemptions import idempotency, repository
from sync_backend.redemptions.repository import BatchState, FeedPosition
from sync_backend.redemptions.verification import claimed_serial, with_printed_tokens
from sync_backend.settings import Settings
from sync_backend.vouchers import signing
from sync_backend.vouchers.signing import PublicKeyCache


@dataclass(frozen=True, slots=True)
class PushAnswer:
    status_code: int
    body: bytes
    replayed: bool
    outcomes: Counter[tuple[str, str]]


_ITEMS = TypeAdapter(list[PushItem])


def canonical_items(request: sync_wire.PushRequest) -> bytes:
    """What the Idempotency-Key fingerprint covers: the items, not ``sent_at`` (a retry
    naturally sends a newer one). Serialised from the parsed models, so spacing or key order
    in the request body does not matter."""
    return _ITEMS.dump_json(request.items)


def push(
    session: Session,
    settings: Settings,
    keys: PublicKeyCache,
    api_key: str | None,
    request: sync_wire.PushRequest,
    idempotency_key: str,
    charge: Callable[[DeviceContext, int], None] = lambda _device, _items: None,
) -> PushAnswer:
    """Authenticate the device by ``api_key``, then decide and store one batch.

    ``charge(device, n)`` counts the batch against the business's rate limit; it runs once, only
    for a new request (a replay is free), and may raise to refuse it, which rolls the whole
    transaction back, key claim included.

    On Postgres a batch without voids first goes the lean way: two round trips (key owner +
    key claim + state read; then rows + answer + event + COMMIT). If a concurrent request
    stored one of its ids or accepted one of its copies in between, that write fails as a whole
    and the batch is decided again the careful way, which re-files such rows as conflicts.
    """
    charged = False

    def charge_once(device: DeviceContext, items: int) -> None:
        nonlocal charged
        if not charged:
            charge(device, items)
            charged = True

    try:
        return _push(session, settings, keys, api_key, request, idempotency_key, charge_once, True)
    except repository.LostRace:
        return _push(session, settings, keys, api_key, request, idempotency_key, charge_once, False)


def _push(
    session: Session,
    settings: Settings,
    keys: PublicKeyCache,
    api_key: str | None,
    request: sync_wire.PushRequest,
    idempotency_key: str,
    charge: Callable[[DeviceContext, int], None],
    optimistic: bool,
) -> PushAnswer:
    received_at = utcnow()
    params = idempotency.claim_params(
        device_id=None,
        key=idempotency_key,
        request_hash=idempotency.fingerprint(canonical_items(request)),
        now=received_at,
        ttl=timedelta(hours=settings.idempotency_ttl_hours),
    )
    scans = [i for i in request.items if isinstance(i, OutboxItem)]
    serials = _claimed_serials(scans)
    ids = [i.id for i in scans]
    driver = pg_driver(session)
    if driver is not None:
        # One round trip: the key's owner, the key claim and the batch's state. The state is
        # read even when the key turns out to be a replay or the API key bad (both rare),
        # which costs less than waiting for them first.
        params["key_hash"] = key_hash(api_key)
        with driver.pipeline():
            claim_cursor = idempotency.send_owner_and_claim(driver, params)
            state_cursor = repository.send_state(driver, serials, ids)
        owner, claim_row = idempotency.split_owner_and_claim(claim_cursor.fetchone())
        device = check_key_owner(owner, received_at)
        params["device_id"] = device.device_id
        stored = idempotency.settle_claim(session, claim_row, params)
        state = repository.read_state(state_cursor)
    else:
        device = authenticate(session, api_key, received_at)
        params["device_id"] = device.device_id
        stored = idempotency.claim(
            session,
            device_id=device.device_id,
            key=idempotency_key,
            request_hash=params["request_hash"],
            now=received_at,
            ttl=timedelta(hours=settings.idempotency_ttl_hours),
        )
        state = repository.batch_state(session, serials, ids) if stored is None else BatchState()
    if stored is not None:
        return PushAnswer(stored.status_code, stored.body, replayed=True, outcomes=Counter())
    charge(device, len(request.items))

    skew = _clock_skew(request.sent_at, received_at)
    skewed = skew is not None and abs(skew) > settings.clock_skew_tolerance_s
    public_keys = with_printed_tokens(keys.get(session), state.printed_tokens.values())
    # The lean write needs every decision made before anything is written: no voids.
    lean = optimistic and driver is not None and len(scans) == len(request.items)

    # In the kiosk's order: the scans before a void are decided and inserted first, so a void
    # may name a redemption of the same batch, and a copy redeemed again after its void (undo,
    # then scan again) is accepted, not a conflict. A batch without voids is one segment.
    decisions: list[_Decision] = []
    voided: list[sync_wire.PushItemResult] = []
    segment: list[OutboxItem] = []

    def settle_segment() -> None:
        decided = [
            _decide(item, device, state, public_keys, received_at, skew, skewed, settings)
            for item in segment
        ]
        if not lean:
            _insert_and_settle(session, decided, state)
        decisions.extend(decided)
        segment.clear()

    for item in request.items:
        if isinstance(item, VoidItem):
            settle_segment()
            voided.append(_void(session, item, device, state, received_at))
        else:
            segment.append(item)
    settle_segment()

    by_id = {d.item.id: d.result(received_at) for d in decisions}
    by_id.update((v.id, v) for v in voided)
    response = sync_wire.PushResponse(
        server_time=received_at,
        clock_skew_s=skew,
        results=[by_id[item.id] for item in request.items],
    )
    body = response.model_dump_json().encode()
    results = response.results
    # Metrics count redemptions and scans; a void is neither (its answer is in the event log).
    outcomes = Counter((d.outcome.value, d.reason.value) for d in decisions)
    finish = repository.finish_params(
        device_id=device.device_id,
        key=idempotency_key,
        status_code=200,
        body=body,
        event={
            "occurred_at": received_at,
            "kind": "redemptions_pushed",
            "business_id": device.business_id,
            "actor": f"device:{device.device_id}",
            "subject": f"device:{device.device_id}",
            "payload": json.dumps(
                {
                    "idempotency_key": idempotency_key,
                    "items": len(results),
                    "outcomes": dict(Counter(r.outcome.value for r in results)),
                    "voids": len(voided),
                    "clock_skew_s": skew,
                }
            ),
        },
    )
    if lean:
        repository.commit_batch(session, [d.row for d in decisions if d.row is not None], finish)
    else:
        repository.finish_batch(session, finish)
    return PushAnswer(200, body, replayed=False, outcomes=outcomes)


def _clock_skew(sent_at: datetime | None, received_at: datetime) -> float | None:
    if sent_at is None:
        return None
    return round((sent_at - received_at).total_seconds(), 3)


def _claimed_serials(items: list[OutboxItem]) -> list[int]:
    serials = {claimed_serial(item.token) for item in items}
    return sorted(s for s in serials if s is not None)


@dataclass(slots=True)
class _Decision:
    item: OutboxItem
    outcome: ItemOutcome
    reason: Reason | PushProblem
    row: dict[str, Any] | None  # None: nothing to insert (already stored)
    redemption_id: uuid.UUID | None = None
    first_outcome: ItemOutcome | None = None
    flagged: bool = False

    def result(self, received_at: datetime) -> sync_wire.PushItemResult:
        return sync_wire.PushItemResult(
            id=self.item.id,
            outcome=self.outcome,
            reason=self.reason,
            redemption_id=self.redemption_id,
            first_outcome=self.first_outcome,
            flagged=self.flagged,
            received_at=received_at,
        )


def _decide(
    item: OutboxItem,
    device: DeviceContext,
    state: BatchState,
    public_keys: dict[int, Any],
    received_at: datetime,
    skew: float | None,
    skewed: bool,
    settings: Settings,
) -> _Decision:
    existing = state.existing.get(item.id)
    if existing is not None:
        return _Decision(
            item=item,
            outcome=ItemOutcome.DUPLICATE,
            reason=_reason(existing.server_reason),
            row=None,
            redemption_id=item.id,
            first_outcome=ItemOutcome(existing.outcome),
        )
    future = (item.scanned_at - received_at).total_seconds() > settings.clock_skew_tolerance_s
    flagged = skewed or future
    received_iso = received_at.isoformat()
    # JSON-ready values: the Postgres path sends the rows as one JSON document as they are.
    row: dict[str, Any] = {
        "id": str(item.id),
        "kind": item.kind.value,
        "business_id": device.business_id,
        "device_id": device.device_id,
        "serial": None,
        "offer_id": None,
        "voucher_business_id": None,
        "variant": None,
        "token": item.token,
        "source": item.source.value,
        "kiosk_reason": item.reason.value,
        "conflict_with": None,
        "scanned_at": item.scanned_at.astimezone(UTC).isoformat(),
        "received_at": received_iso,
        "clock_skew_s": None if skew is None else round(skew),
        "latitude": item.location.lat if item.location else None,
        "longitude": item.location.lon if item.location else None,
    }
    is_redemption = item.kind is ItemKind.REDEMPTION

    def settle(outcome: ItemOutcome, reason: Reason | PushProblem, **extra: Any) -> _Decision:
        row["outcome"] = outcome.value
        row["server_reason"] = reason.value
        return _Decision(item=item, outcome=outcome, reason=reason, row=row, **extra)

    if item.device_id != device.device_id or item.business_id != device.business_id:
        outcome = ItemOutcome.REJECTED if is_redemption else ItemOutcome.RECORDED
        return settle(outcome, PushProblem.WRONG_DEVICE, flagged=True)

    def find(serial: int) -> PriorRedemption | None:
        return state.accepted.get(serial)

    decision = validate(
        item.token,
        business_id=device.business_id,
        public_keys=public_keys,
        revoked_serials=state.revoked,
        find_redemption=find,
        now=item.scanned_at,
    )
    claims = decision.claims
    if claims is not None:
        row.update(
            serial=claims.serial,
            offer_id=claims.offer_id,
            voucher_business_id=claims.business_id,
            variant=claims.variant,
            token=decision.token,
        )
        copies = (item.serial, item.offer_id, item.variant)
        if copies != (None, None, None) and copies != (
            claims.serial,
            claims.offer_id,
            claims.variant,
        ):
            outcome = ItemOutcome.REJECTED if is_redemption else ItemOutcome.RECORDED
            return settle(outcome, PushProblem.ITEM_MISMATCH, flagged=True)

    if not is_redemption:
        return settle(ItemOutcome.RECORDED, decision.reason, flagged=flagged)
    if decision.reason is Reason.VALID:
        assert claims is not None
        # Later items of this batch must see this one as the copy's redemption.
        state.accepted[claims.serial] = PriorRedemption(
            str(item.id), item.scanned_at, device.device_id, device.device_name
        )
        return settle(ItemOutcome.ACCEPTED, Reason.VALID, flagged=flagged)
    if decision.reason is Reason.ALREADY_REDEEMED:
        assert decision.prior is not None
        row["conflict_with"] = decision.prior.redemption_id
        return settle(
            ItemOutcome.CONFLICT,
            Reason.ALREADY_REDEEMED,
            redemption_id=uuid.UUID(decision.prior.redemption_id),
            flagged=True,
        )
    return settle(ItemOutcome.REJECTED, decision.reason, flagged=True)


def _void(
    session: Session,
    item: VoidItem,
    device: DeviceContext,
    state: BatchState,
    received_at: datetime,
) -> sync_wire.PushItemResult:
    """Apply one kiosk void: only the pushing device's own, known, not yet voided redemption.

    An accepted void is logged as a ``redemption_voided`` event. A refusal changes nothing
    and says why; the same void sent again answers ``duplicate`` (first outcome ``accepted``).
    """

    def answer(outcome: ItemOutcome, reason: Reason | PushProblem) -> sync_wire.PushItemResult:
        first = ItemOutcome.ACCEPTED if outcome is ItemOutcome.DUPLICATE else None
        return sync_wire.PushItemResult(
            id=item.id,
            outcome=outcome,
            reason=reason,
            redemption_id=item.redemption_id,
            first_outcome=first,
            flagged=False,
            received_at=received_at,
        )

    if item.device_id != device.device_id or item.business_id != device.business_id:
        return answer(ItemOutcome.REJECTED, PushProblem.WRONG_DEVICE)
    for _attempt in range(2):
        target = repository.void_target(session, item.redemption_id)
        if target is None:
            return answer(ItemOutcome.REJECTED, PushProblem.UNKNOWN_REDEMPTION)
        if target.device_id != device.device_id or target.business_id != device.business_id:
            return answer(ItemOutcome.REJECTED, PushProblem.NOT_OWN_REDEMPTION)
        if target.kind != ItemKind.REDEMPTION.value:
            return answer(ItemOutcome.REJECTED, PushProblem.NOT_A_REDEMPTION)
        if target.voided_by == item.id:
            return answer(ItemOutcome.DUPLICATE, Reason.VALID)
        if target.voided_by is not None:
            return answer(ItemOutcome.REJECTED, PushProblem.ALREADY_VOIDED)
        if repository.mark_voided(
            session,
            item.redemption_id,
            void_id=item.id,
            voided_at=item.voided_at.astimezone(UTC),
            reason=item.void_reason,
        ):
            serial = target.serial
            prior = state.accepted.get(serial) if serial is not None else None
            if serial is not None and prior and prior.redemption_id == str(item.redemption_id):
                del state.accepted[serial]  # later items of the batch see the copy free
            repository.log_event(
                session,
                {
                    "occurred_at": received_at,
                    "kind": "redemption_voided",
                    "business_id": device.business_id,
                    "actor": f"device:{device.device_id}",
                    "subject": f"redemption:{item.redemption_id}",
                    "payload": {
                        "void_id": str(item.id),
                        "redemption_id": str(item.redemption_id),
                        "serial": target.serial,
                        "void_reason": item.void_reason,
                        "voided_at": item.voided_at.astimezone(UTC).isoformat(),
                    },
                },
            )
            return answer(ItemOutcome.ACCEPTED, Reason.VALID)
        # Another request voided it between the read and the update: read again to say which.
    raise RuntimeError(f"could not settle the void of redemption {item.redemption_id}")


def _reason(code: str) -> Reason | PushProblem:
    try:
        return Reason(code)
    except ValueError:
        return PushProblem(code)


def _insert_and_settle(session: Session, decisions: list[_Decision], state: BatchState) -> None:
    """Insert; re-file what a concurrent request beat us to (same id, or same copy accepted)."""
    pending = [d for d in decisions if d.row is not None]
    for _attempt in range(3):
        if not pending:
            return
        inserted = repository.insert_items(session, [d.row for d in pending if d.row is not None])
        missed = [d for d in pending if d.item.id not in inserted]
        if not missed:
            return
        stored = repository.stored_items(session, [d.item.id for d in missed])
        winners = repository.accepted_for(
            session,
            [d.row["serial"] for d in missed if d.row is not None and d.row["serial"] is not None],
        )
        pending = []
        for d in missed:
            same_id = stored.get(d.item.id)
            if same_id is not None:  # the same item arrived through another request meanwhile
                d.outcome, d.row = ItemOutcome.DUPLICATE, None
                d.reason = _reason(same_id.server_reason)
                d.redemption_id, d.first_outcome = d.item.id, ItemOutcome(same_id.outcome)
                d.flagged = False
                continue
            assert d.row is not None
            winner = winners.get(d.row["serial"])
            if winner is None:  # the winner vanished (rolled back): try to accept again
                pending.append(d)
                continue
            d.outcome, d.reason, d.flagged = ItemOutcome.CONFLICT, Reason.ALREADY_REDEEMED, True
            d.redemption_id = winner
            d.row.update(
                outcome=d.outcome.value, server_reason=d.reason.value, conflict_with=str(winner)
            )
            pending.append(d)
    raise RuntimeError("could not settle pushed items after 3 attempts")


# ---------------------------------------------------------------- pull


def pull(
    session: Session,
    device: DeviceContext,
    cursor: str | None,
    limit: int,
    offline_after_s: int = 120,
) -> sync_wire.PullResponse:
    """Everything that changed for the device's business since ``cursor``, oldest first."""
    now = utcnow()
    after = FeedPosition.decode(cursor)
    horizon = feed_horizon(session)
    business = device.business_id
    sources: list[tuple[str, list[Any]]] = [
        (
            "key",
            repository.feed(session, SigningKey, after=after, horizon=horizon, limit=limit + 1),
        ),
        (
            "offer",
            repository.feed(
                session,
                Offer,
                after=after,
                horizon=horizon,
                limit=limit + 1,
                where=[Offer.business_id == business],
            ),
        ),
        (
            "voucher",
            repository.feed(
                session,
                Voucher,
                after=after,
                horizon=horizon,
                limit=limit + 1,
                where=[Voucher.business_id == business],
            ),
        ),
        (
            "redemption",
            repository.feed(
                session,
                Redemption,
                after=after,
                horizon=horizon,
                limit=limit + 1,
                where=[
                    Redemption.business_id == business,
                    Redemption.device_id != device.device_id,
                    Redemption.outcome.in_(
                        [ItemOutcome.ACCEPTED.value, ItemOutcome.CONFLICT.value]
                    ),
                    # Voided before this kiosk pulled it: the copy is free, say nothing. (A
                    # void after the pull does not reach other kiosks yet.)
                    Redemption.voided_at.is_(None),
                ],
            ),
        ),
    ]
    merged = sorted(
        ((row.txid, row.seq, kind, row) for kind, rows in sources for row in rows),
        key=lambda t: (t[0], t[1]),
    )
    page, more = merged[:limit], len(merged) > limit
    last = FeedPosition(page[-1][0], page[-1][1]) if page else after
    names = devices.device_names(
        session, {r.device_id for _t, _s, k, r in page if k == "redemption"}
    )
    response: dict[str, list[Any]] = {
        "public_keys": [],
        "offers": [],
        "vouchers": [],
        "revocations": [],
        "redemptions": [],
    }
    for _txid, _seq, kind, row in page:
        if kind == "key":
            response["public_keys"].append(signing.to_wire(row))
        elif kind == "offer":
            response["offers"].append(sync_wire.Offer.model_validate(row, from_attributes=True))
        elif kind == "voucher":
            response["vouchers"].append(
                sync_wire.Voucher(
                    serial=row.serial,
                    offer_id=row.offer_id,
                    variant=row.variant,
                    token=row.token,
                    short_code=row.short_code,
                    revoked_at=row.revoked_at,
                )
            )
            if row.revoked_at is not None:
                response["revocations"].append(
                    sync_wire.Revocation(
                        serial=row.serial,
                        revoked_at=row.revoked_at,
                        reason=row.revoked_reason or "",
                    )
                )
        else:
            response["redemptions"].append(
                sync_wire.RemoteRedemption(
                    id=row.id,
                    serial=row.serial,
                    offer_id=row.offer_id,
                    variant=row.variant,
                    source=sync_wire.ScanSource(row.source),
                    device_id=row.device_id,
                    device_name=names.get(row.device_id, ""),
                    redeemed_at=row.scanned_at,
                    received_at=row.received_at,
                    outcome=ItemOutcome(row.outcome),
                    made_offline=(row.received_at - row.scanned_at).total_seconds()
                    > offline_after_s,
                )
            )
    return sync_wire.PullResponse(
        server_time=now,
        cursor=last.encode() if last.txid >= 0 else "",
        more=more,
        rotate_key=device.rotate_key,
        **response,
    )
