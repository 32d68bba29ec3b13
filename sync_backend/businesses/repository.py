"""Every query about businesses."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sync_backend.models import Business, utcnow


def add(session: Session, *, name: str, tier: str) -> Business:
    business = Business(name=name, tier=tier, created_at=utcnow())
    session.add(business)
    session.flush()
    return business


def get(session: Session, business_id: int) -> Business | None:
    return session.get(Business, business_id)


def list_all(session: Session) -> list[Business]:
    return list(session.scalars(sa.select(Business).order_by(Business.id)))
