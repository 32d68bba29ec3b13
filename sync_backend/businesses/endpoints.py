"""Head office routes for businesses."""

from __future__ import annotations

from fastapi import APIRouter

from sync_backend.auth import AdminAuth
from sync_backend.businesses import repository, service
from sync_backend.businesses.schemas import BusinessIn, BusinessOut, TierIn
from sync_backend.deps import SessionDep
from sync_backend.openapi import ADMIN_CREATE, ADMIN_READ, ADMIN_WRITE
from sync_backend.pg_types import PgId

router = APIRouter(prefix="/v1/admin/businesses", tags=["businesses"])


@router.post("", response_model=BusinessOut, status_code=201, **ADMIN_CREATE)
def create_business(body: BusinessIn, _admin: AdminAuth, session: SessionDep) -> BusinessOut:
    return BusinessOut.model_validate(
        service.create(session, name=body.name, tier=body.tier, actor="admin")
    )


@router.get("", response_model=list[BusinessOut], **ADMIN_READ)
def list_businesses(_admin: AdminAuth, session: SessionDep) -> list[BusinessOut]:
    return [BusinessOut.model_validate(b) for b in repository.list_all(session)]


@router.put("/{business_id}/tier", response_model=BusinessOut, **ADMIN_WRITE)
def set_tier(
    business_id: PgId, body: TierIn, _admin: AdminAuth, session: SessionDep
) -> BusinessOut:
    return BusinessOut.model_validate(service.set_tier(session, business_id, body.tier, "admin"))
