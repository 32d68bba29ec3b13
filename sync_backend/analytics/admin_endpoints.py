"""Head office's analytics records by API (the CLI does the same): distributions, payments,
usual ticket."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from sync_backend.analytics import records
from sync_backend.analytics.lifecycle import BusinessCalendar, PaymentKind
from sync_backend.analytics.money import MAX_GUARANIES
from sync_backend.auth import AdminAuth
from sync_backend.deps import SessionDep, SettingsDep
from sync_backend.models import utcnow
from sync_backend.openapi import ADMIN_WRITE
from sync_backend.pg_types import PgId, PgText

router = APIRouter(prefix="/v1/admin", tags=["analytics"])


class DistributionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    first_copy: int = Field(ge=1, le=2**31 - 1)
    last_copy: int = Field(ge=1, le=2**31 - 1)
    place: PgText = Field(min_length=1, max_length=records.MAX_PLACE_LENGTH)
    handed_out_on: date


class PaymentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: PaymentKind
    amount: int = Field(ge=1, le=MAX_GUARANIES)
    starts: date
    ends: date | None = None
    note: PgText | None = Field(default=None, max_length=200)


class PaymentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    business_id: int
    kind: str
    amount: int
    starts: date
    ends: date | None


class UsualTicketIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    amount: int = Field(ge=1, le=MAX_GUARANIES)


@router.post(
    "/books/{book_id}/distributions",
    response_model=records.DistributionRecord,
    status_code=201,
    **ADMIN_WRITE,
)
def distribute(
    book_id: PgId,
    body: DistributionIn,
    _admin: AdminAuth,
    session: SessionDep,
    settings: SettingsDep,
) -> records.DistributionRecord:
    calendar = BusinessCalendar.named(settings.analytics_timezone)
    done = records.record_distribution(
        session,
        calendar,
        book_id=book_id,
        first_copy=body.first_copy,
        last_copy=body.last_copy,
        place=body.place,
        handed_out_on=body.handed_out_on,
        today=calendar.local(utcnow())[0],
    )
    return done


@router.post(
    "/businesses/{business_id}/payments",
    response_model=PaymentOut,
    status_code=201,
    **ADMIN_WRITE,
)
def pay(business_id: PgId, body: PaymentIn, _admin: AdminAuth, session: SessionDep) -> PaymentOut:
    row = records.record_payment(
        session,
        business_id=business_id,
        kind=body.kind,
        amount=body.amount,
        starts=body.starts,
        ends=body.ends,
        note=body.note,
    )
    return PaymentOut.model_validate(row)


@router.put("/businesses/{business_id}/usual-ticket", status_code=204, **ADMIN_WRITE)
def usual_ticket(
    business_id: PgId, body: UsualTicketIn, _admin: AdminAuth, session: SessionDep
) -> None:
    records.set_usual_ticket(session, business_id, body.amount)
