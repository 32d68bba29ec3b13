"""Business rules for head office: a business and its tier (which sets its rate limit)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from sync_backend.businesses import repository
from sync_backend.errors import NotFound
from sync_backend.events import repository as events
from sync_backend.models import Business
from sync_backend.settings import Tier


def create(session: Session, *, name: str, tier: Tier, actor: str) -> Business:
    business = repository.add(session, name=name, tier=tier.value)
    events.append(
        session,
        kind="business_created",
        actor=actor,
        subject=f"business:{business.id}",
        business_id=business.id,
        payload={"name": name, "tier": tier.value},
    )
    return business


def get(session: Session, business_id: int) -> Business:
    business = repository.get(session, business_id)
    if business is None:
        raise NotFound(f"no business {business_id}")
    return business


def set_tier(session: Session, business_id: int, tier: Tier, actor: str) -> Business:
    business = get(session, business_id)
    previous = business.tier
    business.tier = tier.value
    events.append(
        session,
        kind="business_tier_changed",
        actor=actor,
        subject=f"business:{business_id}",
        business_id=business_id,
        payload={"from": previous, "to": tier.value},
    )
    return business
