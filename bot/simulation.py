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

``oracle`` is not an engine but a bound: every challenge of the competence is asked (each once),
and the level is the one with the highest posterior probability under the *true* learner model
(its real parameters and population prior, Bayes' rule done exactly). No test that asks each
challenge of the bank at most once, however adaptive, can expect a better exact-level rate on
these learners, so where it falls short of a goal, the goal is out of reach for the bank as it
is (more or sharper challenges are needed, not a better engine). Its ``mean`` is the number of
challenges asked.
"""

from __future__ import annotations

import itertools
import math
import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np

from bot.core.engines import ENGINES, get_engine
from bot.core.engines.base import Engine, EngineState
from bot.core.scoring import DEFAULT_MAX_LEVEL, Knowledge, Source, Status, score
from content.bank import ContentBank, Skill
from content.models import Challenge, ChallengeType

MODELS: Final = ("skill-mastery", "logistic")
DEFAULT_ENGINES: Final = ("fixed-random", "smart-random", "irt", "oracle")
ORACLE: Final = "oracle"
ORACLE_GRID: Final = np.linspace(-5.0, 11.0, 641)  # abilities for the logistic oracle
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
        self._plans: dict[tuple[str, int, tuple[str, ...]], list[Skill]] = {}

    def _plan(self, state: EngineState) -> list[Skill]:
        skills = sorted(state.skills, key=lambda s: s.name)
        key = (state.competence, state.seed, tuple(s.name for s in skills))
        plan = self._plans.get(key)
        if plan is None:
            if len(self._plans) > 4096:
                self._plans.clear()
            random.Random(state.seed).shuffle(skills)
            plan = self._plans[key] = skills[: self.length]
        return plan

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
    ability: float | None = None  # logistic learners: theta
    tube_levels: tuple[tuple[str, int], ...] = ()  # skill-mastery learners: (tube, level)


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
    return Learner(answer, frozenset(mastered), ability=theta)


def _mastery_learner(tube_levels: dict[str, int], skills: Sequence[Skill]) -> Learner:
    def answer(challenge: Challenge, rng: random.Random) -> bool:
        if challenge.level <= tube_levels[challenge.tube]:
            return rng.random() >= SLIP
        return rng.random() < guess_chance(challenge)

    mastered = frozenset(s.name for s in skills if s.level <= tube_levels[s.tube])
    return Learner(answer, mastered, tube_levels=tuple(sorted(tube_levels.items())))


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


@dataclass
class _OracleTables:
    """Per competence: every challenge, and the true model's likelihoods and levels."""

    pool: list[Challenge]
    log_right: np.ndarray  # challenges x states
    log_wrong: np.ndarray
    log_prior: np.ndarray  # per state
    levels: np.ndarray  # per state: the true level
    pix: np.ndarray


class _Oracle:
    """The bound described in the module docstring, for one bank: every challenge once, then the
    level of highest posterior probability under the true learner model. A learner state is an
    ability on a fine grid (logistic) or a base level and one offset per tube (skill-mastery)."""

    def __init__(self, bank: ContentBank, model: str) -> None:
        self.bank = bank
        self.model = model
        self._tables: dict[str, _OracleTables] = {}

    def run(self, competence: str, learner: Learner, rng: random.Random) -> tuple[int, int, int]:
        tables = self._tables.get(competence)
        if tables is None:
            tables = self._tables[competence] = self._build(competence)
        right = np.array([learner.answer(c, rng) for c in tables.pool], dtype=np.bool_)
        log_post = tables.log_prior + tables.log_right[right].sum(axis=0)
        log_post += tables.log_wrong[~right].sum(axis=0)
        weights = np.exp(log_post - log_post.max())
        by_level = np.bincount(tables.levels, weights=weights, minlength=DEFAULT_MAX_LEVEL + 1)
        order = np.argsort(tables.pix, kind="stable")  # the posterior median pix
        cumulative = np.cumsum(weights[order])
        median = tables.pix[order][np.searchsorted(cumulative, 0.5 * cumulative[-1])]
        return len(tables.pool), int(np.argmax(by_level)), int(median)

    def _build(self, competence: str) -> _OracleTables:
        skills = sorted(self.bank.assessable_skills(competence), key=lambda s: s.name)
        pool = [c for s in skills for c in sorted(self.bank.challenges_of(s.name), key=_id)]
        guess = np.array([guess_chance(c) for c in pool])[:, None]
        if self.model == "logistic":
            grid = ORACLE_GRID
            a, b = (np.array(x)[:, None] for x in zip(*map(true_difficulty, pool), strict=True))
            p = guess + (1 - guess) / (1 + np.exp(-a * (grid[None, :] - b)))
            log_prior = -0.5 * ((grid - LOGISTIC_MEAN) / LOGISTIC_SD) ** 2
            difficulty = {
                s.name: float(np.mean([true_difficulty(c)[1] for c in pool if c.skill == s.name]))
                for s in skills
            }
            truth = [  # as _logistic_learner computes it
                _true_score(skills, frozenset(n for n, d in difficulty.items() if theta >= d))
                for theta in grid
            ]
        else:
            tubes = sorted({s.tube for s in skills})
            combos = list(itertools.product(TUBE_OFFSETS, repeat=len(tubes)))
            states = [
                (base, {t: base + o for t, (o, _) in zip(tubes, combo, strict=True)})
                for base in BASE_LEVELS
                for combo in combos
            ]
            log_prior = np.array(
                [math.log(math.prod(w for _, w in combo)) for _ in BASE_LEVELS for combo in combos]
            )
            masters = np.array(
                [[c.level <= levels[c.tube] for _, levels in states] for c in pool], dtype=bool
            )
            p = np.where(masters, 1 - SLIP, guess)
            truth = [
                _true_score(skills, frozenset(s.name for s in skills if s.level <= levels[s.tube]))
                for _, levels in states
            ]
        p = np.clip(p, 1e-12, 1 - 1e-12)
        return _OracleTables(
            pool=pool,
            log_right=np.log(p),
            log_wrong=np.log1p(-p),
            log_prior=np.asarray(log_prior, dtype=np.float64),
            levels=np.array([level for level, _ in truth], dtype=np.int64),
            pix=np.array([points for _, points in truth], dtype=np.int64),
        )


def _id(challenge: Challenge) -> str:
    return challenge.id


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
    unknown = sorted(set(engines) - set(ENGINES) - {FixedRandom.name, ORACLE})
    if unknown or not engines:
        known = ", ".join(sorted({*ENGINES, FixedRandom.name, ORACLE}))
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
            if name == ORACLE:
                oracle = _Oracle(bank, model)
                runs = [
                    oracle.run(
                        code, person[code], random.Random(f"{seed}:{model}:{name}:{i}:{code}")
                    )
                    for i, person in enumerate(population)
                    for code in codes
                ]
                rows[name] = _summary(
                    [n for n, _, _ in runs],
                    [level for _, level, _ in runs],
                    [points for _, _, points in runs],
                    true_levels,
                    true_pix,
                )
                continue
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
