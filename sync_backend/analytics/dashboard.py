"""One dashboard answer from the figures: what the manager app (and head office) shows."""

from __future__ import annotations

from dataclasses import asdict

import sqlalchemy as sa
from sqlalchemy.orm import Session

from pika_protocol.analytics_wire import (
    BusinessChoice,
    ComparisonOut,
    DashboardOut,
    FunnelOut,
    FunnelStepOut,
    HourWeekdayOut,
    KioskHoursOut,
    KioskOut,
    OfferABOut,
    OfferChoice,
    RankedBusinessOut,
    RoiOut,
    VariantOut,
)
from sync_backend.analytics import figures
from sync_backend.analytics.money import Period, ReturnOnInvestment
from sync_backend.analytics.scope import Scope
from sync_backend.errors import NotFound
from sync_backend.models import Business, Device, Offer, utcnow

BUCKETS = ("day", "week", "month")


def _roi(period: Period, roi: ReturnOnInvestment) -> RoiOut:
    return RoiOut(first_day=period.first_day, last_day=period.last_day, **asdict(roi))


def _offers(session: Session, business_id: int | None) -> list[OfferChoice]:
    query = sa.select(Offer.id, Offer.title, Offer.variants).order_by(Offer.id)
    if business_id is not None:
        query = query.where(Offer.business_id == business_id)
    return [
        OfferChoice(
            id=offer_id,
            title=title,
            variants={int(v["variant"]): str(v["label"]) for v in variants or []},
        )
        for offer_id, title, variants in session.execute(query)
    ]


def _grid(grid: figures.HourWeekday) -> HourWeekdayOut:
    return HourWeekdayOut(redeemed=[list(r) for r in grid.redeemed], busiest=list(grid.busiest))


def kiosk_hours(session: Session, scope: Scope, device_id: str | None) -> KioskHoursOut:
    """The hour × weekday map of one kiosk of ``scope``'s business (None: all its kiosks).

    A kiosk of another business answers exactly as one that does not exist (404
    ``unknown_kiosk``): a manager learns nothing of other businesses' kiosks."""
    assert scope.business_id is not None, "a kiosk's map is asked per business"
    name = None
    if device_id is not None:
        kiosk = session.get(Device, device_id)
        if kiosk is None or kiosk.business_id != scope.business_id:
            raise NotFound(f"no kiosk {device_id} in this business", code="unknown_kiosk")
        name = kiosk.name
    return KioskHoursOut(
        business_id=scope.business_id,
        device_id=device_id,
        kiosk_name=name,
        first_day=scope.period.first_day,
        last_day=scope.period.last_day,
        as_of=utcnow(),
        hour_weekday=_grid(figures.hour_weekday(session, scope, device_id)),
    )


def dashboard(session: Session, scope: Scope, bucket: str = "month") -> DashboardOut:
    """Every figure for ``scope``; a business's ROI, or head office's ranking of all."""
    funnel = figures.funnel(session, scope)
    grid = figures.hour_weekday(session, scope)
    business = session.get(Business, scope.business_id) if scope.business_id else None
    per_business = scope.business_id is not None
    whole, points = figures.roi(session, scope, bucket) if per_business else (None, [])
    return DashboardOut(
        business_id=scope.business_id,
        business_name=business.name if business else None,
        first_day=scope.period.first_day,
        last_day=scope.period.last_day,
        offer_id=scope.offer_id,
        variant=scope.variant,
        as_of=utcnow(),
        funnel=FunnelOut(
            steps=[FunnelStepOut(**asdict(s)) for s in funnel.steps],
            refused_by_reason=funnel.refused_by_reason,
            printed=funnel.printed,
            has_data=funnel.has_data,
        ),
        roi=_roi(scope.period, whole) if whole else None,
        roi_over_time=[_roi(p.period, p.roi) for p in points],
        hour_weekday=_grid(grid),
        kiosks=[KioskOut(**asdict(k)) for k in figures.per_kiosk(session, scope)],
        ab_tests=[
            OfferABOut(
                offer_id=o.offer_id,
                title=o.title,
                variants=[VariantOut(**asdict(v)) for v in o.result.variants],
                required_per_variant=o.result.required_per_variant,
                verdict=o.result.verdict.value,
                winner=o.result.winner,
                comparisons=[ComparisonOut(**asdict(c)) for c in o.result.comparisons],
            )
            for o in figures.ab_results(session, scope)
        ],
        offers=_offers(session, scope.business_id),
        businesses=[]
        if per_business
        else [
            BusinessChoice(id=i, name=n)
            for i, n in session.execute(
                sa.select(Business.id, Business.name).order_by(Business.name)
            )
        ],
        ranking=[]
        if per_business
        else [
            RankedBusinessOut(business_id=r.business_id, name=r.name, roi=_roi(scope.period, r.roi))
            for r in figures.ranking(session, scope.period)
        ],
    )
