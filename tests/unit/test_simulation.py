"""The engine simulation on the small fixture bank."""

from __future__ import annotations

import itertools
import json
import random

import numpy as np
import pytest

from bot.cli import main
from bot.core.engines import smart_random
from bot.core.engines.base import EngineState
from bot.core.engines.smart_random import SmartRandom
from bot.core.scoring import score, skill_pix
from bot.lab.simulation import (
    MODELS,
    _by_tube,
    _learners,
    _level_and_pix,
    _Oracle,
    _State,
    _state,
    format_table,
    information_bound,
    item_information,
    simulate,
)
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


def test_bound_rows_only_for_logistic_learners(bank: ContentBank) -> None:
    result = simulate(bank, ["smart-random", "irt", "bound"], learners=30, seed=5)
    assert not any(r.startswith("bound") for r in result["models"]["skill-mastery"]["engines"])
    rows = result["models"]["logistic"]["engines"]
    bounds = {name: row for name, row in rows.items() if name.startswith("bound@")}
    lengths = {row["mean"] for row in bounds.values()}
    assert 12.0 in lengths and rows["irt"]["mean"] in lengths
    assert round(rows["smart-random"]["mean"] / 1.5, 2) in lengths
    by_length = sorted(bounds.values(), key=lambda row: row["mean"])
    for row in by_length:
        assert 0 <= row["exact"] <= row["within_one"] <= 1
    for shorter, longer in itertools.pairwise(by_length):  # more challenges, more information
        assert shorter["within_one"] <= longer["within_one"]
        assert shorter["exact"] <= longer["exact"]


def test_information_bound_grows_with_the_test_and_stops_at_the_bank(bank: ContentBank) -> None:
    thetas = [float(t) for t in np.linspace(0.0, 6.0, 25)]
    codes = ["1.1", "4.1"]
    rates = [information_bound(bank, codes, thetas, n)["within_one"] for n in (1, 2.5, 4, 50)]
    assert rates == sorted(rates) and rates[0] < rates[-1]
    everything = max(len(bank.assessable_skills(code)) for code in codes)
    assert information_bound(bank, codes, thetas, everything) == {
        **information_bound(bank, codes, thetas, 50),
        "mean": float(everything),
        "p90": float(everything),
        "max": float(everything),
    }
    assert item_information(np.array([0.0]), 1.0, 0.0, 0.0)[0] == pytest.approx(0.25)


def test_the_simulation_state_infers_as_pix(bank: ContentBank) -> None:
    rng = random.Random(7)
    for code in ("1.1", "4.1"):
        skills = tuple(bank.assessable_skills(code))
        pool = [c for s in skills for c in bank.challenges_of(s.name)]
        values = skill_pix(skills)
        for _ in range(200):
            answers = tuple(
                (rng.choice(pool), rng.random() < 0.5) for _ in range(rng.randint(0, 9))
            )
            fast = _state(bank, code, answers, 1, skills, _by_tube(skills))
            assert fast == _State(
                bank, code, answers, 1, assessable=skills, by_tube=_by_tube(skills)
            )
            slow = EngineState(bank, code, answers, 1)
            assert fast.knowledge() == slow.knowledge()
            assert list(fast.knowledge()) == list(slow.knowledge())  # the same order
            found = score(skills, slow.knowledge())
            assert _level_and_pix(values, fast.knowledge()) == (found.level, found.pix)


def test_the_oracle_in_bulk_is_the_oracle_one_by_one(bank: ContentBank) -> None:
    codes = ["1.1", "4.1"]
    for model in MODELS:
        people = _learners(bank, model, 40, 3, codes)
        oracle = _Oracle(bank, model)
        for code in codes:
            bulk = oracle.run_many(
                code, [p[code] for p in people], [random.Random(i) for i in range(len(people))]
            )
            single = [oracle.run(code, p[code], random.Random(i)) for i, p in enumerate(people)]
            assert bulk == single


def test_smart_random_fast_paths_choose_as_the_plain_rule(bank: ContentBank) -> None:
    rng = random.Random(11)
    engine = SmartRandom()
    plain = smart_random._predicted_level.__wrapped__
    for _ in range(300):
        answers = tuple((rng.randint(1, 6), rng.random() < 0.5) for _ in range(rng.randint(0, 8)))
        as_floats = tuple((float(d), ok) for d, ok in answers)  # the untabulated path
        assert plain(answers) == plain(as_floats)
        observed = [*answers, *smart_random.VIRTUAL_ANSWERS]
        expected = min(
            smart_random.LEVELS,
            key=lambda level: abs(
                sum(float(ok) - smart_random.success_probability(level, d) for d, ok in observed)
            ),
        )
        assert plain(answers) == expected
    skills = bank.assessable_skills("1.1")
    pool = [c for s in skills for c in bank.challenges_of(s.name)]
    for seed in range(100):
        answers = tuple((rng.choice(pool), rng.random() < 0.5) for _ in range(rng.randint(0, 5)))
        state = EngineState(bank, "1.1", answers, seed)
        assert engine.eligible(state) == engine._eligible(state, skills)
        assert engine.eligible(state) == engine._eligible(state, skills)  # memoised
