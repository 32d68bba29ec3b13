"""``pika-bench sheet`` prints its figures for the book it was asked for (never what they are)."""

from __future__ import annotations

import json

from pika_bench.cli import main


def test_sheet_benchmark_prints_one_json_object(capsys) -> None:
    assert main(["sheet", "--copies", "25", "--symbols", "3", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["copies"] == 25 and result["pages"] == 3
    assert result["book_seconds"] > 0 and result["pdf_mb"] > 0
    assert result["symbol_ms"] > 0 and result["baseline_qrcode_symbol_ms"] > 0
