"""The engine simulation on the small fixture bank."""

from __future__ import annotations

import json

import pytest

from bot.cli import main
from bot.simulation import MODELS, format_table, simulate
from content.bank import ContentBank
from tests.conftest import FIXTURES

FIELDS = {"mean", "p90", "max", "exact", "within_one", "pix_error"}
ENGINES = ["fixed-random", "smart-random", "irt"]


@pytest.fixture(scope="module")
def result(bank: ContentBank) -> dict:  # type: ignore[type-arg]
    return simulate(bank, ENGINES, learners=50, seed=3)


def test_returns_every_field(result: dict) -> None:  # type: ignore[type-arg]
    assert result["competences"] == ["1.1", "4.1"]
    assert set(result["models"]) == set(MODELS)
    for data in result["models"].values():
        assert list(data["engines"]) == ["no-test", *ENGINES]
        assert sum(data["levels"].values()) == 50 * 2
        for name, row in data["engines"].items():
            assert set(row) == FIELDS
            assert 0 <= row["exact"] <= row["within_one"] <= 1
            assert row["mean"] <= row["p90"] <= row["max"] or name == "no-test"
        assert data["engines"]["no-test"]["mean"] == 0
        assert data["engines"]["fixed-random"]["mean"] == round(data["engines"]["irt"]["mean"])
    table = format_table(result)
    assert "irt" in table and "skill-mastery" in table


def test_deterministic_for_a_seed(bank: ContentBank, result: dict) -> None:  # type: ignore[type-arg]
    assert simulate(bank, ENGINES, learners=50, seed=3) == result
    assert simulate(bank, ["irt"], learners=50, seed=4) != simulate(bank, ["irt"], 50, seed=3)


def test_irt_finds_the_level_of_skill_mastery_learners(result: dict) -> None:  # type: ignore[type-arg]
    rows = result["models"]["skill-mastery"]["engines"]
    assert rows["irt"]["within_one"] >= 0.9
    assert rows["irt"]["within_one"] > rows["no-test"]["within_one"]
    assert rows["irt"]["exact"] > rows["no-test"]["exact"]
    assert rows["irt"]["mean"] <= 10


def test_unknown_engine(bank: ContentBank) -> None:
    with pytest.raises(ValueError, match="unknown engine"):
        simulate(bank, ["nope"], learners=1, seed=1)


def test_cli(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(FIXTURES / "content")
    argv = ["simulate", "--learners", "5", "--seed", "2", "--path", path, "--engine", "irt"]
    assert main([*argv, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert list(data["models"]["logistic"]["engines"]) == ["no-test", "irt"]
    assert main([*argv, "--competence", "4.1"]) == 0
    assert "logistic" in capsys.readouterr().out
    assert main(["simulate", "--learners", "1", "--path", path, "--engine", "x"]) == 2


def test_oracle_bounds_the_engines(bank: ContentBank) -> None:
    result = simulate(bank, ["irt", "oracle"], learners=30, seed=5)
    for data in result["models"].values():
        rows = data["engines"]
        assert list(rows) == ["no-test", "irt", "oracle"]
        assert rows["oracle"]["mean"] > rows["irt"]["mean"]  # every challenge, each once
        assert rows["oracle"]["exact"] >= rows["irt"]["exact"] - 0.05
        assert rows["oracle"]["within_one"] >= 0.9
