"""`pixbot bench worker` on a small run, on each Telegram runtime: a real `pixbot run` process
answers learners through the Bot API it polls, and its memory is read along the run (not its
speed nor its size: benchmarks print numbers, tests do not judge them)."""

from __future__ import annotations

import json

import pytest

from bot.cli import main
from bot.lab.bench.updates.runtimes import RUNTIMES


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_a_worker_process_answers_every_update_and_its_memory_is_read(
    runtime: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["bench", "worker", "--learners", "3", "--updates", "20", "--think", "0.2"]
    assert main([*argv, "--runtime", runtime, "--seed", "2", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)

    assert summary["runtime"] == runtime and summary["database"] == "sqlite"
    assert summary["updates"] == 20 and summary["unanswered"] == 0
    assert summary["challenges_answered"] > 0  # the learners went through tests
    assert len(summary["rss_mb"]) == 10  # after each tenth
    assert 0 < summary["rss_start_mb"] <= summary["rss_max_mb"] == max(summary["rss_mb"])
    assert summary["stop_s"] is not None  # it stopped on SIGTERM


def test_the_command_refuses_nonsense(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "worker", "--learners", "0", "--updates", "10"]) == 2
    assert "--learners" in capsys.readouterr().err
