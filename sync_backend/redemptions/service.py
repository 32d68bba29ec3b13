"""The push and pull rules: one decision per pushed item, through the kiosk's own ``validate``.

Push, per batch (one transaction):

1. claim the Idempotency-Key (or replay / refuse, see ``idempotency``);
2. read the server state for the batch's serials and ids in one query;
3. decide every item (``decisions``: the kiosk's own ``pika_protocol.validation.validate``) against
   that state, in order, so two items of one batch for the same copy see each other;
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

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from pika_protocol import sync_wire
from pika_protocol.sync_wire import ItemKind, ItemOutcome, OutboxItem, PushProblem, VoidItem
from pika_protocol.validation import Reason
from sync_backend.db import feed_horizon, pg_driver
from sync_backend.devices import repository as devices
from sync_backend.devices.service import DeviceContext, authenticate, check_key_owner, key_hash
from sync_backend.models import Offer, Redemption, SigningKey, Voucher, utcnow
from sync_backend.pg_types import pg_text
from sync_backend.redemptions import decisions as decisions_
from sync_backend.redemptions import idempotency, repository
from sync_backend.redemptions.decisions import BatchContext, Decision, PushAnswer, canonical_items
from sync_backend.redemptions.repository import BatchState, FeedPosition
from sync_backend.settings import Settings
from sync_backend.vouchers import copies, signing
from sync_backend.vouchers.signing import PublicKeyCache


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
    ttl = timedelta(hours=settings.idempotency_ttl_hours)
    params = idempotency.claim_params(
        device_id=None,
        key=idempotency_key,
        request_hash=idempotency.fingerprint(canonical_items(request)),
        now=received_at,
        ttl=ttl,
    )
    scans = [i for i in request.items if isinstance(i, OutboxItem)]
    reads = decisions_.read_tokens(scans)
    serials = decisions_.claimed_serials(reads)
    ids = [i.id for i in scans]
    driver = pg_driver(session)
    if driver is not None:
        # One round trip: the key's owner, the key claim and the batch's state. The state is
        # read even when the key turns out to be a replay or the API key bad (both rare),
        # which costs less than waiting for them first.
        claim = {
            "key_hash": key_hash(api_key),
            "key": idempotency_key,
            "request_hash": params["request_hash"],
        }
        with driver.pipeline():  # a single push is a group of one here
            claim_cursor = idempotency.send_owners_and_claims(
                driver, [claim], now=received_at, ttl=ttl
            )
            state_cursor = repository.send_state(driver, serials, ids)
        found = claim_cursor.fetchone()
        owner, claim_row = idempotency.split_owner_and_claim(None if found is None else found[1:])
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
            ttl=ttl,
        )
        state = repository.batch_state(session, serials, ids) if stored is None else BatchState()
    if stored is not None:
        return PushAnswer(stored.status_code, stored.body, replayed=True, outcomes=Counter())
    charge(device, len(request.items))

    batch = BatchContext.build(
        device, state, keys.get(session), reads, received_at, request.sent_at, settings
    )
    # The lean write needs every decision made before anything is written: no voids.
    lean = optimistic and driver is not None and len(scans) == len(request.items)

    # In the kiosk's order: the scans before a void are decided and inserted first, so a void
    # may name a redemption of the same batch, and a copy redeemed again after its void (undo,
    # then scan again) is accepted, not a conflict. A batch without voids is one segment.
    decisions: list[Decision] = []
    voided: list[sync_wire.PushItemResult] = []
    segment: list[OutboxItem] = []

    def settle_segment() -> None:
        decided = [decisions_.decide(item, batch) for item in segment]
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

    answered = decisions_.answer(
        request, decisions, voided, device, idempotency_key, received_at, batch.skew
    )
    if lean:
        rows = [d.row for d in decisions if d.row is not None]
        repository.commit_batch(session, rows, [answered.finish])
    else:
        repository.finish_batch(session, answered.finish)
    return PushAnswer(200, answered.body, replayed=False, outcomes=answered.outcomes)


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
            reason=pg_text(item.void_reason),
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
                        "void_reason": pg_text(item.void_reason),
                        "voided_at": item.voided_at.astimezone(UTC).isoformat(),
                    },
                },
            )
            return answer(ItemOutcome.ACCEPTED, Reason.VALID)
        # Another request voided it between the read and the update: read again to say which.
    raise RuntimeError(f"could not settle the void of redemption {item.redemption_id}")


def _insert_and_settle(session: Session, decisions: list[Decision], state: BatchState) -> None:
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
                d.reason = decisions_.reason_of(same_id.server_reason)
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
    settings: Settings,
    private_keys: signing.PrivateKeyCache,
) -> sync_wire.PullResponse:
    """Everything that changed for the device's business since ``cursor``, oldest first, and
    how the kiosk should sync: when to pull again, which clock skew head office flags.

    Voucher tokens are not stored: the page's are signed again from their claims
    (``vouchers.copies``) with ``private_keys``."""
    offline_after_s = settings.offline_after_s
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
                    # A voided row comes again at its void's position, with ``voided_at``: a
                    # kiosk that learnt of the redemption frees the copy, one that did not
                    # has nothing to do.
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
    tokens = copies.tokens(session, private_keys, [r for _t, _s, k, r in page if k == "voucher"])
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
                    token=tokens[row.serial],
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
                    voided_at=row.voided_at,
                )
            )
    return sync_wire.PullResponse(
        server_time=now,
        cursor=last.encode() if last.txid >= 0 else "",
        more=more,
        rotate_key=device.rotate_key,
        poll_interval_s=settings.poll_interval_s,
        clock_skew_limit_s=settings.clock_skew_tolerance_s,
        **response,
    )
