"""An offer's A/B result: each variant's redemption rate, its interval, whether a gap is real.

The sample size is fixed before anyone looks (80 % power, 5 % significance, for the smallest lift
worth acting on). Looking at a running test every day and stopping at the first small p-value
crowns noise as a winner, so the verdict stays "not enough data yet" until every variant has
reached that size; only then is the two-proportion test read.

The statistics come from statsmodels (power analysis, the z-test, Wilson intervals, the
Holm–Šidák correction when several variants face the control) rather than formulas typed
here: they are the library's well-tested job. tests/backend/analytics/test_ab_test.py
checks them against textbook arithmetic.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import (
    proportion_confint,
    proportion_effectsize,
    proportions_ztest,
)

#: Chance of calling a difference that is not there (two-sided).
SIGNIFICANCE = 0.05
#: Chance of seeing a difference of the planned size when it is there.
POWER = 0.80


class ABInputError(ValueError):
    """The tallies or the plan cannot describe an A/B test (a typed refusal, never a crash)."""


class Verdict(StrEnum):
    NOT_ENOUGH_DATA = "not_enough_data"  # some variant has not reached the planned sample size
    WINNER = "winner"  # one variant is better than the others, beyond chance
    NO_CLEAR_WINNER = "no_clear_winner"  # planned size reached, the differences may be chance


@dataclass(frozen=True)
class ABPlan:
    """What the test is sized for, decided before it starts.

    ``baseline_rate`` is the redemption rate expected from the control (the business's usual
    rate); ``minimum_lift`` the smallest absolute rise worth acting on (0.03 = 3 points).
    """

    baseline_rate: float = 0.10
    minimum_lift: float = 0.03

    def __post_init__(self) -> None:
        if not 0 < self.baseline_rate < 1:
            raise ABInputError(f"baseline rate must be between 0 and 1, got {self.baseline_rate}")
        if not 0 < self.minimum_lift < 1 - self.baseline_rate:
            raise ABInputError(
                f"minimum lift must be above 0 and keep the rate under 1, got {self.minimum_lift}"
            )


@dataclass(frozen=True)
class VariantTally:
    """One variant's counts: copies in customers' hands and how many came back redeemed."""

    label: str
    in_circulation: int
    redeemed: int


@dataclass(frozen=True)
class VariantResult:
    label: str
    in_circulation: int
    redeemed: int
    rate: float | None  # None while no copy is in circulation
    interval: tuple[float, float] | None  # Wilson 95 % interval of the rate


@dataclass(frozen=True)
class Comparison:
    """A challenger against the control (the first variant)."""

    label: str
    control: str
    difference: float  # challenger rate − control rate
    z: float
    p_value: float  # Holm–Šidák-adjusted when there are several challengers
    significant: bool


@dataclass(frozen=True)
class ABResult:
    variants: tuple[VariantResult, ...]
    required_per_variant: int
    verdict: Verdict
    winner: str | None
    comparisons: tuple[Comparison, ...]  # empty until the planned size is reached


@functools.lru_cache(maxsize=64)
def required_sample_size(plan: ABPlan) -> int:
    """Copies each variant needs in circulation to see ``plan.minimum_lift`` 80 % of the time.

    Kept per plan: statsmodels solves it by root finding, 9 ms a call, twice a dashboard."""
    effect = proportion_effectsize(plan.baseline_rate + plan.minimum_lift, plan.baseline_rate)
    size = NormalIndPower().solve_power(
        effect_size=effect, alpha=SIGNIFICANCE, power=POWER, ratio=1.0, alternative="two-sided"
    )
    return math.ceil(float(size))


def analyse(tallies: Sequence[VariantTally], plan: ABPlan | None = None) -> ABResult:
    """The A/B result for one offer's variants; the first tally is the control."""
    plan = plan or ABPlan()
    _check(tallies)
    required = required_sample_size(plan)
    variants = tuple(_variant_result(t) for t in tallies)
    if any(t.in_circulation < required for t in tallies):
        return ABResult(variants, required, Verdict.NOT_ENOUGH_DATA, None, ())
    comparisons = _compare_to_control(tallies)
    winner = _winner(variants, comparisons)
    verdict = Verdict.WINNER if winner is not None else Verdict.NO_CLEAR_WINNER
    return ABResult(variants, required, verdict, winner, comparisons)


def _check(tallies: Sequence[VariantTally]) -> None:
    if len(tallies) < 2:
        raise ABInputError("an A/B test needs at least two variants")
    labels = [t.label for t in tallies]
    if len(set(labels)) != len(labels):
        raise ABInputError(f"variant labels repeat: {labels}")
    for t in tallies:
        if t.in_circulation < 0 or t.redeemed < 0:
            raise ABInputError(f"variant {t.label}: counts cannot be negative")
        if t.redeemed > t.in_circulation:
            raise ABInputError(
                f"variant {t.label}: {t.redeemed} redeemed of {t.in_circulation} in circulation"
            )


def _variant_result(tally: VariantTally) -> VariantResult:
    if tally.in_circulation == 0:
        return VariantResult(tally.label, 0, 0, None, None)
    low, high = proportion_confint(
        tally.redeemed, tally.in_circulation, alpha=SIGNIFICANCE, method="wilson"
    )
    rate = tally.redeemed / tally.in_circulation
    return VariantResult(tally.label, tally.in_circulation, tally.redeemed, rate, (low, high))


def _compare_to_control(tallies: Sequence[VariantTally]) -> tuple[Comparison, ...]:
    control, challengers = tallies[0], tallies[1:]
    raw: list[tuple[VariantTally, float, float]] = []
    for challenger in challengers:
        z, p = _z_test(challenger, control)
        raw.append((challenger, z, p))
    # Holm–Šidák: Holm's step-down with Šidák's per-step level. (statsmodels' plain "holm"
    # runs a full gc.collect() on every call: 145 ms a dashboard on this machine.)
    adjusted = multipletests([p for _, _, p in raw], alpha=SIGNIFICANCE, method="holm-sidak")[1]
    return tuple(
        Comparison(
            label=challenger.label,
            control=control.label,
            difference=_rate(challenger) - _rate(control),
            z=z,
            p_value=float(p_adj),
            significant=bool(p_adj < SIGNIFICANCE),
        )
        for (challenger, z, _), p_adj in zip(raw, adjusted, strict=True)
    )


def _z_test(a: VariantTally, b: VariantTally) -> tuple[float, float]:
    """Pooled two-proportion z-test; all-or-nothing rates on both sides are no evidence."""
    pooled = (a.redeemed + b.redeemed) / (a.in_circulation + b.in_circulation)
    if pooled in (0.0, 1.0):
        return 0.0, 1.0
    z, p = proportions_ztest(
        [a.redeemed, b.redeemed], [a.in_circulation, b.in_circulation], alternative="two-sided"
    )
    return float(z), float(p)


def _rate(tally: VariantTally) -> float:
    return tally.redeemed / tally.in_circulation


def _winner(variants: tuple[VariantResult, ...], comparisons: tuple[Comparison, ...]) -> str | None:
    """The control when it beats every challenger; else the best challenger that beats it."""
    if all(c.significant and c.difference < 0 for c in comparisons):
        return variants[0].label
    better = [c for c in comparisons if c.significant and c.difference > 0]
    if not better:
        return None
    return max(better, key=lambda c: c.difference).label
