"""A realistic year of one business's dashboard (and head office's overview), as head office
would answer it: for the manager app's paint benchmark and its screenshots.

Deterministic (a seeded generator): seasonal months (December busy, February quiet), a
weekday and hour profile (lunch and after-work peaks, Saturdays), one A/B test with a real
winner and one without. The arithmetic follows docs/analytics.md (ROI, Wilson intervals,
the pooled two-proportion z-test), so the figures are consistent with one another.
"""

from __future__ import annotations

import math
import random
from calendar import monthrange
from datetime import UTC, date, datetime

from pika_protocol.analytics_wire import (
    BusinessChoice,
    ComparisonOut,
    DashboardOut,
    FunnelOut,
    FunnelStepOut,
    HourWeekdayOut,
    KioskOut,
    OfferABOut,
    OfferChoice,
    RankedBusinessOut,
    RoiOut,
    VariantOut,
)

YEAR = 2025
AS_OF = datetime(YEAR + 1, 1, 2, 11, 30, tzinfo=UTC)
USUAL_TICKET = 75_000
SEASON = (0.8, 0.6, 0.9, 1.0, 1.1, 0.9, 1.2, 1.0, 0.9, 1.0, 1.3, 1.9)
HOURS = [0.0] * 7 + [0.3, 0.6, 0.8, 1.0, 1.6, 1.8, 1.2, 0.7, 0.6, 0.8, 1.1, 1.7, 1.9, 1.2, 0.5]
HOURS += [0.0] * (24 - len(HOURS))
WEEKDAYS = (0.8, 0.85, 0.9, 1.0, 1.25, 1.6, 0.6)
NAMES = (
    "Panadería Ñandutí",
    "Ferretería Tupã",
    "Farmacia San Blas",
    "Heladería Yvága",
    "Librería Arasá",
    "Óptica Central",
    "Zapatería Mburucuyá",
    "Copetín Lapacho",
    "Pizzería Ka'aguy",
    "Verdulería Mandió",
    "Peluquería Jasy",
    "Carnicería El Toro",
    "Bodega Ykua",
    "Pastelería Aguaí",
    "Kiosco La Esquina",
    "Mercería Poty",
    "Vivero Ybyrá",
    "Taller Moto Sur",
    "Juguetería Mitã",
    "Bazar Itá",
    "Lavandería Ysyry",
    "Frutería Pakova",
    "Cafetería Kapi'i",
    "Gomería Ruta 1",
    "Tienda Aty",
    "Chipería Barrero",
    "Sandwichería Sur",
    "Florería Yvoty",
)


def _wilson(redeemed: int, n: int) -> tuple[float, float]:
    z, p = 1.96, redeemed / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def _variant(label: str, n: int, redeemed: int) -> VariantOut:
    return VariantOut(
        label=label,
        in_circulation=n,
        redeemed=redeemed,
        rate=redeemed / n,
        interval=_wilson(redeemed, n),
    )


def _ab(offer_id: int, title: str, a: tuple[int, int], b: tuple[int, int]) -> OfferABOut:
    (na, ra), (nb, rb) = a, b
    pooled = (ra + rb) / (na + nb)
    difference = rb / nb - ra / na
    z = difference / math.sqrt(pooled * (1 - pooled) * (1 / na + 1 / nb))
    p_value = math.erfc(abs(z) / math.sqrt(2))
    significant = p_value < 0.05
    return OfferABOut(
        offer_id=offer_id,
        title=title,
        variants=[_variant("A", na, ra), _variant("B", nb, rb)],
        required_per_variant=1769,
        verdict="winner" if significant else "no_clear_winner",
        winner=("B" if difference > 0 else "A") if significant else None,
        comparisons=[
            ComparisonOut(
                label="B",
                control="A",
                difference=difference,
                z=z,
                p_value=p_value,
                significant=significant,
            )
        ],
    )


def _roi(first: date, last: date, redemptions: int, investment: int, rng: random.Random) -> RoiOut:
    typed = round(redemptions * rng.uniform(0.3, 0.4))
    recorded = typed * rng.randint(76_000, 86_000)
    discount_recorded = recorded // 5
    discount = (redemptions - typed) * USUAL_TICKET // 5 + discount_recorded
    estimated = redemptions * USUAL_TICKET
    return RoiOut(
        first_day=first,
        last_day=last,
        investment=investment,
        redemptions=redemptions,
        estimated_value=estimated,
        recorded_value=recorded,
        recorded_redemptions=typed,
        discount_cost=discount,
        discount_cost_recorded=discount_recorded,
        unvalued_discounts=0,
        estimated_roi=(estimated - discount - investment) / investment if investment else None,
        recorded_roi=(recorded - discount_recorded - investment) / investment
        if investment
        else None,
    )


def _total(points: list[RoiOut]) -> RoiOut:
    first, last = points[0].first_day, points[-1].last_day
    s = {
        k: sum(getattr(p, k) for p in points)
        for k in (
            "investment",
            "redemptions",
            "estimated_value",
            "recorded_value",
            "recorded_redemptions",
            "discount_cost",
            "discount_cost_recorded",
        )
    }
    inv = s["investment"]
    return RoiOut(
        first_day=first,
        last_day=last,
        unvalued_discounts=0,
        **s,
        estimated_roi=(s["estimated_value"] - s["discount_cost"] - inv) / inv if inv else None,
        recorded_roi=(s["recorded_value"] - s["discount_cost_recorded"] - inv) / inv
        if inv
        else None,
    )


def _months(rng: random.Random, scale: float) -> list[RoiOut]:
    points = []
    for month, season in enumerate(SEASON, 1):
        redemptions = round(230 * scale * season * rng.uniform(0.9, 1.1))
        # a monthly subscription, and a book placement fee in March and September
        investment = int(round(scale * 2_500_000, -3)) + (6_000_000 if month in (3, 9) else 0)
        last = date(YEAR, month, monthrange(YEAR, month)[1])
        points.append(_roi(date(YEAR, month, 1), last, redemptions, investment, rng))
    return points


def year_dashboard(*, head_office: bool = False, seed: int = 14) -> DashboardOut:
    """One business's year (``head_office``: every business, with the ranking)."""
    rng = random.Random(seed)
    months = _months(rng, 1.0)
    total = _total(months)
    redeemed = total.redemptions
    weights = [[w * h for h in HOURS] for w in WEEKDAYS]
    whole = sum(map(sum, weights))
    grid = [[round(redeemed * x / whole) for x in row] for row in weights]
    busiest = sorted(
        ((d, h, n) for d, row in enumerate(grid) for h, n in enumerate(row)), key=lambda t: -t[2]
    )[:5]
    scanned = round(redeemed * 1.16)
    distributed = 12_000
    in_circulation = 11_420

    def step(name: str, value: int | None, before: int | None) -> FunnelStepOut:
        conversion = value / before if value is not None and before else None
        return FunnelStepOut(
            name=name, measured=value is not None, value=value, conversion=conversion
        )

    ranking: list[RankedBusinessOut] = []
    businesses: list[BusinessChoice] = []
    if head_office:
        for number, name in enumerate(NAMES, 1):
            businesses.append(BusinessChoice(id=number, name=name))
            scale = 1.0 if number == 1 else rng.uniform(0.2, 2.2)
            ranking.append(
                RankedBusinessOut(business_id=number, name=name, roi=_total(_months(rng, scale)))
            )
        ranking.sort(key=lambda r: -(r.roi.estimated_roi or 0))
    return DashboardOut(
        business_id=None if head_office else 1,
        business_name=None if head_office else NAMES[0],
        first_day=date(YEAR, 1, 1),
        last_day=date(YEAR, 12, 31),
        offer_id=None,
        variant=None,
        as_of=AS_OF,
        funnel=FunnelOut(
            steps=[
                step("distributed", distributed, None),
                step("in_circulation", in_circulation, distributed),
                step("scanned", scanned, in_circulation),
                step("redeemed", redeemed, scanned),
                step("scanned_by_phone", None, None),
                step("claimed", None, None),
                step("redeemed_again", None, None),
            ],
            refused_by_reason={
                "already_redeemed": round(scanned * 0.06),
                "expired": round(scanned * 0.05),
                "not_yet_valid": 31,
                "malformed": 44,
                "other_business": 27,
            },
            printed=15_000,
            has_data=True,
        ),
        roi=None if head_office else total,
        roi_over_time=months,
        hour_weekday=HourWeekdayOut(redeemed=grid, busiest=busiest),
        kiosks=[
            KioskOut(
                device_id="k1",
                name="Caja 1 (salón)",
                scanned=round(scanned * 0.55),
                refused=round(scanned * 0.55) - round(redeemed * 0.55),
                redeemed=round(redeemed * 0.55),
                voided=9,
            ),
            KioskOut(
                device_id="k2",
                name="Caja 2 (mostrador)",
                scanned=round(scanned * 0.35),
                refused=round(scanned * 0.35) - round(redeemed * 0.35),
                redeemed=round(redeemed * 0.35),
                voided=4,
            ),
            KioskOut(
                device_id="k3",
                name="Caja 3 (delivery)",
                scanned=round(scanned * 0.10),
                refused=round(scanned * 0.10) - round(redeemed * 0.10),
                redeemed=round(redeemed * 0.10),
                voided=1,
            ),
        ],
        ab_tests=[
            _ab(11, "Chipa 2x1 / 20 %", (2_400, 240), (2_400, 336)),
            _ab(12, "Café gratis / 15 %", (1_900, 209), (1_900, 218)),
        ],
        ranking=ranking,
        offers=[
            OfferChoice(id=11, title="Chipa 2x1 / 20 %", variants={1: "A", 2: "B"}),
            OfferChoice(id=12, title="Café gratis / 15 %", variants={1: "A", 2: "B"}),
            OfferChoice(id=13, title="Torta de cumpleaños 10 %", variants={}),
        ],
        businesses=businesses,
    )
