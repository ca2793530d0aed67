"""The retake scenario of `pixbot simulate` (issue 18): a test, then an improvement as the bot
runs it (earlier challenges seen, validated skills known), then a second one."""

from __future__ import annotations

from bot.core.engines import ENGINES
from bot.lab.retakes import GOAL, format_retakes, retakes
from content.bank import ContentBank


def test_a_retake_prefers_unseen_challenges_until_the_bank_runs_out(bank: ContentBank) -> None:
    # The fixture's skills have two variants: the first improvement finds an unseen one for
    # every skill asked again; the second, fewer.
    data = retakes(bank, dict(ENGINES), learners=30, seed=2, competences=["1.1"])
    assert set(data["engines"]) == {"smart-random", "irt"}
    for row in data["engines"].values():
        assert row["retakes"] == 30
        assert row["share"] == 1.0 and row["repeated_mean"] == 0 and row["goal"] is True
        assert row["second_share"] < GOAL and row["second_repeated_mean"] > 0
    table = "\n".join(format_retakes(data))
    assert "goal: at least 95% repeat no challenge of the first test" in table
    assert "smart-random" in table and "PASS" in table


def test_the_scenario_is_deterministic_for_a_seed(bank: ContentBank) -> None:
    run = lambda: retakes(bank, dict(ENGINES), learners=10, seed=5, competences=["4.1"])  # noqa: E731
    assert run() == run()
