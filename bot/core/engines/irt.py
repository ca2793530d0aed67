"""An IRT engine: a tube-aware (testlet) Bayesian model and look-ahead selection.

Model (4PL with fixed guessing and slip, on a *level* scale, plus a testlet effect per tube):
``theta`` is a general ability measured in Pix levels; each tube t of the competence has its
own offset ``delta_t ~ N(0, TUBE_SD^2)``, so the ability that answers a challenge of tube t is
``theta + delta_t``. A challenge of a level-L skill has, until calibrated, difficulty
``b = L - 0.5`` and discrimination ``DEFAULT_DISCRIMINATION`` (``challenge.irt`` otherwise):

    P(right | theta, delta_t) = c + (1 - c - SLIP) / (1 + exp(-a (theta + delta_t - b)))

Guessing c is fixed by the challenge type: 1 / options for single choice, 1 / 2^options (at
least 0.02) for multiple choice, 0 for text and fields. Answers of one tube therefore inform
that tube's skills more than the others' (a bifactor / testlet model), which is what a Pix tube
is: one topic, skills of rising difficulty.

Posterior: theta on a grid from a Gaussian prior; each delta_t integrated on a few points per
grid value (tubes are independent given theta). Both are exact sums, no sampling.

Level: for every theta the final score is predicted as Pix would compute it, skills settled by
the answers and Pix inference as they are, open skills where theta + delta_t reaches them; its
mean and variance over the tubes' offsets give P(level | theta) (the pix spread is taken as a
uniform of that variance), and the posterior gives P(level).

Selection: one-step look-ahead. For the most informative challenge of every open skill (never a
skill twice, never a skill Pix inference already settled), the expected entropy of P(level)
after its answer, Pix inference of that answer included; the smallest wins, with light seeded
randomisation among the best three skills within ``ENTROPY_SLACK`` nats. Stop: when one level
has posterior probability ``STOP_PROBABILITY``, after ``MIN_LENGTH`` challenges; or after
``MAX_LENGTH``; or when nothing is left to ask.

Knowledge: the direct answers and Pix inference along tubes (``scoring.infer``) first; then
every still untested skill is credited from its tube's posterior: validated when
P(theta + delta_t >= b) is at least ``CREDIT_PROBABILITY``, invalidated when at most
``1 - CREDIT_PROBABILITY``. Pix and level are then computed by the Pix rules. (Pix flash
credits at P(success) >= 0.95; on this uncalibrated scale that would bias every level down.)

The defaults (discrimination 2.5, slip 0.05, tube SD 0.6, stop at 0.87, 3 to 16 challenges)
were tuned with ``pixbot simulate`` on the shipped bank.

The engine is a pure function of the ``EngineState``: per-competence arrays are computed once
per bank and cached (keyed by ``id(bank)``); results are memoised by the whole state (answers,
seen, known), the last few posteriors are kept (a test's last state is read twice) and the
tubes' pix by settled skills, which only saves time; the only randomness is ``state.rng()``
(not even seeded when a single challenge is left to choose: the generator would pick it).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

import numpy as np
import numpy.typing as npt

from bot.core.engines.base import EngineState
from bot.core.scoring import (
    DEFAULT_MAX_LEVEL,
    PIX_PER_LEVEL,
    Knowledge,
    Source,
    Status,
    skill_pix,
)
from content.bank import ContentBank, Skill
from content.models import Challenge, ChallengeType

Vector = npt.NDArray[np.float64]
Array = npt.NDArray[np.float64]
Index = npt.NDArray[np.int64]

DIFFICULTY_OFFSET: Final = 0.5  # b = level - 0.5 until calibrated
DEFAULT_DISCRIMINATION: Final = 2.5
MULTIPLE_GUESS_FLOOR: Final = 0.02
SLIP: Final = 0.05  # upper asymptote 1 - SLIP: a master may still miss
GRID: Final = np.arange(-2.5, 8.5 + 1e-9, 0.2)  # general ability, in levels
TUBE_SD: Final = 0.6  # tau: how far a tube may sit from the general ability
TUBE_POINTS: Final = np.linspace(-2.0, 2.0, 5) * TUBE_SD  # the tube offset delta, integrated
PRIOR_MEAN: Final = 3.0
PRIOR_SD: Final = 2.0
STOP_PROBABILITY: Final = 0.87
MIN_LENGTH: Final = 3
MAX_LENGTH: Final = 16
TOP_WEIGHTS: Final = (0.6, 0.25, 0.15)  # light randomisation among the best three skills
ENTROPY_SLACK: Final = 0.05  # ... that are within this many nats of the best
CREDIT_PROBABILITY: Final = 0.5
PIX_SD_FLOOR: Final = 0.1
MEMO_SIZE: Final = 200_000
RECENT_SIZE: Final = 8
PIX_MEMO_SIZE: Final = 4096
TYPICAL_LENGTH: Final = 6
_TUBE_WEIGHTS: Final = (
    np.exp(-0.5 * (TUBE_POINTS / TUBE_SD) ** 2)[:, None]
    / np.exp(-0.5 * (TUBE_POINTS / TUBE_SD) ** 2).sum()
)  # the prior of the tube offset on its points
_EDGES: Final = (
    PIX_PER_LEVEL * np.arange(1, DEFAULT_MAX_LEVEL + 1) - 1.0 / 3.0
)  # a progress estimate before the posterior says more


def guessing(challenge: Challenge) -> float:
    """The chance of a right answer without the skill, fixed by the challenge type."""
    options = len(challenge.text("en").options)
    if challenge.type is ChallengeType.SINGLE and options:
        return 1.0 / options
    if challenge.type is ChallengeType.MULTIPLE and options:
        return max(MULTIPLE_GUESS_FLOOR, 0.5**options)
    return 0.0


def parameters(challenge: Challenge) -> tuple[float, float, float]:
    """(a, b, c): calibrated when ``challenge.irt`` is set, else from the skill level."""
    if challenge.irt is not None:
        a, b = challenge.irt.discrimination, challenge.irt.difficulty
    else:
        a, b = DEFAULT_DISCRIMINATION, challenge.level - DIFFICULTY_OFFSET
    return a, b, guessing(challenge)


def probability(theta: Vector, a: float, b: float, c: float, slip: float = SLIP) -> Vector:
    """P(right | theta): guessing c below, 1 - slip above."""
    result: Vector = c + (1.0 - c - slip) / (1.0 + np.exp(-a * (theta - b)))
    return result


def information(theta: Vector, a: float, b: float, c: float, slip: float = SLIP) -> Vector:
    """4PL Fisher information."""
    p = np.clip(probability(theta, a, b, c, slip), 1e-12, 1 - 1e-12)
    result: Vector = (
        a * a * (p - c) ** 2 * (1.0 - slip - p) ** 2 / ((1.0 - c - slip) ** 2 * p * (1.0 - p))
    )
    return result


@dataclass
class _Competence:
    """Arrays of one competence, computed once per bank: skills, then their challenges."""

    skills: list[Skill]
    tube: Index  # tube index per skill
    level: Index
    difficulty: Vector  # per skill: mean difficulty of its challenges
    pix: Vector  # per skill: its Pix value
    tubes: int
    tube_of: Array  # tubes x skills: 1 where the skill is in the tube
    mastered: Array  # skills x (tube points x grid): 1 where theta + delta >= difficulty
    prior: Vector  # log prior on the grid
    challenges: list[Challenge]
    row: dict[str, int]  # challenge id -> row
    item_skill: Index
    item_tube: Index
    item_guess: Vector  # per challenge: its guessing
    right: Array  # challenges x tube points x grid: P(right)
    log_right: Array
    log_wrong: Array
    easier: npt.NDArray[np.bool_]  # skills x skills: same tube, level <= (Pix inference up)
    harder: npt.NDArray[np.bool_]  # skills x skills: same tube, level >= (Pix inference down)
    log_outcome: Array = field(init=False)  # (wrong, right) x challenges x (points x grid)
    unmastered: Array = field(init=False)  # 1 - mastered
    easier_of: list[list[int]] = field(init=False)  # per skill: the indexes in ``easier``
    # Per (settled, validated) skills: the tubes' pix at theta + delta (tubes x points x grid).
    tube_pix: dict[tuple[tuple[bool, ...], tuple[bool, ...]], Array] = field(init=False)
    harder_of: list[list[int]] = field(init=False)

    def __post_init__(self) -> None:
        self.log_outcome = np.stack([self.log_wrong, self.log_right]).reshape(
            2, len(self.challenges), len(TUBE_POINTS) * len(GRID)
        )
        self.unmastered = 1.0 - self.mastered
        self.tube_pix = {}
        self.easier_of = [np.flatnonzero(row).tolist() for row in self.easier]
        self.harder_of = [np.flatnonzero(row).tolist() for row in self.harder]


def _build(bank: ContentBank, competence: str) -> _Competence:
    skills = sorted(bank.assessable_skills(competence), key=lambda s: (s.tube, s.level))
    tube_names = sorted({s.tube for s in skills})
    challenges: list[Challenge] = []
    item_skill: list[int] = []
    difficulty: list[float] = []
    for i, skill in enumerate(skills):
        pool = sorted(bank.challenges_of(skill.name), key=lambda c: c.id)
        challenges.extend(pool)
        item_skill.extend([i] * len(pool))
        difficulty.append(float(np.mean([parameters(c)[1] for c in pool])))
    ability = TUBE_POINTS[:, None] + GRID[None, :]  # tube points x grid
    right = np.array([probability(ability, *parameters(c)) for c in challenges])
    right = np.clip(right.reshape(len(challenges), len(TUBE_POINTS), len(GRID)), 1e-9, 1 - 1e-9)
    tube = np.array([tube_names.index(s.tube) for s in skills], dtype=np.int64)
    level = np.array([s.level for s in skills], dtype=np.int64)
    same_tube = tube[:, None] == tube[None, :]
    bs = np.array(difficulty, dtype=np.float64)
    skill_index = np.array(item_skill, dtype=np.int64)
    return _Competence(
        skills=skills,
        tube=tube,
        level=level,
        difficulty=bs,
        pix=np.array([skill_pix(skills)[s.name] for s in skills], dtype=np.float64),
        tubes=len(tube_names),
        tube_of=(np.arange(len(tube_names))[:, None] == tube[None, :]).astype(np.float64),
        mastered=(ability.reshape(1, -1) >= bs[:, None] - 1e-9).astype(np.float64),
        prior=-0.5 * ((GRID - PRIOR_MEAN) / PRIOR_SD) ** 2,
        challenges=challenges,
        row={c.id: k for k, c in enumerate(challenges)},
        item_skill=skill_index,
        item_tube=tube[skill_index] if len(skills) else skill_index,
        item_guess=np.array([guessing(c) for c in challenges], dtype=np.float64),
        right=right,
        log_right=np.log(right),
        log_wrong=np.log1p(-right),
        easier=same_tube & (level[None, :] <= level[:, None]),
        harder=same_tube & (level[None, :] >= level[:, None]),
    )


@dataclass
class _Progress:
    """What the answers so far say, for one state."""

    data: _Competence
    posterior: Vector  # P(theta) on the grid
    conditional: Array  # tubes x tube points x grid: P(delta_tube | theta, answers)
    tube_pix: Array  # tubes x tube points x grid: the tube's pix at theta + delta
    mean: Array  # tubes x grid: expected tube pix given theta
    variance: Array  # tubes x grid
    level_probabilities: Vector
    settled: npt.NDArray[np.bool_]  # per skill
    candidates: npt.NDArray[np.bool_]  # challenges that may be served


def _levels_from_pix(mean: Array, variance: Array) -> Array:
    """P(level = k | theta) for pix ~ Normal(mean, variance); first axis: levels 0..max."""
    # P(level >= k), k = 1..max, with the pix spread as a uniform of that variance (a cheap
    # stand-in for the normal). Pix values are multiples of 2/3: a total reaches 8k past
    # 8k - 1/3. The level axis comes first so every operation runs on contiguous rows.
    scale = np.maximum(variance, 0.0)
    scale += PIX_SD_FLOOR**2
    scale *= 12.0
    np.sqrt(scale, out=scale)
    np.divide(1.0, scale, out=scale)
    edges = _EDGES.reshape(-1, *([1] * mean.ndim))
    result = np.empty((DEFAULT_MAX_LEVEL + 1, *mean.shape))
    at_least = result[1:]  # computed in place, then differenced
    np.subtract(mean, edges, out=at_least)
    at_least *= scale
    at_least += 0.5
    np.maximum(at_least, 0.0, out=at_least)  # np.clip, without its overhead
    np.minimum(at_least, 1.0, out=at_least)
    np.subtract(1.0, at_least[0], out=result[0])
    np.subtract(result[1:-1], result[2:], out=result[1:-1])  # the last row stays as it is
    return result


def _entropy(p: Array) -> Array:
    q = np.maximum(p, 1e-12)
    np.minimum(q, 1.0, out=q)
    result: Array = -(p * np.log(q)).sum(axis=0)
    return result


class IrtEngine:
    name = "irt"

    def __init__(
        self,
        *,
        stop_probability: float = STOP_PROBABILITY,
        max_length: int = MAX_LENGTH,
        min_length: int = MIN_LENGTH,
        credit_probability: float = CREDIT_PROBABILITY,
    ) -> None:
        self.stop_probability = stop_probability
        self.max_length = max_length
        self.min_length = min_length
        self.credit_probability = credit_probability
        self._cache: dict[tuple[int, str], tuple[ContentBank, _Competence]] = {}
        # Memo of pure results by state key: ("next", key) -> challenge row or None,
        # ("knowledge", key) -> the knowledge. Keeps a simulation's shared prefixes cheap.
        self._memo: dict[tuple[object, ...], object] = {}
        # The last few progresses by state key: a test's last state is read twice (its end,
        # then its knowledge).
        self._recent: dict[tuple[object, ...], _Progress] = {}

    # --- the Engine protocol --------------------------------------------------------------

    def next_challenge(self, state: EngineState) -> Challenge | None:
        state_key = self._key(state)
        key = ("next", *state_key)
        top = self._memo.get(key)
        if top is None:
            progress = self._progress(state, state_key)
            top = () if self._finished(state, progress) else self._best(progress)
            self._remember(key, top)
        assert isinstance(top, tuple)
        if not top:
            return None
        data = self._competence(state.bank, state.competence)
        chosen: int = (  # one candidate: what the generator would choose, without seeding one
            top[0] if len(top) == 1 else state.rng().choices(top, TOP_WEIGHTS[: len(top)])[0]
        )
        return data.challenges[chosen]

    def knowledge(self, state: EngineState) -> dict[str, Knowledge]:
        state_key = self._key(state)
        key = ("knowledge", *state_key)
        found = self._memo.get(key)
        if found is None:
            result = state.knowledge()  # Pix inference: infer(skills, observations, known)
            masteries = self._mastery(self._progress(state, state_key))
            data = self._competence(state.bank, state.competence)
            for i, mastery in enumerate(masteries):
                name = data.skills[i].name
                if name in result:
                    continue
                if mastery >= self.credit_probability:
                    result[name] = Knowledge(name, Status.VALIDATED, Source.INFERRED)
                elif mastery <= 1.0 - self.credit_probability:
                    result[name] = Knowledge(name, Status.INVALIDATED, Source.INFERRED)
            self._remember(key, result)
            found = result
        assert isinstance(found, dict)
        return dict(found)

    def expected_length(self, state: EngineState) -> int:
        done = len(state.answers)
        progress = self._progress(state)
        if self._finished(state, progress):
            return done
        return max(done + 1, min(self.max_length, TYPICAL_LENGTH))

    # --- estimation -----------------------------------------------------------------------

    def estimate(self, state: EngineState) -> tuple[float, float]:
        """The posterior mean and standard deviation of the general ability (EAP)."""
        posterior = self._progress(state).posterior
        mean = float(posterior @ GRID)
        sd = math.sqrt(max(0.0, float(posterior @ (GRID - mean) ** 2)))
        return mean, sd

    def level_probabilities(self, state: EngineState) -> list[float]:
        """The posterior probability of each Pix level 0..max."""
        return [float(p) for p in self._progress(state).level_probabilities]

    def mastery(self, state: EngineState) -> dict[str, float]:
        """Per skill: the posterior probability that its tube's ability reaches it."""
        progress = self._progress(state)
        return {
            skill.name: float(m)
            for skill, m in zip(progress.data.skills, self._mastery(progress), strict=True)
        }

    def _mastery(self, progress: _Progress) -> Vector:
        data = progress.data
        if not data.skills:
            return np.zeros(0)
        joint = (progress.posterior * progress.conditional).reshape(data.tubes, -1)
        result: Vector = (joint[data.tube] * data.mastered).sum(axis=1)
        return result

    def _key(self, state: EngineState) -> tuple[object, ...]:
        known = tuple(sorted((name, k.validated) for name, k in state.known.items()))
        answers = tuple((challenge.id, bool(correct)) for challenge, correct in state.answers)
        return (id(state.bank), state.competence, answers, state.seen, known)

    def _remember(self, key: tuple[object, ...], value: object) -> None:
        if len(self._memo) >= MEMO_SIZE:
            self._memo.clear()
        self._memo[key] = value

    def _competence(self, bank: ContentBank, competence: str) -> _Competence:
        key = (id(bank), competence)
        entry = self._cache.get(key)
        if entry is None or entry[0] is not bank:  # the entry keeps its bank alive: ids stay
            if len(self._cache) > 256:
                self._cache.clear()
            self._memo.clear()  # keys hold bank ids: forget them with the bank
            self._recent.clear()
            entry = self._cache[key] = (bank, _build(bank, competence))
        return entry[1]

    def _progress(self, state: EngineState, key: tuple[object, ...] | None = None) -> _Progress:
        if key is None:
            key = self._key(state)
        progress = self._recent.get(key)
        if progress is None:
            data = self._competence(state.bank, state.competence)  # may forget the memos
            progress = self._compute_progress(state, data)
            if len(self._recent) >= RECENT_SIZE:
                self._recent.clear()
            self._recent[key] = progress
        return progress

    def _compute_progress(self, state: EngineState, data: _Competence) -> _Progress:
        skills = len(data.skills)
        rows: list[int] = []
        outcomes: list[bool] = []
        for challenge, correct in state.answers:
            row = data.row.get(challenge.id)
            if row is not None:  # else not a served challenge of this competence
                rows.append(row)
                outcomes.append(bool(correct))
        asked = np.array(rows, dtype=np.int64)
        log_likelihood = data.log_outcome[np.array(outcomes, dtype=np.int64), asked]
        answered = data.item_skill[asked]
        tube_log = data.tube_of[:, answered] @ log_likelihood
        tube_log = tube_log.reshape(data.tubes, len(TUBE_POINTS), len(GRID))
        # Pix inference, as scoring.infer: the answers themselves, then, in order, untested
        # skills of the tube (easier ones after a right answer, harder ones after a wrong one).
        is_settled = [False] * skills
        is_validated = [False] * skills
        answered_skills = answered.tolist()
        for skill, correct in zip(answered_skills, outcomes, strict=True):
            is_settled[skill] = True
            is_validated[skill] = correct
        for skill, correct in zip(answered_skills, outcomes, strict=True):
            for other in (data.easier_of if correct else data.harder_of)[skill]:
                if not is_settled[other]:
                    is_settled[other] = True
                    is_validated[other] = correct
        if state.known:
            for i, skill_data in enumerate(data.skills):
                known = state.known.get(skill_data.name)
                if known is not None and not is_settled[i]:
                    is_settled[i] = True
                    is_validated[i] = known.validated
        settled = np.array(is_settled, dtype=np.bool_)
        validated = np.array(is_validated, dtype=np.bool_)
        top = tube_log.max(axis=1, keepdims=True)
        joint = np.subtract(tube_log, top)
        np.exp(joint, out=joint)
        joint *= _TUBE_WEIGHTS
        tube_likelihood = joint.sum(axis=1)  # tubes x grid, up to exp(top)
        conditional = joint / tube_likelihood[:, None, :]
        log_posterior = data.prior + (np.log(tube_likelihood) + top[:, 0, :]).sum(axis=0)
        posterior = np.exp(log_posterior - log_posterior.max())
        posterior /= posterior.sum()
        # Per tube, pix at theta + delta: settled skills as they are, open ones where reached.
        pix_key = (tuple(is_settled), tuple(is_validated))
        tube_pix = data.tube_pix.get(pix_key)
        if tube_pix is None:
            open_pix = data.pix * ~settled
            tube_pix = (data.tube_of * open_pix) @ data.mastered
            tube_pix = tube_pix.reshape(conditional.shape)
            tube_pix += (data.tube_of @ (data.pix * (settled & validated)))[:, None, None]
            tube_pix.setflags(write=False)
            if len(data.tube_pix) >= PIX_MEMO_SIZE:
                data.tube_pix.clear()
            data.tube_pix[pix_key] = tube_pix
        mean = (conditional * tube_pix).sum(axis=1)
        variance = (conditional * tube_pix**2).sum(axis=1) - mean**2
        per_theta = _levels_from_pix(mean.sum(axis=0), variance.sum(axis=0))
        levels: Vector = per_theta @ posterior
        candidates = ~settled[data.item_skill]
        candidates[asked] = False
        if state.seen:
            fresh = candidates & np.array([c.id not in state.seen for c in data.challenges])
            has_fresh = np.bincount(data.item_skill, weights=fresh, minlength=skills)
            candidates &= fresh | (has_fresh[data.item_skill] == 0)
        return _Progress(
            data, posterior, conditional, tube_pix, mean, variance, levels, settled, candidates
        )

    def _finished(self, state: EngineState, progress: _Progress) -> bool:
        done = len(state.answers)
        if not progress.candidates.any() or done >= self.max_length:
            return True
        return done >= self.min_length and (
            float(progress.level_probabilities.max()) >= self.stop_probability
        )

    def expected_entropy(self, progress: _Progress) -> Vector:
        """Per challenge: the expected entropy of the final level after its answer (inf when
        it may not be served). One-step look-ahead on the testlet posterior."""
        data = progress.data
        rows = np.flatnonzero(progress.candidates)
        result: Vector = np.full(len(data.challenges), np.inf)
        if not len(rows):
            return result
        # Per skill, only its most informative challenge (the least guessing, then by id).
        order = np.lexsort((rows, data.item_guess[rows], data.item_skill[rows]))
        rows = rows[order]
        first = np.ones(len(rows), dtype=np.bool_)
        first[1:] = data.item_skill[rows][1:] != data.item_skill[rows][:-1]
        rows = rows[first]
        skill = data.item_skill[rows]
        tube = data.item_tube[rows]
        conditional = progress.conditional[tube]  # C x points x grid
        p_right = data.right[rows]
        joint = np.empty((len(rows), 2, *conditional.shape[1:]))
        np.multiply(conditional, p_right, out=joint[:, 0])
        np.multiply(conditional, 1.0 - p_right, out=joint[:, 1])
        likelihood = joint.sum(axis=2)  # C x 2 x grid: P(answer | theta)
        # Pix inference after the answer: right validates easier open skills of the tube,
        # wrong invalidates harder ones.
        open_pix = data.pix * ~progress.settled
        shift = np.empty((len(rows), 2, data.mastered.shape[1]))
        shift[:, 0] = (data.easier[skill] * open_pix) @ data.unmastered
        shift[:, 1] = -(data.harder[skill] * open_pix) @ data.mastered
        shift = shift.reshape(joint.shape)
        tube_pix = progress.tube_pix[tube][:, None] + shift
        weighted = joint * tube_pix
        mean = weighted.sum(axis=2) / likelihood
        variance = (weighted * tube_pix).sum(axis=2) / likelihood - mean**2
        total_mean = progress.mean.sum(axis=0) - progress.mean[tube][:, None] + mean
        total_variance = progress.variance.sum(axis=0) - progress.variance[tube][:, None]
        total_variance = total_variance + variance
        per_theta = _levels_from_pix(total_mean, total_variance)  # levels x C x 2 x grid
        weights = progress.posterior * likelihood  # C x 2 x grid
        answer = weights.sum(axis=2)  # C x 2: predictive probability of each answer
        levels = (per_theta * weights).sum(axis=3) / answer  # levels x C x 2
        result[rows] = (answer * _entropy(levels)).sum(axis=1)
        return result

    def _best(self, progress: _Progress) -> tuple[int, ...]:
        """The best challenge of each of the best (up to three) skills, best first."""
        data = progress.data
        values = self.expected_entropy(progress)
        top: list[int] = []
        skills_taken: set[int] = set()
        best = math.inf
        for row in np.argsort(values, kind="stable"):
            value = float(values[row])
            if not math.isfinite(value) or value > best + ENTROPY_SLACK:
                break
            best = min(best, value)
            skill = int(data.item_skill[row])
            if skill not in skills_taken:
                skills_taken.add(skill)
                top.append(int(row))
                if len(top) == len(TOP_WEIGHTS):
                    break
        return tuple(top)


def skill_difficulties(bank: ContentBank, competence: str) -> dict[str, float]:
    """Each assessable skill's difficulty on the engine's scale (mean of its challenges)."""
    return {
        skill.name: float(np.mean([parameters(c)[1] for c in bank.challenges_of(skill.name)]))
        for skill in bank.assessable_skills(competence)
    }


__all__: Sequence[str] = ["IrtEngine", "guessing", "parameters", "skill_difficulties"]
