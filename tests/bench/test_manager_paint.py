"""``pika-bench manager-paint`` paints a year in the real manager window and prints its figures
(never asserts how fast: that is for docs/benchmarks.md, not a timed test)."""

from __future__ import annotations

import json

from pika_bench.cli import main
from pika_bench.manager_figures import year_dashboard


def test_manager_paint_prints_one_json_object(qapp, capsys) -> None:
    assert main(["manager-paint", "--rounds", "2", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["rounds"] == 2 and result["paint_max_ms"] >= result["paint_ms"] > 0


def test_the_year_adds_up() -> None:
    """The benchmark's (and screenshots') year is consistent: one count, every view."""
    figures = year_dashboard()
    redeemed = next(s.value for s in figures.funnel.steps if s.name == "redeemed")
    assert figures.roi is not None and figures.roi.redemptions == redeemed
    assert sum(p.redemptions for p in figures.roi_over_time) == redeemed
    assert abs(sum(map(sum, figures.hour_weekday.redeemed)) - redeemed) <= 24 * 7
    verdicts = [offer.verdict for offer in figures.ab_tests]
    assert verdicts == ["winner", "no_clear_winner"]  # one real winner, one without
    ranking = year_dashboard(head_office=True).ranking
    assert len(ranking) >= 25
    assert [r.roi.estimated_roi for r in ranking] == sorted(
        (r.roi.estimated_roi for r in ranking), reverse=True
    )
