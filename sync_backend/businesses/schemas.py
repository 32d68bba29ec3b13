"""Admin API shapes for businesses."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from sync_backend.pg_types import PgText
from sync_backend.settings import Tier


class BusinessIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: PgText = Field(min_length=1, max_length=200)
    tier: Tier = Tier.BASIC


class TierIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tier: Tier


class BusinessOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    tier: Tier
    created_at: datetime
