"""A business's own records, as its manager may read them: its kiosks' redemptions and scans."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from sync_backend.analytics.lifecycle import BusinessCalendar
from sync_backend.models import Device, Redemption


class RedemptionOut(BaseModel):
    """One pushed item of the business's kiosks (evidence text is never shown here)."""

    model_config = ConfigDict(from_attributes=True)
    id: str
    kind: str
    outcome: str
    device_id: str
    device_name: str | None
    serial: int | None
    offer_id: int | None
    variant: int | None
    reason: str
    scanned_at: datetime
    received_at: datetime
    voided_at: datetime | None
    sale_total: int | None


def redemptions(
    session: Session,
    calendar: BusinessCalendar,
    *,
    business_id: int,
    first_day: date,
    last_day: date,
    limit: int,
) -> list[RedemptionOut]:
    """The newest first, scanned on the shops' calendar days ``first_day``..``last_day``."""
    start = datetime.combine(first_day, time(0), tzinfo=calendar.timezone)
    end = datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=calendar.timezone)
    r = Redemption
    rows = session.execute(
        sa.select(
            r.id,
            r.kind,
            r.outcome,
            r.device_id,
            Device.name,
            r.serial,
            r.offer_id,
            r.variant,
            r.server_reason,
            r.scanned_at,
            r.received_at,
            r.voided_at,
            r.sale_total,
        )
        .outerjoin(Device, Device.id == r.device_id)
        .where(r.business_id == business_id, r.scanned_at >= start, r.scanned_at < end)
        .order_by(r.scanned_at.desc(), r.id)
        .limit(limit)
    ).all()
    return [
        RedemptionOut(
            id=str(row[0]),
            kind=row[1],
            outcome=row[2],
            device_id=row[3],
            device_name=row[4],
            serial=row[5],
            offer_id=row[6],
            variant=row[7],
            reason=row[8],
            scanned_at=row[9],
            received_at=row[10],
            voided_at=row[11],
            sale_total=row[12],
        )
        for row in rows
    ]
