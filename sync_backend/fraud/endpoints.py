"""Head office's fraud review list."""

from __future__ import annotations

from fastapi import APIRouter, Query

from sync_backend.auth import AdminAuth
from sync_backend.deps import ServicesDep, SessionDep
from sync_backend.fraud import repository, service
from sync_backend.fraud.runner import run_once
from sync_backend.fraud.schemas import FlagOut, ReviewIn, RunOut
from sync_backend.openapi import ADMIN_CREATE, ADMIN_READ, ADMIN_WRITE
from sync_backend.pg_types import PgId, PgText

router = APIRouter(prefix="/v1/admin/fraud", tags=["fraud"])


@router.get("/flags", response_model=list[FlagOut], **ADMIN_READ)
def list_flags(
    _admin: AdminAuth,
    session: SessionDep,
    status: PgText | None = "open",
    business_id: PgId | None = None,
    rule: PgText | None = None,
    limit: int = Query(100, ge=1, le=1000),
) -> list[FlagOut]:
    rows = repository.list_flags(
        session, status=status, business_id=business_id, rule=rule, limit=limit
    )
    return [FlagOut.model_validate(r) for r in rows]


@router.post("/flags/{flag_id}/review", response_model=FlagOut, **ADMIN_WRITE)
def review_flag(flag_id: PgId, body: ReviewIn, _admin: AdminAuth, session: SessionDep) -> FlagOut:
    return FlagOut.model_validate(
        service.review(session, flag_id, body.status.value, body.note, actor="admin")
    )


@router.post("/run", response_model=RunOut, **ADMIN_CREATE)
def run_now(_admin: AdminAuth, services: ServicesDep) -> RunOut:
    """Run the checks now (they also run every ``fraud_interval_s`` in the background)."""
    return RunOut(new_flags=run_once(services.sessionmaker, services.settings))
