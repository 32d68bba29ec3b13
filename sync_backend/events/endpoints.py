"""Head office reads the event log."""

from __future__ import annotations

from fastapi import APIRouter, Query

from sync_backend.auth import AdminAuth
from sync_backend.deps import SessionDep
from sync_backend.events import repository
from sync_backend.events.schemas import EventOut
from sync_backend.openapi import ADMIN_READ
from sync_backend.pg_types import PgId

router = APIRouter(prefix="/v1/admin/events", tags=["events"])


@router.get("", response_model=list[EventOut], **ADMIN_READ)
def list_events(
    _admin: AdminAuth,
    session: SessionDep,
    business_id: PgId | None = None,
    limit: int = Query(100, ge=1, le=1000),
) -> list[EventOut]:
    rows = repository.recent(session, limit=limit, business_id=business_id)
    return [EventOut.model_validate(r) for r in rows]
