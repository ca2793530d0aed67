"""`pixbot bench search`: the table and the JSON of a tips search's worst case."""

from __future__ import annotations

import json

import pytest

from bot.cli import main
from bot.lab.bench.search import KINDS


def test_bench_search_prints_the_worst_case_per_kind(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "search", "--queries", "3", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert [row["kind"] for row in result["kinds"]] == list(KINDS)
    assert result["searches"] == 3 * len(KINDS) * len(result["languages"])
    assert result["ok"] and result["worst_ms"] < result["goal_ms"] == 5.0
    assert all(row["p50_ms"] <= row["p99_ms"] <= row["max_ms"] for row in result["kinds"])

    assert main(["bench", "search", "--queries", "2"]) == 0
    table = capsys.readouterr().out
    assert "busiest prefixes (200 chars)" in table and "tips' words (4096 chars, cut)" in table
    assert table.rstrip().endswith("goal: worst case under 5 ms: met")
