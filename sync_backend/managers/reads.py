"""What a manager (or head office) reads: one dashboard per business, head
office's overview of every business, and the business's own kiosks, redemptions and flags.

The reads take ``ReadSessionDep``: the read replica when ``read_replica_url`` names one (they
may then be a moment behind; ``pika_replica_lag_seconds`` says how much), the primary
otherwise. Who is asking (``ViewerAuth``) and reviewing a flag (a write) stay on the
primary: a key made or revoked a moment ago counts at once."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict

from pika_protocol import analytics_wire as wire
from sync_backend.analytics import history
from sync_backend.analytics.dashboard import dashboard, kiosk_hours
from sync_backend.analytics.lifecycle import BusinessCalendar
from sync_backend.analytics.scope import make_scope
from sync_backend.deps import ReadSessionDep, SessionDep, SettingsDep
from sync_backend.devices import repository as devices
from sync_backend.errors import NotFound
from sync_backend.fraud import repository as fraud_flags
from sync_backend.fraud import service as fraud
from sync_backend.fraud.schemas import FlagOut, ReviewIn
from sync_backend.managers.viewer import ViewerAuth
from sync_backend.models import Business
from sync_backend.openapi import MANAGER_READ, MANAGER_READ_ALL, MANAGER_WRITE
from sync_backend.pg_types import PgId

router = APIRouter(prefix="/v1/analytics", tags=["analytics"])
Bucket = Literal["day", "week", "month"]


class KioskOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    name: str
    created_at: datetime
    revoked_at: datetime | None


@router.get("/me", response_model=wire.Viewer, **MANAGER_READ_ALL)
def whoami(viewer: ViewerAuth, session: SessionDep) -> wire.Viewer:
    if viewer.business_id is None:
        return wire.Viewer(role="head_office", business_id=None, business_name=None)
    business = session.get(Business, viewer.business_id)
    return wire.Viewer(
        role="manager",
        business_id=viewer.business_id,
        business_name=business.name if business else None,
        rotate_key=bool(viewer.manager and viewer.manager.rotate_key),
    )


@router.get("/businesses/{business_id}/dashboard", response_model=wire.DashboardOut, **MANAGER_READ)
def business_dashboard(
    business_id: PgId,
    viewer: ViewerAuth,
    session: ReadSessionDep,
    first_day: date,
    last_day: date,
    offer_id: PgId | None = None,
    variant: int | None = Query(None, ge=0, le=255),
    bucket: Bucket = "month",
) -> wire.DashboardOut:
    viewer.may_read(business_id)
    scope = make_scope(
        session,
        business_id=business_id,
        first_day=first_day,
        last_day=last_day,
        offer_id=offer_id,
        variant=variant,
    )
    return dashboard(session, scope, bucket)


@router.get(
    "/businesses/{business_id}/hour-weekday", response_model=wire.KioskHoursOut, **MANAGER_READ
)
def hour_weekday(
    business_id: PgId,
    viewer: ViewerAuth,
    session: ReadSessionDep,
    first_day: date,
    last_day: date,
    kiosk: str | None = Query(
        None, min_length=1, max_length=36, description="a kiosk's device id; none: every kiosk"
    ),
) -> wire.KioskHoursOut:
    """Redemptions by weekday and hour for one kiosk of the business (every offer, as the
    dashboard's map); 404 ``unknown_kiosk`` for a kiosk that is not this business's."""
    viewer.may_read(business_id)
    scope = make_scope(session, business_id=business_id, first_day=first_day, last_day=last_day)
    return kiosk_hours(session, scope, kiosk)


@router.get("/overview", response_model=wire.DashboardOut, **MANAGER_READ_ALL)
def overview(
    viewer: ViewerAuth,
    session: ReadSessionDep,
    first_day: date,
    last_day: date,
    bucket: Bucket = "month",
) -> wire.DashboardOut:
    viewer.head_office_only()
    scope = make_scope(session, business_id=None, first_day=first_day, last_day=last_day)
    return dashboard(session, scope, bucket)


@router.get("/businesses/{business_id}/kiosks", response_model=list[KioskOut], **MANAGER_READ)
def kiosks(business_id: PgId, viewer: ViewerAuth, session: ReadSessionDep) -> list[KioskOut]:
    viewer.may_read(business_id)
    return [KioskOut.model_validate(d) for d in devices.list_devices(session, business_id)]


@router.get(
    "/businesses/{business_id}/redemptions",
    response_model=list[history.RedemptionOut],
    **MANAGER_READ,
)
def redemptions(
    business_id: PgId,
    viewer: ViewerAuth,
    session: ReadSessionDep,
    settings: SettingsDep,
    first_day: date,
    last_day: date,
    limit: int = Query(200, ge=1, le=1000),
) -> list[history.RedemptionOut]:
    viewer.may_read(business_id)
    make_scope(session, business_id=business_id, first_day=first_day, last_day=last_day)
    return history.redemptions(
        session,
        BusinessCalendar.named(settings.analytics_timezone),
        business_id=business_id,
        first_day=first_day,
        last_day=last_day,
        limit=limit,
    )


@router.get("/businesses/{business_id}/fraud-flags", response_model=list[FlagOut], **MANAGER_READ)
def flags(
    business_id: PgId,
    viewer: ViewerAuth,
    session: ReadSessionDep,
    status: Literal["open", "confirmed", "dismissed"] | None = "open",
    limit: int = Query(100, ge=1, le=1000),
) -> list[FlagOut]:
    viewer.may_read(business_id)
    rows = fraud_flags.list_flags(
        session, status=status, business_id=business_id, rule=None, limit=limit
    )
    return [FlagOut.model_validate(r) for r in rows]


@router.post(
    "/businesses/{business_id}/fraud-flags/{flag_id}/review",
    response_model=FlagOut,
    **MANAGER_WRITE,
)
def review_flag(
    business_id: PgId, flag_id: PgId, body: ReviewIn, viewer: ViewerAuth, session: SessionDep
) -> FlagOut:
    viewer.may_read(business_id)
    flag = fraud_flags.get_flag(session, flag_id)
    if flag is None or flag.business_id != business_id:
        raise NotFound(f"no fraud flag {flag_id} for business {business_id}")
    actor = f"manager:{viewer.manager.manager_id}" if viewer.manager else "admin"
    return FlagOut.model_validate(
        fraud.review(session, flag_id, body.status.value, body.note, actor=actor)
    )
