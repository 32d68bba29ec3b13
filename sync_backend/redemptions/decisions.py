"""The decision for each pushed item, and the answer a push gets: pure, no database.

``decide`` runs the kiosk's own ``pika_protocol.validation.validate`` against the server state read
for the batch (``BatchState``) and says what to store; ``answer`` builds the response body,
the metrics' outcome counts and what the Idempotency-Key row and the event log keep. The push
pipeline (``pipeline``) decides every request, alone or in a group, with them.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import TypeAdapter
from typing_extensions import TypedDict

from pika_protocol import sync_wire
from pika_protocol.sync_wire import ItemKind, ItemOutcome, OutboxItem, PushItem, PushProblem
from pika_protocol.tokens import SignedToken, TokenError, read
from pika_protocol.validation import PriorRedemption, Reason, validate
from sync_backend.devices.service import DeviceContext
from sync_backend.events.repository import NewEvent
from sync_backend.pg_types import PG_INT_MAX, fits_bigint, pg_text
from sync_backend.redemptions import evidence
from sync_backend.redemptions.rows import BatchState, KeyAnswer, RedemptionRow
from sync_backend.settings import Settings


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


def clock_skew(sent_at: datetime | None, received_at: datetime) -> float | None:
    if sent_at is None:
        return None
    return round((sent_at - received_at).total_seconds(), 3)


#: Each pushed token text read once (``tokens.read``), None for text that is no token: the
#: serials tell which server state a batch needs, and ``validate`` verifies the same read.
TokenReads = dict[str, SignedToken | None]


def read_tokens(items: Iterable[OutboxItem]) -> TokenReads:
    reads: TokenReads = {}
    for item in items:
        if item.token not in reads:
            try:
                reads[item.token] = read(item.token)
            except TokenError:
                reads[item.token] = None
    return reads


def claimed_serials(reads: TokenReads) -> list[int]:
    """The serials whose server state the batch needs. A token's serial is a u64; one beyond
    bigint (a forged token with its top bit set) has no server state and is left out, or the
    state query itself would fail."""
    serials = {token.claims.serial for token in reads.values() if token is not None}
    return sorted(s for s in serials if fits_bigint(s))


def stored_skew(skew: float | None) -> int | None:
    """``clock_skew_s`` as its ``integer`` column holds it: a clock 70 years off is past
    2**31 s, so the stored figure saturates (the answer still says the exact one)."""
    if skew is None:
        return None
    return max(-PG_INT_MAX, min(PG_INT_MAX, round(skew)))


def printed_copy(token: SignedToken | None, state: BatchState) -> bool:
    """Whether ``token`` is exactly a copy head office printed (its stored digest matches)."""
    if token is None:
        return False
    printed = state.printed.get(token.claims.serial)
    return printed is not None and printed == token.digest()


@dataclass(slots=True)
class Decision:
    item: OutboxItem
    outcome: ItemOutcome
    reason: Reason | PushProblem
    row: RedemptionRow | None  # None: nothing to insert (already stored)
    redemption_id: uuid.UUID | None = None
    first_outcome: ItemOutcome | None = None
    flagged: bool = False


@dataclass(frozen=True, slots=True)
class BatchContext:
    """What every item of one push is decided against (built once per push)."""

    device: DeviceContext
    state: BatchState
    public_keys: dict[int, Any]
    reads: TokenReads
    #: Digests of the copies head office printed: their signatures need no Ed25519 check.
    printed: frozenset[bytes]
    received_at: datetime
    skew: float | None
    skewed: bool
    settings: Settings
    received_iso: str = ""

    @classmethod
    def build(
        cls,
        device: DeviceContext,
        state: BatchState,
        public_keys: dict[int, Any],
        reads: TokenReads,
        received_at: datetime,
        sent_at: datetime | None,
        settings: Settings,
    ) -> BatchContext:
        skew = clock_skew(sent_at, received_at)
        skewed = skew is not None and abs(skew) > settings.clock_skew_tolerance_s
        return cls(
            device,
            state,
            public_keys,
            reads,
            frozenset(state.printed.values()),
            received_at,
            skew,
            skewed,
            settings,
            received_at.isoformat(),
        )


def decide(item: OutboxItem, batch: BatchContext) -> Decision:
    """The item's decision; text it keeps as evidence is sealed (``evidence``), a printed copy
    keeps none."""
    decision = _decide(item, batch)
    row = decision.row
    if row is not None and row["token"] is not None:
        row["token"] = evidence.seal(batch.settings.signing_key_secret, row["token"])
    return decision


def _decide(item: OutboxItem, batch: BatchContext) -> Decision:
    state, device = batch.state, batch.device
    existing = state.existing.get(item.id)
    if existing is not None:
        return Decision(
            item=item,
            outcome=ItemOutcome.DUPLICATE,
            reason=reason_of(existing.server_reason),
            row=None,
            redemption_id=item.id,
            first_outcome=ItemOutcome(existing.outcome),
        )
    received_at = batch.received_at
    future = (item.scanned_at - received_at).total_seconds() > batch.settings.clock_skew_tolerance_s
    flagged = batch.skewed or future
    item_id = str(item.id)
    location = item.location
    # JSON-ready plain values (an enum member costs pydantic_core's to_json a Python call, ~6x
    # slower): the Postgres path sends the rows as one JSON document as they are.
    row: RedemptionRow = {
        "id": item_id,
        "kind": item.kind.value,
        "outcome": "",  # set with the decision (``_settled``)
        "server_reason": "",
        "business_id": device.business_id,
        "device_id": device.device_id,
        "serial": None,
        "offer_id": None,
        "voucher_business_id": None,
        "variant": None,
        "token": pg_text(item.token),
        "source": item.source.value,
        "kiosk_reason": item.reason.value,
        "conflict_with": None,
        "scanned_at": item.scanned_at.astimezone(UTC).isoformat(),
        "received_at": batch.received_iso,
        "clock_skew_s": stored_skew(batch.skew),
        "latitude": location.lat if location else None,
        "longitude": location.lon if location else None,
        "sale_total": item.sale_total,
    }
    is_redemption = item.kind is ItemKind.REDEMPTION

    if item.device_id != device.device_id or item.business_id != device.business_id:
        if printed_copy(batch.reads.get(item.token), state):
            row["token"] = None  # not validated, but exactly a printed copy: never kept as text
        outcome = ItemOutcome.REJECTED if is_redemption else ItemOutcome.RECORDED
        return _settled(item, row, outcome, PushProblem.WRONG_DEVICE, flagged=True)

    decision = validate(
        batch.reads.get(item.token) or item.token,
        business_id=device.business_id,
        public_keys=batch.public_keys,
        revoked_serials=state.revoked,
        find_redemption=state.accepted.get,
        now=item.scanned_at,
        # Safe: these are the exact bytes head office signed (see ``tokens.verify``).
        trusted_digests=batch.printed,
    )
    claims = decision.claims
    if claims is not None:
        # A u64 serial beyond bigint only comes in a forged token; its text is kept.
        row["serial"] = claims.serial if fits_bigint(claims.serial) else None
        row["offer_id"] = claims.offer_id
        row["voucher_business_id"] = claims.business_id
        row["variant"] = claims.variant
        # A printed copy is not kept as text (a dump would redeem it): its serial rebuilds it.
        # Claims mean one of our keys signed them; head office signs a serial once, and Ed25519
        # (deterministic, strongly unforgeable) has one signature per claims and key, so a
        # verified token of a printed serial is that copy, byte for byte: no digest needed.
        row["token"] = None if claims.serial in state.printed else decision.token
        copies = (item.serial, item.offer_id, item.variant)
        if copies != (None, None, None) and copies != (
            claims.serial,
            claims.offer_id,
            claims.variant,
        ):
            outcome = ItemOutcome.REJECTED if is_redemption else ItemOutcome.RECORDED
            return _settled(item, row, outcome, PushProblem.ITEM_MISMATCH, flagged=True)

    if not is_redemption:
        return _settled(item, row, ItemOutcome.RECORDED, decision.reason, flagged=flagged)
    if decision.reason is Reason.VALID:
        assert claims is not None
        # Later items of this batch must see this one as the copy's redemption.
        state.accepted[claims.serial] = PriorRedemption(
            item_id, item.scanned_at, device.device_id, device.device_name
        )
        return _settled(item, row, ItemOutcome.ACCEPTED, Reason.VALID, flagged=flagged)
    if decision.reason is Reason.ALREADY_REDEEMED:
        assert decision.prior is not None
        row["conflict_with"] = decision.prior.redemption_id
        return _settled(
            item,
            row,
            ItemOutcome.CONFLICT,
            Reason.ALREADY_REDEEMED,
            redemption_id=uuid.UUID(decision.prior.redemption_id),
            flagged=True,
        )
    return _settled(item, row, ItemOutcome.REJECTED, decision.reason, flagged=True)


def _settled(
    item: OutboxItem,
    row: RedemptionRow,
    outcome: ItemOutcome,
    reason: Reason | PushProblem,
    **extra: Any,
) -> Decision:
    row["outcome"] = outcome.value
    row["server_reason"] = reason.value
    return Decision(item=item, outcome=outcome, reason=reason, row=row, **extra)


def reason_of(code: str) -> Reason | PushProblem:
    try:
        return Reason(code)
    except ValueError:
        return PushProblem(code)


class _ResultFields(TypedDict):
    """``sync_wire.PushItemResult``'s fields, in order, as plain values."""

    id: uuid.UUID
    outcome: ItemOutcome
    reason: Reason | PushProblem
    redemption_id: uuid.UUID | None
    first_outcome: ItemOutcome | None
    flagged: bool
    received_at: datetime


class _ResponseFields(TypedDict):
    """``sync_wire.PushResponse``'s fields, in order."""

    server_time: datetime
    clock_skew_s: float | None
    results: list[_ResultFields]


#: Serialises an answer without building and validating a model per item (about half the
#: cost for a batch); tests hold its bytes to the wire models'.
_RESPONSE_JSON = TypeAdapter(_ResponseFields)


@dataclass(frozen=True, slots=True)
class Answered:
    """A decided push, ready to store: the body, its outcome counts, the key's answer and the
    push's event."""

    body: bytes
    outcomes: Counter[tuple[str, str]]
    key_answer: KeyAnswer
    event: NewEvent


def answer(
    request: sync_wire.PushRequest,
    decisions: list[Decision],
    voided: list[sync_wire.PushItemResult],
    device: DeviceContext,
    idempotency_key: str,
    received_at: datetime,
    skew: float | None,
) -> Answered:
    """The response for every item in the kiosk's order, plus what the key row and log keep."""
    by_id: dict[uuid.UUID, _ResultFields] = {
        d.item.id: {
            "id": d.item.id,
            "outcome": d.outcome,
            "reason": d.reason,
            "redemption_id": d.redemption_id,
            "first_outcome": d.first_outcome,
            "flagged": d.flagged,
            "received_at": received_at,
        }
        for d in decisions
    }
    for v in voided:
        by_id[v.id] = _ResultFields(**v.model_dump())  # type: ignore[typeddict-item]
    results = [by_id[item.id] for item in request.items]
    body = _RESPONSE_JSON.dump_json(
        {"server_time": received_at, "clock_skew_s": skew, "results": results}
    )
    key_answer = KeyAnswer(device.device_id, idempotency_key, 200, body)
    event = NewEvent(
        occurred_at=received_at,
        kind="redemptions_pushed",
        business_id=device.business_id,
        actor=f"device:{device.device_id}",
        subject=f"device:{device.device_id}",
        payload={
            "idempotency_key": idempotency_key,
            "items": len(results),
            "outcomes": dict(Counter(r["outcome"].value for r in results)),
            "voids": len(voided),
            "clock_skew_s": skew,
        },
    )
    # Metrics count redemptions and scans; a void is neither (its answer is in the event log).
    outcomes = Counter((d.outcome.value, d.reason.value) for d in decisions)
    return Answered(body, outcomes, key_answer, event)
