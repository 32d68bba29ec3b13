"""``pika-bench replica`` on a short load: a real primary and replica, figures it measured."""

from __future__ import annotations

import json

from pika_bench.cli import main


def test_replica_benchmark_prints_its_figures(capsys, redis_server: str) -> None:
    argv = ["replica", "--json", "--requests", "300", "--concurrency", "8", "--workers", "1"]
    assert main([*argv, "--fresh", "2", "--redis", redis_server]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["dashboards_from"] == "replica" and result["requests"] == 300
    assert result["api_rps"] > 0 and result["push_p95_ms"] > 0
    assert result["dashboard_during_load"]["n"] >= 1
    assert 0 < result["freshness_s_median"] <= result["freshness_s_max"] < 60
    assert result["max_lag_bytes"] >= 0
