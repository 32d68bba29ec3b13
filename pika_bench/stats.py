"""Small helpers shared by the benchmarks."""

from __future__ import annotations

import statistics


def percentile(samples: list[float], pct: float) -> float:
    """Nearest-rank percentile: the figure a reader can find in the raw samples."""
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def summary_ms(samples_s: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in samples_s]
    return {
        "p50_ms": round(statistics.median(ms), 4),
        "p95_ms": round(percentile(ms, 95), 4),
        "max_ms": round(max(ms), 4),
        "n": len(ms),
    }
