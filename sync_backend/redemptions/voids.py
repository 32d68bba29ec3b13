"""A kiosk ``void``: take back one of the device's own redemptions.

The row is marked voided (its copy is free again) in the kiosk's order within the batch, and
logged as a ``redemption_voided`` event. Only the pushing device's own, known, not yet voided
redemption can be voided; a refusal changes nothing and says why; the same void sent again
answers ``duplicate`` (first outcome ``accepted``).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from pika_protocol import sync_wire
from pika_protocol.sync_wire import ItemKind, ItemOutcome, PushProblem, VoidItem
from pika_protocol.validation import Reason
from sync_backend.devices.service import DeviceContext
from sync_backend.events import repository as events
from sync_backend.pg_types import pg_text
from sync_backend.redemptions import repository
from sync_backend.redemptions.rows import BatchState


def void(
    session: Session,
    item: VoidItem,
    device: DeviceContext,
    state: BatchState,
    received_at: datetime,
) -> sync_wire.PushItemResult:
    """Apply one kiosk void (the batch's items before it are already written)."""

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
            events.append(
                session,
                occurred_at=received_at,
                kind="redemption_voided",
                business_id=device.business_id,
                actor=f"device:{device.device_id}",
                subject=f"redemption:{item.redemption_id}",
                payload={
                    "void_id": str(item.id),
                    "redemption_id": str(item.redemption_id),
                    "serial": target.serial,
                    "void_reason": pg_text(item.void_reason),
                    "voided_at": item.voided_at.astimezone(UTC).isoformat(),
                },
            )
            return answer(ItemOutcome.ACCEPTED, Reason.VALID)
        # Another request voided it between the read and the update: read again to say which.
    raise RuntimeError(f"could not settle the void of redemption {item.redemption_id}")
