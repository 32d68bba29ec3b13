"""Admin API shapes for the fraud review list."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from sync_backend.pg_types import PgText


class ReviewStatus(StrEnum):
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"


class FlagOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    rule: str
    business_id: int | None
    device_id: str | None
    serial: int | None
    evidence: dict[str, Any]
    created_at: datetime
    status: str
    reviewed_at: datetime | None
    review_note: str | None


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: ReviewStatus
    note: PgText = Field(default="", max_length=2000)


class RunOut(BaseModel):
    new_flags: int
