"""Simulated learners taking positioning tests, to compare engines without a database.

Two learner models, each drawn once per learner (deterministic for a seed):

* ``logistic``: an ability theta ~ N(LOGISTIC_MEAN, LOGISTIC_SD) on the level scale;
  P(right) = c + (1 - c) / (1 + exp(-a (theta - b))), with b = level - 0.5 and a = 1 for an
  uncalibrated challenge (``challenge.irt`` otherwise) and c the guessing of the challenge type.
  The learner truly masters the skills whose difficulty is at most theta.
* ``skill-mastery``: a base level 0-6 (uniform); each tube of a competence at base - 1, base or
  base + 1 (20 % / 60 % / 20 %); the learner masters the skills up to the tube level, answers
  them right except for a 10 % slip, and answers the others right only by guessing (1 / options
  on single choice, 1 / 2^options on multiple choice, never on text and fields).

The true level is the Pix rule (``scoring.score``) on the skills the learner truly masters.
Engines run directly on ``EngineState``, one competence at a time. ``fixed-random`` is a
simulation-only baseline: a random fixed test, as long as the IRT engine's mean test (when it
runs), scored by Pix inference.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np

from bot.core.engines import ENGINES, get_engine
from bot.core.engines.base import Engine, EngineState
from bot.core.scoring import Knowledge, Source, Status, score
from content.bank import ContentBank, Skill
from content.models import Challenge, ChallengeType

MODELS: Final = ("skill-mastery", "logistic")
DEFAULT_ENGINES: Final = ("fixed-random", "smart-random", "irt")
LOGISTIC_MEAN: Final = 3.0
LOGISTIC_SD: Final = 1.5
SLIP: Final = 0.10
TUBE_OFFSETS: Final = ((-1, 0.2), (0, 0.6), (1, 0.2))
BASE_LEVELS: Final = tuple(range(7))
DEFAULT_FIXED_LENGTH: Final = 8
SAFETY_LENGTH: Final = 64  # no test is that long; guards against an engine that never stops


def guess_chance(challenge: Challenge) -> float:
    options = len(challenge.text("en").options)
    if challenge.type is ChallengeType.SINGLE and options:
        return 1.0 / options
    if challenge.type is ChallengeType.MULTIPLE and options:
        return 0.5**options
    return 0.0


def true_difficulty(challenge: Challenge) -> tuple[float, float]:
    """(a, b) of the logistic learner model."""
    if challenge.irt is not None:
        return challenge.irt.discrimination, challenge.irt.difficulty
    return 1.0, challenge.level - 0.5


class FixedRandom:
    """A fixed test of ``length`` skills drawn at random, scored by Pix inference."""

    name = "fixed-random"

    def __init__(self, length: int = DEFAULT_FIXED_LENGTH) -> None:
        self.length = length

    def _plan(self, state: EngineState) -> list[Skill]:
        skills = sorted(state.skills, key=lambda s: s.name)
        random.Random(state.seed).shuffle(skills)
        return skills[: self.length]

    def next_challenge(self, state: EngineState) -> Challenge | None:
        plan = self._plan(state)
        done = len(state.answers)
        if done >= len(plan):
            return None
        return state.pick_challenge(plan[done].name)

    def knowledge(self, state: EngineState) -> dict[str, Knowledge]:
        return state.knowledge()

    def expected_length(self, state: EngineState) -> int:
        return min(self.length, len(state.skills))


@dataclass(frozen=True)
class _State(EngineState):
    """An engine state whose competence skills are computed once per test, not per call."""

    assessable: tuple[Skill, ...] = ()

    @property
    def skills(self) -> list[Skill]:
        return list(self.assessable)


@dataclass(frozen=True)
class Learner:
    """One simulated learner of one competence."""

    answer: Callable[[Challenge, random.Random], bool]
    mastered: frozenset[str]


def _logistic_learner(theta: float, skills: Sequence[Skill], bank: ContentBank) -> Learner:
    def answer(challenge: Challenge, rng: random.Random) -> bool:
        a, b = true_difficulty(challenge)
        c = guess_chance(challenge)
        return rng.random() < c + (1 - c) / (1 + math.exp(-a * (theta - b)))

    mastered = set()
    for skill in skills:
        pool = bank.challenges_of(skill.name)
        if theta >= sum(true_difficulty(c)[1] for c in pool) / len(pool):
            mastered.add(skill.name)
    return Learner(answer, frozenset(mastered))


def _mastery_learner(tube_levels: dict[str, int], skills: Sequence[Skill]) -> Learner:
    def answer(challenge: Challenge, rng: random.Random) -> bool:
        if challenge.level <= tube_levels[challenge.tube]:
            return rng.random() >= SLIP
        return rng.random() < guess_chance(challenge)

    mastered = frozenset(s.name for s in skills if s.level <= tube_levels[s.tube])
    return Learner(answer, mastered)


def _learners(
    bank: ContentBank, model: str, count: int, seed: int, competences: Sequence[str]
) -> list[dict[str, Learner]]:
    """Per learner, per competence: the simulated learner."""
    rng = np.random.default_rng([seed, MODELS.index(model)])
    skills = {code: bank.assessable_skills(code) for code in competences}
    result: list[dict[str, Learner]] = []
    offsets = [offset for offset, _ in TUBE_OFFSETS]
    weights = [weight for _, weight in TUBE_OFFSETS]
    for _ in range(count):
        if model == "logistic":
            theta = float(rng.normal(LOGISTIC_MEAN, LOGISTIC_SD))
            result.append(
                {code: _logistic_learner(theta, skills[code], bank) for code in competences}
            )
            continue
        base = int(rng.choice(BASE_LEVELS))
        per_competence: dict[str, Learner] = {}
        for code in competences:
            tubes = sorted({s.tube for s in skills[code]})
            drawn = rng.choice(offsets, size=len(tubes), p=weights)
            levels = {tube: base + int(d) for tube, d in zip(tubes, drawn, strict=True)}
            per_competence[code] = _mastery_learner(levels, skills[code])
        result.append(per_competence)
    return result


def _true_score(skills: Sequence[Skill], mastered: frozenset[str]) -> tuple[int, int]:
    known = {n: Knowledge(n, Status.VALIDATED, Source.DIRECT) for n in mastered}
    found = score(skills, known)
    return found.level, found.pix


def run_test(
    engine: Engine,
    bank: ContentBank,
    competence: str,
    learner: Learner,
    seed: int,
    rng: random.Random,
    skills: tuple[Skill, ...] | None = None,
) -> tuple[int, int, int]:
    """One positioning test: (challenges asked, estimated level, estimated pix)."""
    if skills is None:
        skills = tuple(bank.assessable_skills(competence))
    answers: list[tuple[Challenge, bool]] = []
    while len(answers) < SAFETY_LENGTH:
        state = _State(bank, competence, tuple(answers), seed, assessable=skills)
        challenge = engine.next_challenge(state)
        if challenge is None:
            break
        answers.append((challenge, learner.answer(challenge, rng)))
    final = _State(bank, competence, tuple(answers), seed, assessable=skills)
    found = score(skills, engine.knowledge(final))
    return len(answers), found.level, found.pix


def _summary(
    lengths: Sequence[int],
    levels: Sequence[int],
    pix: Sequence[int],
    true_levels: Sequence[int],
    true_pix: Sequence[int],
) -> dict[str, float]:
    n = np.asarray(lengths, dtype=float)
    gap = np.abs(np.asarray(levels) - np.asarray(true_levels))
    return {
        "mean": round(float(n.mean()), 2) if len(n) else 0.0,
        "p90": float(np.percentile(n, 90)) if len(n) else 0.0,
        "max": float(n.max()) if len(n) else 0.0,
        "exact": round(float((gap == 0).mean()), 4),
        "within_one": round(float((gap <= 1).mean()), 4),
        "pix_error": round(float(np.abs(np.asarray(pix) - np.asarray(true_pix)).mean()), 2),
    }


def simulate(
    bank: ContentBank,
    engines: list[str],
    learners: int,
    seed: int,
    competences: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Every engine against both learner models; deterministic for a seed."""
    codes = [
        code for code in (competences or sorted(bank.competences)) if bank.assessable_skills(code)
    ]
    if not codes:
        raise ValueError("no competence with assessable skills")
    unknown = sorted(set(engines) - set(ENGINES) - {FixedRandom.name})
    if unknown or not engines:
        known = ", ".join(sorted({*ENGINES, FixedRandom.name}))
        raise ValueError(f"unknown engine(s) {', '.join(unknown) or '(none)'}; known: {known}")
    # The IRT engine runs first so the fixed random test can have its mean length.
    order = sorted(engines, key=lambda name: name == "fixed-random")
    skills = {code: tuple(bank.assessable_skills(code)) for code in codes}
    results: dict[str, Any] = {}
    for model in MODELS:
        population = _learners(bank, model, learners, seed, codes)
        truth = [
            {code: _true_score(skills[code], person[code].mastered) for code in codes}
            for person in population
        ]
        true_levels = [truth[i][code][0] for i in range(learners) for code in codes]
        true_pix = [truth[i][code][1] for i in range(learners) for code in codes]
        common = Counter(true_levels).most_common(1)[0][0] if true_levels else 0
        median_pix = int(np.median(true_pix)) if true_pix else 0
        rows: dict[str, dict[str, float]] = {
            "no-test": _summary(
                [0] * len(true_levels),
                [common] * len(true_levels),
                [median_pix] * len(true_pix),
                true_levels,
                true_pix,
            )
        }
        for name in order:
            engine: Engine
            if name == "fixed-random":
                irt_mean = rows.get("irt", {}).get("mean")
                length = round(irt_mean) if irt_mean else DEFAULT_FIXED_LENGTH
                engine = FixedRandom(max(1, length))
            else:
                engine = get_engine(name)
            lengths: list[int] = []
            levels: list[int] = []
            pix: list[int] = []
            for i, person in enumerate(population):
                for k, code in enumerate(codes):
                    test_seed = seed * 7_919 + i * 131 + k
                    rng = random.Random(f"{seed}:{model}:{name}:{i}:{code}")
                    n, level, points = run_test(
                        engine, bank, code, person[code], test_seed, rng, skills[code]
                    )
                    lengths.append(n)
                    levels.append(level)
                    pix.append(points)
            rows[name] = _summary(lengths, levels, pix, true_levels, true_pix)
        ordered = {"no-test": rows["no-test"]} | {name: rows[name] for name in engines}
        results[model] = {
            "most_common_level": common,
            "levels": dict(sorted(Counter(true_levels).items())),
            "engines": ordered,
        }
    return {"seed": seed, "learners": learners, "competences": codes, "models": results}


COLUMNS: Final = (
    ("mean", "mean", "{:.2f}"),
    ("p90", "p90", "{:.0f}"),
    ("max", "max", "{:.0f}"),
    ("exact", "exact", "{:.1%}"),
    ("within_one", "within 1", "{:.1%}"),
    ("pix_error", "pix err", "{:.2f}"),
)


def format_table(result: dict[str, Any]) -> str:
    """A plain-text table: one row per learner model and engine."""
    header = f"{'learners':<14}{'engine':<14}" + "".join(f"{t:>10}" for _, t, _ in COLUMNS)
    lines = [
        f"{result['learners']} learners x {len(result['competences'])} competences, "
        f"seed {result['seed']}; challenges per competence",
        header,
        "-" * len(header),
    ]
    for model, data in result["models"].items():
        for name, row in data["engines"].items():
            cells = "".join(f"{fmt.format(row[key]):>10}" for key, _, fmt in COLUMNS)
            lines.append(f"{model:<14}{name:<14}{cells}")
    return "\n".join(lines)
