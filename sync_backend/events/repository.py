"""Writes and reads the append-only event log (rows are never updated or deleted).

The one writer of the log: every domain appends through :func:`append` or, several at once
(a group of pushes), :func:`append_many`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session
from typing_extensions import TypedDict

from sync_backend.dialects import dialect_of
from sync_backend.models import Event, utcnow


class NewEvent(TypedDict):
    """One event to append, as its row holds it."""

    occurred_at: datetime
    kind: str
    business_id: int | None
    actor: str
    subject: str
    payload: dict[str, Any]


#: The table :func:`append_many` writes (typed as the table it is).
_EVENTS = cast(sa.Table, Event.__table__)


def append(
    session: Session,
    *,
    kind: str,
    actor: str,
    subject: str,
    business_id: int | None = None,
    payload: dict[str, Any] | None = None,
    occurred_at: datetime | None = None,
) -> None:
    append_many(
        session,
        [
            NewEvent(
                occurred_at=occurred_at or utcnow(),
                kind=kind,
                business_id=business_id,
                actor=actor,
                subject=subject,
                payload=payload or {},
            )
        ],
    )


def append_many(session: Session, events: Sequence[NewEvent]) -> None:
    """Append ``events`` in their order, in one statement. On Postgres it joins the caller's
    pipeline when one is open (the push writes its events with its rows and answers)."""
    dialect_of(session).insert_rows(session, _EVENTS, events)


def recent(session: Session, *, limit: int, business_id: int | None = None) -> list[Event]:
    query = sa.select(Event).order_by(Event.id.desc()).limit(limit)
    if business_id is not None:
        query = query.where(Event.business_id == business_id)
    return list(session.scalars(query))
