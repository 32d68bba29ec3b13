"""A small dashboard answer, as head office sends it (tests/backend checks the figures)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from pika_protocol.analytics_wire import (
    DashboardOut,
    FunnelOut,
    FunnelStepOut,
    HourWeekdayOut,
    KioskOut,
    OfferABOut,
    RoiOut,
    VariantOut,
)

AS_OF = datetime(2025, 4, 2, 15, 0, tzinfo=UTC)


def sample_dashboard() -> DashboardOut:
    grid = [[0] * 24 for _ in range(7)]
    grid[0][10], grid[5][18] = 3, 5
    roi = RoiOut(
        first_day=date(2025, 3, 1),
        last_day=date(2025, 3, 31),
        investment=93_000,
        redemptions=8,
        estimated_value=400_000,
        recorded_value=80_000,
        recorded_redemptions=1,
        discount_cost=43_000,
        discount_cost_recorded=8_000,
        unvalued_discounts=0,
        estimated_roi=264_000 / 93_000,
        recorded_roi=-21_000 / 93_000,
    )
    return DashboardOut(
        business_id=7,
        business_name="Panadería Ñandutí",
        first_day=date(2025, 3, 1),
        last_day=date(2025, 3, 31),
        offer_id=None,
        variant=None,
        as_of=AS_OF,
        funnel=FunnelOut(
            steps=[
                FunnelStepOut(name="distributed", measured=True, value=140, conversion=None),
                FunnelStepOut(
                    name="in_circulation", measured=True, value=138, conversion=138 / 140
                ),
                FunnelStepOut(name="scanned", measured=True, value=12, conversion=12 / 138),
                FunnelStepOut(name="redeemed", measured=True, value=8, conversion=8 / 12),
                FunnelStepOut(name="scanned_by_phone", measured=False, value=None, conversion=None),
                FunnelStepOut(name="claimed", measured=False, value=None, conversion=None),
                FunnelStepOut(name="redeemed_again", measured=False, value=None, conversion=None),
            ],
            refused_by_reason={"expired": 2, "malformed": 1},
            printed=200,
            has_data=True,
        ),
        roi=roi,
        roi_over_time=[roi],
        hour_weekday=HourWeekdayOut(redeemed=grid, busiest=[(5, 18, 5), (0, 10, 3)]),
        kiosks=[
            KioskOut(device_id="k2", name="Caja 2", scanned=5, refused=0, redeemed=5, voided=0),
            KioskOut(device_id="k1", name="Caja 1", scanned=7, refused=3, redeemed=3, voided=1),
        ],
        ab_tests=[
            OfferABOut(
                offer_id=3,
                title="Chipa 10 %",
                variants=[
                    VariantOut(
                        label="A",
                        in_circulation=80,
                        redeemed=5,
                        rate=5 / 80,
                        interval=(0.027, 0.138),
                    ),
                    VariantOut(
                        label="B",
                        in_circulation=60,
                        redeemed=3,
                        rate=3 / 60,
                        interval=(0.017, 0.137),
                    ),
                ],
                required_per_variant=1769,
                verdict="not_enough_data",
                winner=None,
                comparisons=[],
            )
        ],
        ranking=[],
    )
