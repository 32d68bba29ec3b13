"""Admin API shapes for the event log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class EventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    occurred_at: datetime
    kind: str
    business_id: int | None
    actor: str
    subject: str
    payload: dict[str, Any]
