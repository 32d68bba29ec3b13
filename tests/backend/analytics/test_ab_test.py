"""The A/B maths against arithmetic done by hand (no database needed)."""

from __future__ import annotations

import math

import pytest

from sync_backend.analytics.ab_test import (
    ABInputError,
    ABPlan,
    VariantTally,
    Verdict,
    analyse,
    required_sample_size,
)

Z_975 = 1.959963984540054  # standard normal quantile for 5 % two-sided
Z_80 = 0.8416212335729143  # ... and for 80 % power


def _normal_sf(z: float) -> float:
    return 0.5 * math.erfc(z / math.sqrt(2))


def test_sample_size_matches_cohens_h_formula() -> None:
    """10 % → 15 %: h = 2·asin√0.15 − 2·asin√0.10 = 0.15190;
    n = 2·((1.95996 + 0.84162)/h)² = 680.4."""
    h = 2 * math.asin(math.sqrt(0.15)) - 2 * math.asin(math.sqrt(0.10))
    by_hand = 2 * ((Z_975 + Z_80) / h) ** 2
    assert by_hand == pytest.approx(680.4, abs=0.1)
    assert required_sample_size(ABPlan(baseline_rate=0.10, minimum_lift=0.05)) == 681


def test_sample_size_is_close_to_fleiss_textbook_formula() -> None:
    """Fleiss (Statistical Methods for Rates and Proportions) gives 686 for 10 % vs 15 %;
    the arcsine method is within 1 % of it."""
    p1, p2 = 0.10, 0.15
    p_bar = (p1 + p2) / 2
    fleiss = (
        Z_975 * math.sqrt(2 * p_bar * (1 - p_bar)) + Z_80 * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))
    ) ** 2 / (p2 - p1) ** 2
    assert math.ceil(fleiss) == 686
    assert required_sample_size(ABPlan(0.10, 0.05)) == pytest.approx(fleiss, rel=0.01)


def test_smaller_lift_needs_more_copies() -> None:
    assert required_sample_size(ABPlan(0.10, 0.02)) > required_sample_size(ABPlan(0.10, 0.05))


def test_two_proportion_test_and_wilson_interval_by_hand() -> None:
    """45/1000 vs 30/1000 scaled up: A 300/1000, B 450/1000.

    pooled p = 750/2000 = 0.375; se = √(0.375·0.625·(2/1000)) = 0.021651;
    z = (0.45 − 0.30)/se = 6.928; p = 2·(1 − Φ(6.928)) ≈ 4.3e-12.
    Wilson for 450/1000: centre (0.45 + 1.96²/2000)/(1 + 1.96²/1000), half-width
    1.96/(1 + 1.96²/1000)·√(0.45·0.55/1000 + 1.96²/4·10⁻⁶).
    """
    plan = ABPlan(0.30, 0.10)  # needs ~356 per variant: reached
    result = analyse([VariantTally("A", 1000, 300), VariantTally("B", 1000, 450)], plan)
    se = math.sqrt(0.375 * 0.625 * (2 / 1000))
    z = 0.15 / se
    (comparison,) = result.comparisons
    assert comparison.label == "B" and comparison.control == "A"
    assert comparison.z == pytest.approx(z, rel=1e-9)
    assert comparison.p_value == pytest.approx(2 * _normal_sf(z), rel=1e-6)
    assert comparison.difference == pytest.approx(0.15)
    assert result.verdict is Verdict.WINNER and result.winner == "B"

    z2 = Z_975**2
    n, p = 1000, 0.45
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z_975 / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    b = result.variants[1]
    assert b.rate == pytest.approx(0.45)
    assert b.interval == pytest.approx((centre - half, centre + half), rel=1e-9)


def test_moderate_difference_by_hand() -> None:
    """45/100 vs 30/100: pooled 0.375, se = 0.068465, z = 2.1909, p = 0.02846."""
    plan = ABPlan(0.30, 0.30)  # needs ~41 per variant
    result = analyse([VariantTally("A", 100, 30), VariantTally("B", 100, 45)], plan)
    (comparison,) = result.comparisons
    assert comparison.z == pytest.approx(2.1909, abs=1e-4)
    assert comparison.p_value == pytest.approx(0.02846, abs=1e-5)
    assert comparison.significant


def test_not_enough_data_until_every_variant_reaches_the_planned_size() -> None:
    plan = ABPlan(0.10, 0.05)  # 681 per variant
    early = analyse([VariantTally("A", 680, 20), VariantTally("B", 5000, 900)], plan)
    assert early.verdict is Verdict.NOT_ENOUGH_DATA
    assert early.winner is None and early.comparisons == ()
    assert early.required_per_variant == 681
    # the rates and intervals are still shown while the test runs
    assert early.variants[0].rate == pytest.approx(20 / 680)
    assert early.variants[0].interval is not None


def test_same_rates_have_no_winner() -> None:
    result = analyse([VariantTally("A", 2000, 200), VariantTally("B", 2000, 210)])
    assert result.verdict is Verdict.NO_CLEAR_WINNER and result.winner is None
    assert not result.comparisons[0].significant


def test_control_wins_when_it_beats_every_challenger() -> None:
    result = analyse([VariantTally("A", 3000, 600), VariantTally("B", 3000, 300)])
    assert result.verdict is Verdict.WINNER and result.winner == "A"


def test_three_variants_use_holm_adjusted_p_values() -> None:
    tallies = [
        VariantTally("A", 3000, 300),
        VariantTally("B", 3000, 345),  # raw p ≈ 0.07
        VariantTally("C", 3000, 420),  # clearly better
    ]
    result = analyse(tallies)
    b, c = result.comparisons
    assert b.p_value >= c.p_value
    assert c.significant and not b.significant
    assert result.winner == "C"


def test_all_zero_rates_are_no_evidence() -> None:
    result = analyse([VariantTally("A", 1000, 0), VariantTally("B", 1000, 0)], ABPlan(0.1, 0.2))
    assert result.verdict is Verdict.NO_CLEAR_WINNER
    assert result.comparisons[0].p_value == 1.0


def test_empty_variant_has_no_rate() -> None:
    result = analyse([VariantTally("A", 0, 0), VariantTally("B", 10, 1)])
    assert result.variants[0].rate is None and result.variants[0].interval is None
    assert result.verdict is Verdict.NOT_ENOUGH_DATA


@pytest.mark.parametrize(
    "tallies",
    [
        [VariantTally("A", 10, 1)],
        [VariantTally("A", 10, 1), VariantTally("A", 10, 2)],
        [VariantTally("A", 10, 11), VariantTally("B", 10, 2)],
        [VariantTally("A", -1, 0), VariantTally("B", 10, 2)],
    ],
)
def test_impossible_tallies_are_refused_with_a_typed_error(tallies: list[VariantTally]) -> None:
    with pytest.raises(ABInputError):
        analyse(tallies)


@pytest.mark.parametrize(("baseline", "lift"), [(0.0, 0.1), (1.0, 0.1), (0.5, 0.0), (0.9, 0.2)])
def test_impossible_plans_are_refused(baseline: float, lift: float) -> None:
    with pytest.raises(ABInputError):
        ABPlan(baseline, lift)
