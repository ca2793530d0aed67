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
Test-wise learners, each with no skill at all (true level 0 on every competence), in a section
of their own (rows appended after the others, their own random streams):

* ``guesser``: a uniform guess on choice challenges (one option of a single choice; a uniform
  non-empty subset of a multiple choice, i.e. blind, not the bank's most common count); every
  typed (text, fields) answer wrong.
* ``longest-option``: the strictly longest option of a single choice (ties at random); on a
  multiple choice the k longest options (ties at the k-th length at random), k the most common
  count of right answers among the bank's validated multiple-choice challenges (the smaller on
  a tie); every typed answer wrong. It reads the English text for even-numbered learners and
  the French one for odd-numbered ones (each language's lengths are a cue of their own).

Their rows give the level each engine grants them (mean, p90, max, the share of tests at level
1 or more, the mean challenges asked), per competence too, and the issue's goal per engine: the
mean level of every test-wise model at most the guesser's + 0.1, and no competence's mean level
of any test-wise model above 0.5.

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

``bound`` (logistic learners only) is an information bound on any test of n challenges: for a
learner at true ability theta, the best n-challenge test asks the n challenges most informative
at theta, at most one per skill (the 3PL Fisher information of the learner model,
``a^2 (1 - p) / p ((p - c) / (1 - c))^2``, with its a, b and guessing c, at most 0.25 per
challenge for a = 1); by the Bayesian Cramér-Rao (van Trees) bound no estimate of theta then
has an error SD below ``1 / sqrt(sum of their information + 1 / LOGISTIC_SD^2)``, the last term
being the population prior's information (0.44, worth about two of the best challenges; a
fractional n counts the n-th challenge's information in part). With theta-hat = theta +
Normal(0, that SD), theta-hat is mapped to a level exactly as the true level is (the Pix score
of the skills whose mean difficulty theta-hat reaches) and the exact, within-one and pix-error
rates are computed analytically (normal CDF over the level intervals), averaged over the same
simulated learners. It is optimistic on purpose: the information is taken at the true theta (no
test knows it), the challenges are chosen with hindsight, and no estimation error beyond that
SD is counted. (Calibration on the shipped bank: given every challenge, not one per skill, it
gives 62.5 % exact and 99.2 % within one, just above the exact-Bayes ``oracle``'s 61.9 % and
99.1 %.) Rows ``bound@n``: n = the IRT engine's mean length, smart random's mean length / 1.5
(the issue's speed goal) and 12; a goal these rows miss is out of reach for the bank at that
length, whatever the engine.
"""

from __future__ import annotations

import itertools
import math
import random
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Any, Final

import numpy as np
from scipy import special

from bot.core.engines import ENGINES, get_engine
from bot.core.engines.base import Engine, EngineState
from bot.core.engines.irt import SIMULATION_MEMO_SIZE, SIMULATION_PIX_MEMO_SIZE, IrtEngine
from bot.core.scoring import (
    DEFAULT_MAX_LEVEL,
    PIX_PER_LEVEL,
    Knowledge,
    Source,
    Status,
    score,
    skill_pix,
)
from content.bank import ContentBank, Skill
from content.models import Challenge, ChallengeType
from content.models import Status as ChallengeStatus

MODELS: Final = ("skill-mastery", "logistic")
GUESSER: Final = "guesser"
LONGEST: Final = "longest-option"
TEST_WISE: Final = (GUESSER, LONGEST)
TEST_WISE_MARGIN: Final = 0.1  # goal: a test-wise mean level at most the guesser's + this
COMPETENCE_CEILING: Final = 0.5  # goal: no competence's test-wise mean level above this
DEFAULT_ENGINES: Final = ("fixed-random", "smart-random", "irt", "oracle", "bound")
ORACLE: Final = "oracle"
BOUND: Final = "bound"
BOUND_LENGTHS: Final = (12.0,)  # always shown, besides the IRT and 1.5x-shorter lengths
SPEED_UP: Final = 1.5  # the goal: 1.5x fewer challenges than smart random
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
        skills = state.skills
        key = (state.competence, state.seed, tuple([s.name for s in skills]))
        plan = self._plans.get(key)
        if plan is None:
            if len(self._plans) > 4096:
                self._plans.clear()
            ordered = sorted(skills, key=_name)
            random.Random(state.seed).shuffle(ordered)
            plan = self._plans[key] = ordered[: self.length]
        return plan

    def next_challenge(self, state: EngineState) -> Challenge | None:
        plan = self._plan(state)
        done = len(state.answers)
        if done >= len(plan):
            return None
        return state.pick_challenge(plan[done].name)

    def knowledge(self, state: EngineState) -> dict[str, Knowledge]:
        return state.knowledge()

    def sureness(self, state: EngineState) -> float:
        return min(1.0, len(state.answers) / max(1, min(self.length, len(state.skills))))


def _name(skill: Skill) -> str:
    return skill.name


@dataclass(frozen=True)
class _State(EngineState):
    """An engine state whose competence skills are computed once per test, not per call, and
    whose Pix inference looks only at the answered skill's tube."""

    assessable: tuple[Skill, ...] = ()
    by_tube: Mapping[str, tuple[Skill, tuple[Skill, ...]]] = field(default_factory=dict)

    @property
    def skills(self) -> list[Skill]:
        return list(self.assessable)

    def knowledge(self) -> dict[str, Knowledge]:
        """``scoring.infer``: the same knowledge, inserted in the same order."""
        if self.known or not self.by_tube:
            return super().knowledge()
        result: dict[str, Knowledge] = {}
        for challenge, correct in self.answers:
            found = self.by_tube.get(challenge.skill)
            if found is None:
                continue
            tested, tube = found
            status = Status.VALIDATED if correct else Status.INVALIDATED
            result[tested.name] = Knowledge(tested.name, status, Source.DIRECT)
            for other in tube:
                if other.name in result:
                    continue
                easier = other.level < tested.level
                if (correct and easier) or (not correct and not easier):
                    result[other.name] = Knowledge(other.name, status, Source.INFERRED)
        return result


_NOTHING_KNOWN: Final[Mapping[str, Knowledge]] = MappingProxyType({})
_STATE_FIELDS: Final = frozenset(
    ("bank", "competence", "answers", "seed", "seen", "known", "assessable", "by_tube")
)


def _state(
    bank: ContentBank,
    competence: str,
    answers: tuple[tuple[Challenge, bool], ...],
    seed: int,
    skills: tuple[Skill, ...],
    by_tube: Mapping[str, tuple[Skill, tuple[Skill, ...]]],
) -> _State:
    """``_State(bank, competence, answers, seed, assessable=skills, by_tube=by_tube)``, without
    the frozen dataclass's field-by-field ``__init__`` (built hundreds of thousands of times)."""
    if not _FAST_STATE:  # a field this function does not know: the plain way
        return _State(bank, competence, answers, seed, assessable=skills, by_tube=by_tube)
    state = object.__new__(_State)
    state.__dict__.update(
        bank=bank,
        competence=competence,
        answers=answers,
        seed=seed,
        seen=frozenset(),
        known=_NOTHING_KNOWN,
        assessable=skills,
        by_tube=by_tube,
    )
    return state


_FAST_STATE: Final = {f.name for f in fields(_State)} == _STATE_FIELDS

# id(skills) -> (skills, their tubes): the entry keeps its tuple alive, so the id stays unique.
_TUBES: dict[int, tuple[tuple[Skill, ...], dict[str, tuple[Skill, tuple[Skill, ...]]]]] = {}


def _by_tube(skills: tuple[Skill, ...]) -> dict[str, tuple[Skill, tuple[Skill, ...]]]:
    """Per skill name: the skill and the skills of its tube, in the order of ``skills``."""
    entry = _TUBES.get(id(skills))
    if entry is not None and entry[0] is skills:
        return entry[1]
    members: dict[str, list[Skill]] = {}
    for skill in skills:
        members.setdefault(skill.tube, []).append(skill)
    tubes = {skill.name: (skill, tuple(members[skill.tube])) for skill in skills}
    if len(_TUBES) > 1024:
        _TUBES.clear()
    _TUBES[id(skills)] = (skills, tubes)
    return tubes


@dataclass(frozen=True)
class Learner:
    """One simulated learner of one competence."""

    answer: Callable[[Challenge, random.Random], bool]
    mastered: frozenset[str]
    ability: float | None = None  # logistic learners: theta
    tube_levels: tuple[tuple[str, int], ...] = ()  # skill-mastery learners: (tube, level)


@dataclass(frozen=True)
class _Facts:
    """What the learner models read of a bank, computed once rather than per answer."""

    logistic: dict[str, tuple[float, float, float]]  # challenge id -> (a, b, guessing)
    mastery: dict[str, tuple[int, str, float]]  # challenge id -> (level, tube, guessing)
    threshold: dict[str, float]  # skill -> mean b of its challenges (logistic mastery)

    @classmethod
    def of(cls, bank: ContentBank) -> _Facts:
        logistic: dict[str, tuple[float, float, float]] = {}
        mastery: dict[str, tuple[int, str, float]] = {}
        for cid, challenge in bank.challenges.items():
            guess = guess_chance(challenge)
            logistic[cid] = (*true_difficulty(challenge), guess)
            mastery[cid] = (challenge.level, challenge.tube, guess)
        threshold = {
            name: sum(true_difficulty(c)[1] for c in pool) / len(pool)
            for name in bank.skills
            if (pool := bank.challenges_of(name))
        }
        return cls(logistic, mastery, threshold)


def _logistic_learner(theta: float, skills: Sequence[Skill], facts: _Facts) -> Learner:
    params = facts.logistic

    def answer(challenge: Challenge, rng: random.Random) -> bool:
        a, b, c = params[challenge.id]
        return rng.random() < c + (1 - c) / (1 + math.exp(-a * (theta - b)))

    mastered = frozenset(s.name for s in skills if theta >= facts.threshold[s.name])
    return Learner(answer, mastered, ability=theta)


def _mastery_learner(
    tube_levels: dict[str, int], skills: Sequence[Skill], facts: _Facts
) -> Learner:
    params = facts.mastery

    def answer(challenge: Challenge, rng: random.Random) -> bool:
        level, tube, guess = params[challenge.id]
        if level <= tube_levels[tube]:
            return rng.random() >= SLIP
        return rng.random() < guess

    mastered = frozenset(s.name for s in skills if s.level <= tube_levels[s.tube])
    return Learner(answer, mastered, tube_levels=tuple(sorted(tube_levels.items())))


def learners_of(
    bank: ContentBank, model: str, count: int, seed: int, competences: Sequence[str]
) -> list[dict[str, Learner]]:
    """Per learner, per competence: the simulated learner."""
    rng = np.random.default_rng([seed, MODELS.index(model)])
    facts = _Facts.of(bank)
    skills = {code: bank.assessable_skills(code) for code in competences}
    tubes = {code: sorted({s.tube for s in skills[code]}) for code in competences}
    result: list[dict[str, Learner]] = []
    offsets = [offset for offset, _ in TUBE_OFFSETS]
    weights = [weight for _, weight in TUBE_OFFSETS]
    for _ in range(count):
        if model == "logistic":
            theta = float(rng.normal(LOGISTIC_MEAN, LOGISTIC_SD))
            result.append(
                {code: _logistic_learner(theta, skills[code], facts) for code in competences}
            )
            continue
        base = int(rng.choice(BASE_LEVELS))
        per_competence: dict[str, Learner] = {}
        for code in competences:
            drawn = rng.choice(offsets, size=len(tubes[code]), p=weights)
            levels = {tube: base + int(d) for tube, d in zip(tubes[code], drawn, strict=True)}
            per_competence[code] = _mastery_learner(levels, skills[code], facts)
        result.append(per_competence)
    return result


def _true_score(skills: Sequence[Skill], mastered: frozenset[str]) -> tuple[int, int]:
    known = {n: Knowledge(n, Status.VALIDATED, Source.DIRECT) for n in mastered}
    found = score(skills, known)
    return found.level, found.pix


def _level_and_pix(values: dict[str, float], knowledge: dict[str, Knowledge]) -> tuple[int, int]:
    """``scoring.score`` with the skills' pix values computed once (same sum, same order)."""
    total = sum(
        values[name] for name, known in knowledge.items() if known.validated and name in values
    )
    pix = min(math.floor(round(total, 6)), DEFAULT_MAX_LEVEL * PIX_PER_LEVEL)
    return min(pix // PIX_PER_LEVEL, DEFAULT_MAX_LEVEL), pix


@dataclass
class _OracleTables:
    """Per competence: every challenge, and the true model's likelihoods and levels."""

    pool: list[Challenge]
    log_right: np.ndarray  # challenges x states
    log_wrong: np.ndarray
    log_prior: np.ndarray  # per state
    levels: np.ndarray  # per state: the true level
    pix: np.ndarray
    order: np.ndarray = field(init=False)  # states by pix (stable)
    all_wrong: np.ndarray = field(init=False)  # per state: log prior + every answer wrong
    gain: np.ndarray = field(init=False)  # challenges x states: log right - log wrong

    def __post_init__(self) -> None:
        self.order = np.argsort(self.pix, kind="stable")
        self.all_wrong = self.log_prior + self.log_wrong.sum(axis=0)
        self.gain = self.log_right - self.log_wrong


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
        answer = learner.answer
        right = np.array([answer(c, rng) for c in tables.pool], dtype=np.float64)
        log_post = tables.all_wrong + right @ tables.gain
        weights = np.exp(log_post - log_post.max())
        by_level = np.bincount(tables.levels, weights=weights, minlength=DEFAULT_MAX_LEVEL + 1)
        order = tables.order  # the posterior median pix
        cumulative = np.cumsum(weights[order])
        median = tables.pix[order[np.searchsorted(cumulative, 0.5 * cumulative[-1])]]
        return len(tables.pool), int(np.argmax(by_level)), int(median)

    def run_many(
        self, competence: str, learners: Sequence[Learner], rngs: Sequence[random.Random]
    ) -> list[tuple[int, int, int]]:
        """``run`` for many learners of one competence at once."""
        tables = self._tables.get(competence)
        if tables is None:
            tables = self._tables[competence] = self._build(competence)
        pool = tables.pool
        right = np.array(
            [
                [learner.answer(c, rng) for c in pool]
                for learner, rng in zip(learners, rngs, strict=True)
            ],
            dtype=np.float64,
        ).reshape(len(learners), len(pool))
        log_post = tables.all_wrong + right @ tables.gain  # learners x states
        weights = np.exp(log_post - log_post.max(axis=1, keepdims=True))
        one_hot = tables.levels[:, None] == np.arange(DEFAULT_MAX_LEVEL + 1)[None, :]
        levels = np.argmax(weights @ one_hot, axis=1)
        cumulative = np.cumsum(weights[:, tables.order], axis=1)  # the posterior median pix
        median = (cumulative < 0.5 * cumulative[:, -1:]).sum(axis=1)
        pix = tables.pix[tables.order[median]]
        return [(len(pool), int(k), int(p)) for k, p in zip(levels, pix, strict=True)]

    def _build(self, competence: str) -> _OracleTables:
        skills = sorted(self.bank.assessable_skills(competence), key=lambda s: s.name)
        pool = [c for s in skills for c in sorted(self.bank.challenges_of(s.name), key=_id)]
        guess = np.array([guess_chance(c) for c in pool])[:, None]
        if self.model == "logistic":
            grid = ORACLE_GRID
            a, b = (np.array(x)[:, None] for x in zip(*map(true_difficulty, pool), strict=True))
            p = guess + (1 - guess) / (1 + np.exp(-a * (grid[None, :] - b)))
            log_prior = -0.5 * ((grid - LOGISTIC_MEAN) / LOGISTIC_SD) ** 2
            difficulty = np.array(
                [
                    np.mean([true_difficulty(c)[1] for c in pool if c.skill == s.name])
                    for s in skills
                ]
            )
            knows = grid[:, None] >= difficulty[None, :]  # as _logistic_learner computes it
        else:
            tubes = sorted({s.tube for s in skills})
            combos = list(itertools.product(TUBE_OFFSETS, repeat=len(tubes)))
            log_prior = np.array(
                [math.log(math.prod(w for _, w in combo)) for _ in BASE_LEVELS for combo in combos]
            )
            offsets = np.array([[o for o, _ in combo] for combo in combos], dtype=np.int64)
            tube_levels = (np.array(BASE_LEVELS)[:, None, None] + offsets[None]).reshape(
                -1, len(tubes)
            )  # states (base-major, then combos) x tubes
            item_tube = [tubes.index(c.tube) for c in pool]
            masters = np.array([c.level for c in pool])[:, None] <= tube_levels[:, item_tube].T
            p = np.where(masters, 1 - SLIP, guess)
            skill_tube = [tubes.index(s.tube) for s in skills]
            knows = np.array([s.level for s in skills])[None, :] <= tube_levels[:, skill_tube]
        # The true score of every state, computed once per distinct set of mastered skills.
        distinct, inverse = np.unique(knows, axis=0, return_inverse=True)
        truth = np.array(
            [
                _true_score(
                    skills, frozenset(s.name for s, k in zip(skills, row, strict=True) if k)
                )
                for row in distinct
            ],
            dtype=np.int64,
        ).reshape(-1, 2)[inverse.reshape(-1)]
        p = np.clip(p, 1e-12, 1 - 1e-12)
        return _OracleTables(
            pool=pool,
            log_right=np.log(p),
            log_wrong=np.log1p(-p),
            log_prior=np.asarray(log_prior, dtype=np.float64),
            levels=truth[:, 0].copy(),
            pix=truth[:, 1].copy(),
        )


def _id(challenge: Challenge) -> str:
    return challenge.id


def item_information(theta: np.ndarray, a: float, b: float, c: float) -> np.ndarray:
    """3PL Fisher information of one challenge at abilities ``theta``."""
    p = c + (1 - c) / (1 + np.exp(-a * (theta - b)))
    result: np.ndarray = a * a * (1 - p) / p * ((p - c) / (1 - c)) ** 2
    return result


def information_bound(
    bank: ContentBank, competences: Sequence[str], thetas: Sequence[float], length: float
) -> dict[str, float]:
    """The ``bound`` row of the module docstring for logistic learners at ``thetas`` (the same
    ability on every competence), tests of ``length`` challenges: expected rates, no sampling."""
    facts = _Facts.of(bank)
    theta = np.asarray(thetas, dtype=np.float64)
    exact: list[np.ndarray] = []
    within: list[np.ndarray] = []
    pix_error: list[np.ndarray] = []
    for code in competences:
        skills = bank.assessable_skills(code)
        # Per skill, its most informative challenge at each theta; then the best skills.
        info = np.array(
            [
                np.max(
                    [
                        item_information(theta, *facts.logistic[c.id])
                        for c in bank.challenges_of(s.name)
                    ],
                    axis=0,
                )
                for s in skills
            ]
        )
        info = -np.sort(-info, axis=0)  # skills x learners, most informative first
        whole = min(int(length), len(skills))
        total = info[:whole].sum(axis=0) + 1.0 / LOGISTIC_SD**2  # the prior's information
        if whole < len(skills):
            total += (length - whole) * info[whole]
        se = 1.0 / np.sqrt(total)
        # Levels are a step function of the ability: one interval per set of mastered skills.
        cuts = np.unique([facts.threshold[s.name] for s in skills])
        scores = np.array(
            [
                _true_score(
                    skills, frozenset(s.name for s in skills if facts.threshold[s.name] <= low)
                )
                for low in [-np.inf, *cuts]
            ]
        )  # per interval: (level, pix)
        edges = np.concatenate([[-np.inf], cuts, [np.inf]])
        mass = np.diff(special.ndtr((edges[None, :] - theta[:, None]) / se[:, None]), axis=1)
        true = np.searchsorted(cuts, theta, side="right")  # the interval of theta itself
        gap = np.abs(scores[None, :, 0] - scores[true][:, None, 0])
        exact.append((mass * (gap == 0)).sum(axis=1))
        within.append((mass * (gap <= 1)).sum(axis=1))
        pix_error.append(
            (mass * np.abs(scores[None, :, 1] - scores[true][:, None, 1])).sum(axis=1)
        )
    return {
        "mean": round(float(length), 2),
        "p90": float(length),
        "max": float(length),
        "exact": round(float(np.mean(exact)), 4),
        "within_one": round(float(np.mean(within)), 4),
        "pix_error": round(float(np.mean(pix_error)), 2),
    }


def run_test(
    engine: Engine,
    bank: ContentBank,
    competence: str,
    learner: Learner,
    seed: int,
    rng: random.Random,
    skills: tuple[Skill, ...] | None = None,
    values: dict[str, float] | None = None,
) -> tuple[int, int, int]:
    """One positioning test: (challenges asked, estimated level, estimated pix). ``values``:
    ``skill_pix(skills)``, when the caller has it."""
    if skills is None:
        skills = tuple(bank.assessable_skills(competence))
    if values is None:
        values = skill_pix(skills)
    by_tube = _by_tube(skills)
    answers: list[tuple[Challenge, bool]] = []
    while len(answers) < SAFETY_LENGTH:
        state = _state(bank, competence, tuple(answers), seed, skills, by_tube)
        challenge = engine.next_challenge(state)
        if challenge is None:
            break
        answers.append((challenge, learner.answer(challenge, rng)))
    final = _state(bank, competence, tuple(answers), seed, skills, by_tube)
    level, pix = _level_and_pix(values, engine.knowledge(final))
    return len(answers), level, pix


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


def _engine(name: str, irt_mean: float | None) -> Engine:
    """A fresh engine for a section of the simulation; ``irt_mean``: the IRT engine's mean
    length on the same learners, the fixed random test's length."""
    if name == FixedRandom.name:
        length = round(irt_mean) if irt_mean else DEFAULT_FIXED_LENGTH
        return FixedRandom(max(1, length))
    if name == IrtEngine.name:  # its own, with a memo big enough for shared prefixes
        return IrtEngine(memo_size=SIMULATION_MEMO_SIZE, pix_memo_size=SIMULATION_PIX_MEMO_SIZE)
    return get_engine(name)


def simulate(
    bank: ContentBank,
    engines: list[str],
    learners: int,
    seed: int,
    competences: Sequence[str] | None = None,
    models: Sequence[str] = (*MODELS, *TEST_WISE),
) -> dict[str, Any]:
    """Every engine against the learner models of ``models`` (``MODELS``, then the test-wise
    ones of ``TEST_WISE``, each in its own section); deterministic for a seed, and a model's
    rows do not depend on which other models run."""
    unknown_models = sorted(set(models) - {*MODELS, *TEST_WISE})
    if unknown_models or not models:
        known = ", ".join([*MODELS, *TEST_WISE])
        raise ValueError(
            f"unknown learner model(s) {', '.join(unknown_models) or '(none)'}; known: {known}"
        )
    codes = [
        code for code in (competences or sorted(bank.competences)) if bank.assessable_skills(code)
    ]
    if not codes:
        raise ValueError("no competence with assessable skills")
    unknown = sorted(set(engines) - set(ENGINES) - {FixedRandom.name, ORACLE, BOUND})
    if unknown or not engines:
        known = ", ".join(sorted({*ENGINES, FixedRandom.name, ORACLE, BOUND}))
        raise ValueError(f"unknown engine(s) {', '.join(unknown) or '(none)'}; known: {known}")
    # The IRT engine runs first so the fixed random test can have its mean length.
    order = sorted(engines, key=lambda name: (name == BOUND, name == "fixed-random"))
    skills = {code: tuple(bank.assessable_skills(code)) for code in codes}
    values = {code: skill_pix(skills[code]) for code in codes}
    truths: dict[tuple[str, frozenset[str]], tuple[int, int]] = {}  # few distinct ones
    results: dict[str, Any] = {}
    for model in [m for m in MODELS if m in models]:
        population = learners_of(bank, model, learners, seed, codes)
        truth: list[dict[str, tuple[int, int]]] = []
        for person in population:
            found: dict[str, tuple[int, int]] = {}
            for code in codes:
                key = (code, person[code].mastered)
                if key not in truths:
                    truths[key] = _true_score(skills[code], person[code].mastered)
                found[code] = truths[key]
            truth.append(found)
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
            if name == BOUND:
                if model == "logistic":
                    lengths_at = [*BOUND_LENGTHS]
                    if "irt" in rows:
                        lengths_at.append(rows["irt"]["mean"])
                    if "smart-random" in rows:
                        lengths_at.append(rows["smart-random"]["mean"] / SPEED_UP)
                    for n in sorted(set(lengths_at)):
                        thetas = [person[codes[0]].ability or 0.0 for person in population]
                        rows[f"{BOUND}@{n:.3g}"] = information_bound(bank, codes, thetas, n)
                continue
            if name == ORACLE:
                oracle = _Oracle(bank, model)
                per_code = {
                    code: oracle.run_many(
                        code,
                        [person[code] for person in population],
                        [
                            random.Random(f"{seed}:{model}:{name}:{i}:{code}")
                            for i in range(len(population))
                        ],
                    )
                    for code in codes
                }
                runs = [per_code[code][i] for i in range(len(population)) for code in codes]
                rows[name] = _summary(
                    [n for n, _, _ in runs],
                    [level for _, level, _ in runs],
                    [points for _, _, points in runs],
                    true_levels,
                    true_pix,
                )
                continue
            engine = _engine(name, rows.get("irt", {}).get("mean"))
            lengths: list[int] = []
            levels: list[int] = []
            pix: list[int] = []
            for i, person in enumerate(population):
                for k, code in enumerate(codes):
                    test_seed = seed * 7_919 + i * 131 + k
                    rng = random.Random(f"{seed}:{model}:{name}:{i}:{code}")
                    n, level, points = run_test(
                        engine,
                        bank,
                        code,
                        person[code],
                        test_seed,
                        rng,
                        skills[code],
                        values[code],
                    )
                    lengths.append(n)
                    levels.append(level)
                    pix.append(points)
            rows[name] = _summary(lengths, levels, pix, true_levels, true_pix)
        ordered = {"no-test": rows["no-test"]} | {
            row: rows[row]
            for name in engines
            for row in rows
            if row == name or (name == BOUND and row.startswith(f"{BOUND}@"))
        }
        results[model] = {
            "most_common_level": common,
            "levels": dict(sorted(Counter(true_levels).items())),
            "engines": ordered,
        }
    result = {"seed": seed, "learners": learners, "competences": codes, "models": results}
    real = [name for name in order if name not in (ORACLE, BOUND)]
    test_wise = [m for m in TEST_WISE if m in models]
    if test_wise and real:
        wise = _test_wise(bank, real, test_wise, learners, seed, codes)
        shown = [name for name in engines if name in real]  # the order asked for
        wise["models"] = {
            model: {name: by_engine[name] for name in shown}
            for model, by_engine in wise["models"].items()
        }
        wise["goal"] = {name: wise["goal"][name] for name in shown}
        result["test_wise"] = wise
    return result


# --- test-wise learners ------------------------------------------------------------------


def common_right_count(bank: ContentBank) -> int:
    """The most common number of right answers of the bank's validated multiple-choice
    challenges (the smaller on a tie; 1 when there are none)."""
    counts = Counter(
        len(c.right_indexes)
        for c in bank.challenges.values()
        if c.type is ChallengeType.MULTIPLE and c.status is ChallengeStatus.VALIDATED
    )
    if not counts:
        return 1
    top = max(counts.values())
    return min(count for count, used in counts.items() if used == top)


def _lengths(challenge: Challenge, language: str) -> list[int]:
    return [len(option.strip()) for option in challenge.text(language).options]


def _longest(sizes: Sequence[int], k: int, rng: random.Random) -> frozenset[int]:
    """The k longest options; those tied at the k-th length drawn at random."""
    k = min(k, len(sizes))
    by_length = sorted(range(len(sizes)), key=lambda i: -sizes[i])
    cut = sizes[by_length[k - 1]]
    sure = [i for i in by_length if sizes[i] > cut]
    tied = [i for i in by_length if sizes[i] == cut]
    if len(sure) + len(tied) == k:
        return frozenset(sure + tied)
    return frozenset(sure + rng.sample(tied, k - len(sure)))


def wise_learner(model: str, language: str, k: int) -> Learner:
    """A learner with no skill (see the module docstring); ``k``: the multiple-choice count
    ``longest-option`` ticks."""
    no_skill: frozenset[str] = frozenset()
    if model == GUESSER:

        def guess(challenge: Challenge, rng: random.Random) -> bool:
            options = len(challenge.text(language).options)
            if challenge.type is ChallengeType.SINGLE:
                return rng.randrange(options) in challenge.right_indexes
            if challenge.type is ChallengeType.MULTIPLE:  # a uniform non-empty subset
                mask = rng.randrange(1, 2**options)
                return frozenset(i for i in range(options) if mask >> i & 1) == (
                    challenge.right_indexes
                )
            return False

        return Learner(guess, no_skill)
    if model == LONGEST:

        def longest(challenge: Challenge, rng: random.Random) -> bool:
            if challenge.type is ChallengeType.SINGLE:
                return _longest(_lengths(challenge, language), 1, rng) == challenge.right_indexes
            if challenge.type is ChallengeType.MULTIPLE:
                return _longest(_lengths(challenge, language), k, rng) == challenge.right_indexes
            return False

        return Learner(longest, no_skill)
    raise ValueError(f"unknown test-wise model {model!r}")


def _test_wise(
    bank: ContentBank,
    engines: Sequence[str],
    models: Sequence[str],
    learners: int,
    seed: int,
    codes: Sequence[str],
) -> dict[str, Any]:
    """Every test-wise model against every engine: the levels granted, and the goal."""
    k = common_right_count(bank)
    skills = {code: tuple(bank.assessable_skills(code)) for code in codes}
    values = {code: skill_pix(skills[code]) for code in codes}
    rows: dict[str, dict[str, dict[str, Any]]] = {}
    for model in models:
        people = {lang: wise_learner(model, lang, k) for lang in ("en", "fr")}
        rows[model] = {}
        for name in engines:  # the IRT engine first, as for the other learners
            engine = _engine(name, rows[model].get("irt", {}).get("challenges"))
            lengths: list[int] = []
            levels: dict[str, list[int]] = {code: [] for code in codes}
            for i in range(learners):
                person = people["en" if i % 2 == 0 else "fr"]
                for position, code in enumerate(codes):
                    test_seed = seed * 7_919 + i * 131 + position
                    rng = random.Random(f"{seed}:{model}:{name}:{i}:{code}")
                    n, level, _ = run_test(
                        engine, bank, code, person, test_seed, rng, skills[code], values[code]
                    )
                    lengths.append(n)
                    levels[code].append(level)
            rows[model][name] = _granted(lengths, levels)
    return {
        "learners": learners,
        "multiple_choice_count": k,
        "models": rows,
        "goal": _goal(rows, engines),
    }


def _granted(lengths: Sequence[int], levels: Mapping[str, Sequence[int]]) -> dict[str, Any]:
    every = np.array([level for found in levels.values() for level in found], dtype=float)
    per_competence = {
        code: round(float(np.mean(found)), 2) if found else 0.0 for code, found in levels.items()
    }
    worst = max(per_competence, key=lambda code: per_competence[code])
    return {
        "mean": round(float(every.mean()), 2) if len(every) else 0.0,
        "p90": float(np.percentile(every, 90)) if len(every) else 0.0,
        "max": float(every.max()) if len(every) else 0.0,
        "level_1_or_more": round(float((every >= 1).mean()), 4) if len(every) else 0.0,
        "competences_above": sum(1 for m in per_competence.values() if m > COMPETENCE_CEILING),
        "worst": {"competence": worst, "mean": per_competence[worst]},
        "challenges": round(float(np.mean(lengths)), 2) if lengths else 0.0,
        "per_competence": per_competence,
    }


def _goal(rows: Mapping[str, Mapping[str, Mapping[str, Any]]], engines: Sequence[str]) -> Any:
    """Per engine: every test-wise mean level at most the guesser's + TEST_WISE_MARGIN, and no
    competence's mean level above COMPETENCE_CEILING (for any test-wise model)."""
    goal: dict[str, Any] = {}
    for name in engines:
        guesser = rows.get(GUESSER, {}).get(name)
        limit = round(guesser["mean"] + TEST_WISE_MARGIN, 2) if guesser else None
        failures: list[str] = []
        for model, by_engine in rows.items():
            row = by_engine[name]
            if limit is not None and row["mean"] > limit:
                failures.append(f"{model} mean {row['mean']:.2f} > {limit:.2f}")
            above = [
                f"{code} {mean:.2f}"
                for code, mean in row["per_competence"].items()
                if mean > COMPETENCE_CEILING
            ]
            if above:
                failures.append(
                    f"{model} above {COMPETENCE_CEILING:.2f} in {len(above)}: {', '.join(above)}"
                )
        goal[name] = {"pass": not failures, "limit": limit, "failures": failures}
    return goal


COLUMNS: Final = (
    ("mean", "mean", "{:.2f}"),
    ("p90", "p90", "{:.0f}"),
    ("max", "max", "{:.0f}"),
    ("exact", "exact", "{:.1%}"),
    ("within_one", "within 1", "{:.1%}"),
    ("pix_error", "pix err", "{:.2f}"),
)


TEST_WISE_COLUMNS: Final = (
    ("mean", "mean", "{:.2f}"),
    ("p90", "p90", "{:.0f}"),
    ("max", "max", "{:.0f}"),
    ("level_1_or_more", "level>=1", "{:.1%}"),
    ("competences_above", "comp>0.5", "{}/{total}"),
    ("challenges", "asked", "{:.2f}"),
)


def format_test_wise(data: dict[str, Any], competences: int) -> list[str]:
    """The test-wise section of the table (appended after the other rows)."""
    header = (
        f"{'learners':<16}{'engine':<14}"
        + "".join(f"{t:>10}" for _, t, _ in TEST_WISE_COLUMNS)
        + f"  {'worst competence'}"
    )
    lines = [
        f"test-wise learners, no skill (true level 0): {data['learners']} x {competences} "
        f"competences; levels granted; longest-option ticks the "
        f"{data['multiple_choice_count']} longest on multiple choice",
        header,
        "-" * len(header),
    ]
    for model, by_engine in data["models"].items():
        for name, row in by_engine.items():
            cells = "".join(
                f"{fmt.format(row[key], total=competences):>10}"
                for key, _, fmt in TEST_WISE_COLUMNS
            )
            worst = row["worst"]
            lines.append(
                f"{model:<16}{name:<14}{cells}  {worst['competence']} {worst['mean']:.2f}"
            )
    lines.append(
        f"goal: every test-wise mean level <= the guesser's + {TEST_WISE_MARGIN:.1f}, and no "
        f"competence's mean above {COMPETENCE_CEILING:.1f}"
    )
    if GUESSER not in data["models"]:
        lines.append("  (the guesser did not run: only the competence part is checked)")
    for name, verdict in data["goal"].items():
        status = "PASS" if verdict["pass"] else "FAIL"
        why = "; ".join(verdict["failures"])
        lines.append(f"  {name:<14}{status}" + (f"  {why}" if why else ""))
    lines.append("per competence, mean level granted:")
    for model, by_engine in data["models"].items():
        for name, row in by_engine.items():
            cells = " ".join(f"{code} {mean:.2f}" for code, mean in row["per_competence"].items())
            lines.append(f"  {model:<16}{name:<14}{cells}")
    return lines


def format_table(result: dict[str, Any]) -> str:
    """A plain-text table: one row per learner model and engine, then the test-wise section."""
    header = f"{'learners':<14}{'engine':<14}" + "".join(f"{t:>10}" for _, t, _ in COLUMNS)
    lines = (
        [
            f"{result['learners']} learners x {len(result['competences'])} competences, "
            f"seed {result['seed']}; challenges per competence",
            header,
            "-" * len(header),
        ]
        if result["models"]
        else []
    )
    for model, data in result["models"].items():
        for name, row in data["engines"].items():
            cells = "".join(f"{fmt.format(row[key]):>10}" for key, _, fmt in COLUMNS)
            lines.append(f"{model:<14}{name:<14}{cells}")
    if "test_wise" in result:
        section = format_test_wise(result["test_wise"], len(result["competences"]))
        if lines:
            section = ["", *section]
        else:
            section[0] += f", seed {result['seed']}"
        lines += section
    return "\n".join(lines)
