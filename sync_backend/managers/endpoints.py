"""Routes for the manager app (sign in, rotate its key) and head office (invite, list, revoke)."""

from __future__ import annotations

import base64
import io
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, ConfigDict

from pika_print.qr_symbol import qr_image
from pika_protocol import analytics_wire as wire
from sync_backend.auth import AdminAuth
from sync_backend.deps import LimiterDep, SessionDep, SettingsDep
from sync_backend.managers import service
from sync_backend.managers.viewer import ManagerAuth
from sync_backend.openapi import ADMIN_READ, ADMIN_WRITE, ENROL, MANAGER_ROTATE
from sync_backend.pg_types import PgId, PgText, pg_text

router = APIRouter(tags=["managers"])


class InvitationOut(BaseModel):
    code: str
    business_id: int
    expires_at: datetime
    qr_text: str
    qr_png_base64: str


class ManagerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    business_id: int
    name: str
    created_at: datetime
    revoked_at: datetime | None


@router.post(
    wire.MANAGER_ENROL_PATH, response_model=wire.ManagerEnrolment, status_code=201, **ENROL
)
def enrol(
    body: wire.ManagerEnrolRequest,
    session: SessionDep,
    settings: SettingsDep,
    limiter: LimiterDep,
    request: Request,
) -> wire.ManagerEnrolment:
    # each attempt is a guess at a one-time code: counted per address, as a kiosk's enrolment
    limiter.hit_enrolment(request.client.host if request.client else "unknown")
    done = service.enrol(session, settings, body.code, pg_text(body.name))
    return wire.ManagerEnrolment(
        manager_id=done.manager_id,
        api_key=done.api_key,
        business_id=done.business_id,
        business_name=done.business_name,
        rotate_after=done.rotate_after,
    )


@router.post(wire.MANAGER_ROTATE_PATH, response_model=wire.ManagerKeyRotation, **MANAGER_ROTATE)
def rotate_key(
    manager: ManagerAuth, session: SessionDep, settings: SettingsDep
) -> wire.ManagerKeyRotation:
    done = service.rotate_key(session, settings, manager)
    return wire.ManagerKeyRotation(
        api_key=done.api_key,
        rotate_after=done.rotate_after,
        previous_key_expires_at=done.previous_key_expires_at,
    )


@router.post(
    "/v1/admin/businesses/{business_id}/manager-invitations",
    response_model=InvitationOut,
    status_code=201,
    **ADMIN_WRITE,
)
def invite(
    business_id: PgId, _admin: AdminAuth, session: SessionDep, settings: SettingsDep
) -> InvitationOut:
    invitation = service.invite(session, settings, business_id, actor="admin")
    qr_text = wire.invitation_uri(invitation.code, settings.public_url or None)
    png = io.BytesIO()
    qr_image(qr_text, box_size=8).save(png, format="PNG")
    return InvitationOut(
        code=invitation.code,
        business_id=business_id,
        expires_at=invitation.expires_at,
        qr_text=qr_text,
        qr_png_base64=base64.b64encode(png.getvalue()).decode("ascii"),
    )


@router.get("/v1/admin/managers", response_model=list[ManagerOut], **ADMIN_READ)
def list_managers(
    _admin: AdminAuth, session: SessionDep, business_id: PgId | None = None
) -> list[ManagerOut]:
    return [ManagerOut.model_validate(m) for m in service.list_managers(session, business_id)]


@router.post("/v1/admin/managers/{manager_id}/revoke", status_code=204, **ADMIN_WRITE)
def revoke(
    manager_id: Annotated[PgText, Path(max_length=36)], _admin: AdminAuth, session: SessionDep
) -> None:
    service.revoke(session, manager_id, actor="admin")
