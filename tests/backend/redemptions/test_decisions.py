"""The push answer is serialised from plain values: it must be the wire models' exact bytes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from pika_protocol import sync_wire
from pika_protocol.sync_wire import ItemOutcome
from pika_protocol.validation import Reason
from sync_backend.devices.service import DeviceContext
from sync_backend.redemptions import decisions
from sync_backend.redemptions.decisions import Decision

NOW = datetime(2026, 11, 25, 18, 8, 20, 951174, tzinfo=UTC)
# Any clock read the tests do not inject sees NOW too (tests/support/date_guard.py).
pytestmark = pytest.mark.time_machine(NOW)
DEVICE = DeviceContext("dev-1", "Caja 1", 7, "PREMIUM", False)


def result(d: Decision) -> sync_wire.PushItemResult:
    """The wire model for a decision: what the answer's bytes must equal."""
    return sync_wire.PushItemResult(
        id=d.item.id,
        outcome=d.outcome,
        reason=d.reason,
        redemption_id=d.redemption_id,
        first_outcome=d.first_outcome,
        flagged=d.flagged,
        received_at=NOW,
    )


def item() -> sync_wire.OutboxItem:
    return sync_wire.OutboxItem.model_validate(
        {
            "id": str(uuid.uuid4()),
            "kind": "redemption",
            "token": "A" * 148,
            "business_id": 7,
            "reason": "valid",
            "scanned_at": (NOW - timedelta(minutes=3)).isoformat(),
            "device_id": "dev-1",
            "source": "camera",
        }
    )


def test_answer_body_is_byte_for_byte_the_push_response_model() -> None:
    a, b, c = item(), item(), item()
    decided = [
        Decision(a, ItemOutcome.ACCEPTED, Reason.VALID, row={}),
        Decision(
            b,
            ItemOutcome.CONFLICT,
            Reason.ALREADY_REDEEMED,
            row={},
            redemption_id=a.id,
            flagged=True,
        ),
        Decision(
            c,
            ItemOutcome.DUPLICATE,
            Reason.VALID,
            row=None,
            redemption_id=c.id,
            first_outcome=ItemOutcome.ACCEPTED,
        ),
    ]
    request = sync_wire.PushRequest.model_construct(items=[a, b, c], sent_at=None)
    for skew in (None, -1.5, 12.0):
        answered = decisions.answer(request, decided, [], DEVICE, "key", NOW, skew)
        model = sync_wire.PushResponse(
            server_time=NOW, clock_skew_s=skew, results=[result(d) for d in decided]
        )
        assert answered.body == model.model_dump_json().encode()
        assert sync_wire.PushResponse.model_validate_json(answered.body) == model


def test_void_results_go_in_the_kiosks_order_with_the_same_bytes() -> None:
    a = item()
    void = sync_wire.PushItemResult(
        id=uuid.uuid4(),
        outcome=ItemOutcome.DUPLICATE,
        reason=Reason.VALID,
        redemption_id=a.id,
        first_outcome=ItemOutcome.ACCEPTED,
        received_at=NOW,
    )
    void_item = sync_wire.VoidItem.model_validate(
        {
            "id": str(void.id),
            "kind": "void",
            "redemption_id": str(a.id),
            "void_reason": "undo",
            "voided_at": NOW.isoformat(),
            "business_id": 7,
            "device_id": "dev-1",
        }
    )
    decided = [Decision(a, ItemOutcome.ACCEPTED, Reason.VALID, row={})]
    request = sync_wire.PushRequest.model_construct(items=[void_item, a], sent_at=None)
    answered = decisions.answer(request, decided, [void], DEVICE, "key", NOW, None)
    model = sync_wire.PushResponse(
        server_time=NOW, clock_skew_s=None, results=[void, result(decided[0])]
    )
    assert answered.body == model.model_dump_json().encode()


def test_a_printed_copy_skips_the_signature_maths_and_any_other_bytes_do_not() -> None:
    """``decide`` passes the printed copies' digests as ``trusted_digests``: the exact bytes
    head office signed are accepted without Ed25519 (shown with a key that would refuse
    them), one flipped signature bit is verified for real and refused."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from pika_protocol import tokens
    from sync_backend.redemptions.rows import BatchState
    from tests.backend.support import make_settings

    signer = Ed25519PrivateKey.from_private_bytes(b"\x05" * 32)
    refusing = {1: Ed25519PrivateKey.from_private_bytes(b"\x06" * 32).public_key()}
    claims = tokens.VoucherClaims(
        key_id=1,
        business_id=7,
        offer_id=3,
        serial=99,
        valid_from=int((NOW - timedelta(days=1)).timestamp()),
        valid_until=int((NOW + timedelta(days=30)).timestamp()),
    )
    printed = tokens.sign(claims, signer)
    raw = bytearray(tokens.token_bytes(printed) or b"")
    raw[-1] ^= 1
    forged = tokens.encode(bytes(raw))
    settings = make_settings("sqlite://")

    def decide(text: str) -> Decision:
        scan = item().model_copy(update={"token": text})
        state = BatchState(printed={99: tokens.read(printed).digest()})
        reads = decisions.read_tokens([scan])
        batch = decisions.BatchContext.build(DEVICE, state, refusing, reads, NOW, None, settings)
        return decisions.decide(scan, batch)

    accepted = decide(printed)
    assert (accepted.outcome, accepted.reason) == (ItemOutcome.ACCEPTED, Reason.VALID)
    refused = decide(forged)
    assert (refused.outcome, refused.reason) == (ItemOutcome.REJECTED, Reason.FORGED)
