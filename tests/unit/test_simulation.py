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
    GUESSER,
    LONGEST,
    MODELS,
    _by_tube,
    _goal,
    _level_and_pix,
    _Oracle,
    _State,
    _state,
    common_right_count,
    format_table,
    information_bound,
    item_information,
    learners_of,
    simulate,
    wise_learner,
)
from content.bank import ContentBank
from content.models import Challenge, ChallengeText
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
    assert data["retakes"]["engines"]["irt"]["retakes"] == 5 * 2  # the retake scenario
    assert main([*argv, "--competence", "4.1"]) == 0
    out = capsys.readouterr().out
    assert "logistic" in out and "retakes (improve after 4 days)" in out
    assert main([*argv, "--model", "logistic", "--json"]) == 0  # it needs skill-mastery
    assert "retakes" not in json.loads(capsys.readouterr().out)
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
        people = learners_of(bank, model, 40, 3, codes)
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


# --- test-wise learners -------------------------------------------------------------------


def _challenge(bank: ContentBank, cid: str, **changes: object) -> Challenge:
    challenge = bank.challenges[cid]
    return challenge.model_copy(update=changes) if changes else challenge


def _texts(challenge: Challenge, options: list[str]) -> dict[str, ChallengeText]:
    return {
        lang: challenge.text(lang).model_copy(update={"options": options}) for lang in ("en", "fr")
    }


def test_the_guesser_guesses_blindly_and_fails_typed_answers(bank: ContentBank) -> None:
    guesser = wise_learner(GUESSER, "en", 3)
    rng = random.Random(1)
    single = bank.challenges["alpha-1a"]  # 3 options
    multiple = bank.challenges["alpha-2b"]  # 4 options, 1 right
    rate = sum(guesser.answer(single, rng) for _ in range(6000)) / 6000
    assert rate == pytest.approx(1 / 3, abs=0.03)
    rate = sum(guesser.answer(multiple, rng) for _ in range(6000)) / 6000
    assert rate == pytest.approx(1 / 15, abs=0.015)  # one of the 15 non-empty subsets
    assert not any(guesser.answer(bank.challenges[cid], rng) for cid in ("alpha-1b", "alpha-3b"))
    assert guesser.mastered == frozenset()


def test_the_longest_option_learner_picks_the_longest(bank: ContentBank) -> None:
    base = bank.challenges["alpha-1a"]  # right: option 1
    rng = random.Random(2)
    learner = wise_learner(LONGEST, "en", 3)
    longest_right = base.model_copy(update=_texts(base, ["the long right one", "no", "nope"]))
    longest_wrong = base.model_copy(update=_texts(base, ["right", "a much longer one", "no"]))
    tied = base.model_copy(update=_texts(base, ["same", "also", "x"]))
    assert all(learner.answer(longest_right, rng) for _ in range(50))
    assert not any(learner.answer(longest_wrong, rng) for _ in range(50))
    ties = [learner.answer(tied, rng) for _ in range(400)]
    assert 0.35 < sum(ties) / len(ties) < 0.65  # ties at random
    assert not learner.answer(bank.challenges["alpha-1b"], rng)  # typed: always wrong
    # French readers measure the French options.
    french = base.model_copy(
        update={
            "en": base.text("en").model_copy(update={"options": ["a", "bbbbbbbbbb", "c"]}),
            "fr": base.text("fr").model_copy(update={"options": ["la plus longue", "b", "c"]}),
        }
    )
    assert wise_learner(LONGEST, "fr", 3).answer(french, rng)
    assert not wise_learner(LONGEST, "en", 3).answer(french, rng)


def test_the_longest_option_learner_ticks_the_k_longest(bank: ContentBank) -> None:
    base = bank.challenges["alpha-2b"]  # multiple choice, 4 options, right: option 1
    rng = random.Random(3)
    two_longest = base.model_copy(
        update={"answer": [1, 3], **_texts(base, ["long one", "b", "long two", "c"])}
    )
    assert wise_learner(LONGEST, "en", 2).answer(two_longest, rng)
    assert not wise_learner(LONGEST, "en", 1).answer(two_longest, rng)
    assert not wise_learner(LONGEST, "en", 3).answer(two_longest, rng)
    # The fixture's multiple-choice keys: 1 right twice, 2 right twice: the smaller count.
    assert common_right_count(bank) == 1


def test_test_wise_learners_leave_the_other_rows_as_they_were(
    bank: ContentBank,
    result: dict,  # type: ignore[type-arg]
) -> None:
    alone = simulate(bank, ENGINES, learners=50, seed=3, models=MODELS)
    assert "test_wise" not in alone
    assert {key: result[key] for key in alone} == alone  # the same draws, the same rows
    text = format_table(result)
    assert text.startswith(format_table(alone) + "\n\n")


def test_test_wise_rows_and_the_goal(result: dict) -> None:  # type: ignore[type-arg]
    wise = result["test_wise"]
    assert list(wise["models"]) == [GUESSER, LONGEST]
    assert set(wise["goal"]) == set(ENGINES)
    for by_engine in wise["models"].values():
        assert list(by_engine) == ENGINES
        for row in by_engine.values():
            assert set(row["per_competence"]) == {"1.1", "4.1"}
            assert 0 <= row["mean"] <= row["max"] <= 8
            assert row["worst"]["mean"] == max(row["per_competence"].values())
            assert row["competences_above"] == sum(
                1 for mean in row["per_competence"].values() if mean > 0.5
            )
    for name, verdict in wise["goal"].items():
        limit = wise["models"][GUESSER][name]["mean"] + 0.1
        expected = all(
            by_engine[name]["mean"] <= round(limit, 2)
            and max(by_engine[name]["per_competence"].values()) <= 0.5
            for by_engine in wise["models"].values()
        )
        assert verdict["pass"] is expected and (not verdict["failures"]) is expected
    table = format_table(result)
    assert "goal: every test-wise mean level <= the guesser's + 0.1" in table
    assert "per competence, mean level granted:" in table
    assert any(line.strip().startswith(("irt", "smart-random")) for line in table.splitlines())


def test_the_goal_names_what_fails() -> None:
    def row(mean: float, **per: float) -> dict:  # type: ignore[type-arg]
        return {"mean": mean, "per_competence": per}

    rows = {
        GUESSER: {"irt": row(0.1, a=0.1, b=0.1), "smart-random": row(0.3, a=0.6, b=0.0)},
        LONGEST: {"irt": row(0.2, a=0.2, b=0.2), "smart-random": row(0.5, a=0.4, b=0.6)},
    }
    goal = _goal(rows, ["irt", "smart-random"])
    assert goal["irt"] == {"pass": True, "limit": 0.2, "failures": []}
    assert goal["smart-random"]["failures"] == [
        "guesser above 0.50 in 1: a 0.60",
        "longest-option mean 0.50 > 0.40",
        "longest-option above 0.50 in 1: b 0.60",
    ]


def test_cli_runs_test_wise_models_alone(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(FIXTURES / "content")
    argv = ["simulate", "--learners", "4", "--path", path, "--engine", "irt"]
    assert main([*argv, "--model", "guesser", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["models"] == {} and list(data["test_wise"]["models"]) == [GUESSER]
    assert main([*argv, "--model", "longest-option"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("test-wise learners") and "only the competence part" in out
    assert main([*argv, "--model", "nobody"]) == 2
