"""Writes and reads the append-only event log (rows are never updated or deleted)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sync_backend.models import Event, utcnow


def append(
    session: Session,
    *,
    kind: str,
    actor: str,
    subject: str,
    business_id: int | None = None,
    payload: dict[str, Any] | None = None,
) -> None:
    session.execute(
        sa.insert(Event).values(
            occurred_at=utcnow(),
            kind=kind,
            actor=actor,
            subject=subject,
            business_id=business_id,
            payload=payload or {},
        )
    )


def recent(session: Session, *, limit: int, business_id: int | None = None) -> list[Event]:
    query = sa.select(Event).order_by(Event.id.desc()).limit(limit)
    if business_id is not None:
        query = query.where(Event.business_id == business_id)
    return list(session.scalars(query))
