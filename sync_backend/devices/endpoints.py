"""Routes for kiosks (enrol, rotate key) and head office (codes, list, revoke)."""

from __future__ import annotations

import base64
import io
from typing import Annotated

from fastapi import APIRouter, Path, Request

from pika_print.qr_symbol import qr_image
from pika_protocol import sync_wire
from sync_backend.auth import AdminAuth
from sync_backend.deps import LimiterDep, SessionDep, SettingsDep
from sync_backend.devices import repository, service
from sync_backend.devices.auth import AuthDevice
from sync_backend.devices.schemas import DeviceOut, EnrolmentCodeOut
from sync_backend.openapi import ADMIN_READ, ADMIN_WRITE, ENROL, KIOSK
from sync_backend.pg_types import PgId, PgText

router = APIRouter(tags=["devices"])


@router.post(sync_wire.ENROL_PATH, response_model=sync_wire.EnrolResponse, status_code=201, **ENROL)
def enrol(
    body: sync_wire.EnrolRequest,
    session: SessionDep,
    request: Request,
    settings: SettingsDep,
    limiter: LimiterDep,
) -> sync_wire.EnrolResponse:
    address = request.client.host if request.client else "unknown"
    limiter.hit_enrolment(address)
    return service.enrol(session, settings, body)


@router.post(sync_wire.ROTATE_KEY_PATH, response_model=sync_wire.KeyRotation, **KIOSK)
def rotate_key(
    device: AuthDevice, session: SessionDep, settings: SettingsDep, limiter: LimiterDep
) -> sync_wire.KeyRotation:
    limiter.hit_sync(device)  # the device's own budget, not its shop's tier
    return service.rotate_key(session, settings, device)


@router.post(
    "/v1/admin/businesses/{business_id}/enrolment-codes",
    response_model=EnrolmentCodeOut,
    status_code=201,
    **ADMIN_WRITE,
)
def create_enrolment_code(
    business_id: PgId, _admin: AdminAuth, session: SessionDep, settings: SettingsDep
) -> EnrolmentCodeOut:
    code, expires_at = service.create_enrolment_code(session, settings, business_id, actor="admin")
    qr_text = sync_wire.enrolment_uri(code, settings.public_url or None)
    png = io.BytesIO()
    qr_image(qr_text, box_size=8).save(png, format="PNG")
    return EnrolmentCodeOut(
        code=code,
        business_id=business_id,
        expires_at=expires_at,
        qr_text=qr_text,
        qr_png_base64=base64.b64encode(png.getvalue()).decode("ascii"),
    )


@router.get("/v1/admin/devices", response_model=list[DeviceOut], **ADMIN_READ)
def list_devices(
    _admin: AdminAuth, session: SessionDep, business_id: PgId | None = None
) -> list[DeviceOut]:
    return [DeviceOut.model_validate(d) for d in repository.list_devices(session, business_id)]


@router.post("/v1/admin/devices/{device_id}/revoke", status_code=204, **ADMIN_WRITE)
def revoke_device(
    device_id: Annotated[PgText, Path(max_length=36)], _admin: AdminAuth, session: SessionDep
) -> None:
    service.revoke_device(session, device_id, actor="admin")
