"""The one writer of lifecycle events (append-only; a ``source_key`` recorded twice is skipped).

Only the analytics projector writes the rollups, so no two transactions ever wait on one
rollup row. Head office's requests (a print run, a distribution) :func:`append` their events in
their own transaction; the projector rolls them up once that transaction has finished
(``projector.roll_up_head_office_events``). The events the projector makes itself (scans,
redemptions, voids, expiries) it appends and rolls up at once: :func:`record`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from sync_backend.analytics import rollups
from sync_backend.analytics.lifecycle import BusinessCalendar, LifecycleDraft
from sync_backend.models import LifecycleEvent


def _row(draft: LifecycleDraft, calendar: BusinessCalendar) -> dict[str, Any]:
    day, hour = calendar.local(draft.occurred_at)
    return {
        "source_key": draft.source_key,
        "kind": draft.kind.value,
        "occurred_at": draft.occurred_at,
        "local_day": day,
        "local_hour": hour,
        "business_id": draft.business_id,
        "offer_id": draft.offer_id,
        "variant": draft.variant,
        "device_id": draft.device_id,
        "quantity": draft.quantity,
        "reason": draft.reason,
        "sale_total": draft.sale_total,
        "discount": draft.discount,
    }


def append(
    session: Session, drafts: Sequence[LifecycleDraft], calendar: BusinessCalendar
) -> list[dict[str, Any]]:
    """Append the drafts not recorded yet; returns the new events' rows."""
    if not drafts:
        return []
    rows: dict[str, dict[str, Any]] = {}
    for draft in drafts:  # one batch may name an event twice (a row read again): keep one
        rows.setdefault(draft.source_key, _row(draft, calendar))
    insert = rollups.insert_for(session)
    statement = (
        insert(LifecycleEvent.__table__)
        .on_conflict_do_nothing(index_elements=["source_key"])
        .returning(LifecycleEvent.source_key)
    )
    new_keys = set(session.execute(statement, list(rows.values())).scalars())
    return [row for key, row in rows.items() if key in new_keys]


def record(session: Session, drafts: Sequence[LifecycleDraft], calendar: BusinessCalendar) -> int:
    """Append and roll up at once (the projector's own events); returns how many were new."""
    new = append(session, drafts, calendar)
    rollups.apply(session, new)
    return len(new)
