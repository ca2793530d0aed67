"""An IRT engine: Bayesian ability estimation and maximum-information selection.

Model (3PL with fixed guessing), on a *level* scale: ``theta`` is an ability measured in Pix
levels and a challenge of a level-L skill has, until calibrated, difficulty ``b = L - 0.5`` and
discrimination ``DEFAULT_DISCRIMINATION``. So a learner of ability theta masters (more likely
than not) the skills of levels up to ``theta + 0.5``, and the Pix level reached by validating
those skills is the level band of theta. A calibrated challenge (``challenge.irt``) brings its own
difficulty and discrimination on the same scale.

    P(right | theta) = c + (1 - c) / (1 + exp(-a (theta - b)))

Guessing c is fixed by the challenge type: 1 / options for single choice, 1 / 2^options (at
least 0.02) for multiple choice (any subset of options may be answered), 0 for text and fields.

Ability: the posterior on a grid (EAP), from a Gaussian prior. Selection: among the challenges
of untested skills (never a skill twice, never a skill Pix inference already settled), the
largest Fisher information averaged over the posterior, lowered for tubes already asked (to
spread over tubes), then one of the best three drawn with the state's seeded generator. Stop:
when the posterior puts at least ``STOP_PROBABILITY`` on one Pix level of the final score (the
level that ``knowledge()`` would give: what the answers and Pix inference settled counts as it
is, each open skill counts where theta is above its difficulty), after ``MIN_LENGTH``
challenges; or after ``MAX_LENGTH`` challenges; or when nothing is left to ask.

The defaults (discrimination 2.5, stop at 0.99, 4 to 16 challenges) were tuned with
``pixbot simulate`` on the shipped bank; the steep uncalibrated discrimination reflects that a
skill is mostly mastered or not (the skill-mastery learners), at some cost on learners who
really follow a flat logistic curve.

Knowledge: the direct answers and Pix inference along tubes (``scoring.infer``) first; then
every still untested skill is credited from the ability posterior: validated when the
posterior probability that theta is at least the skill's difficulty (the learner more likely
succeeds than not, guessing aside) is at least ``CREDIT_PROBABILITY``, invalidated when it is
at most ``1 - CREDIT_PROBABILITY``. Pix and level are then computed by the Pix rules. Pix flash
credits at P(success) >= 0.95 instead; on this uncalibrated scale that threshold lies
ln(19)/a levels below the ability and would bias every level down, so the default (0.5)
credits the skills below the posterior median, which keeps the score on the estimated level.

The engine is a pure function of the ``EngineState``: per-competence arrays are computed once
per bank and cached (keyed by ``id(bank)``), the only randomness is ``state.rng()``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
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
    infer,
    skill_pix,
)
from content.bank import ContentBank, Skill
from content.models import Challenge, ChallengeType

Vector = npt.NDArray[np.float64]

DIFFICULTY_OFFSET: Final = 0.5  # b = level - 0.5 until calibrated
DEFAULT_DISCRIMINATION: Final = 2.5
MULTIPLE_GUESS_FLOOR: Final = 0.02
GRID: Final = np.arange(-4.0, 11.0 + 1e-9, 0.1)
PRIOR_MEAN: Final = 3.0
PRIOR_SD: Final = 2.0
STOP_PROBABILITY: Final = 0.99
MIN_LENGTH: Final = 4
MAX_LENGTH: Final = 16
TUBE_PENALTY: Final = 0.5  # information is multiplied by this per earlier question in the tube
TOP_WEIGHTS: Final = (0.6, 0.25, 0.15)  # light randomisation among the best three
CREDIT_PROBABILITY: Final = 0.5
TYPICAL_LENGTH: Final = 7  # a progress estimate before the posterior says more


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


def probability(theta: Vector, a: float, b: float, c: float) -> Vector:
    result: Vector = c + (1.0 - c) / (1.0 + np.exp(-a * (theta - b)))
    return result


def information(theta: Vector, a: float, b: float, c: float) -> Vector:
    """3PL Fisher information."""
    p = np.clip(probability(theta, a, b, c), 1e-12, 1 - 1e-12)
    result: Vector = a * a * ((p - c) / (1.0 - c)) ** 2 * (1.0 - p) / p
    return result


@dataclass
class _Competence:
    """Arrays of one competence, computed once per bank: skills, then their challenges."""

    skills: list[Skill]
    tube: npt.NDArray[np.int64]  # tube index per skill
    level: npt.NDArray[np.int64]
    difficulty: Vector  # per skill: mean difficulty of its challenges
    mastery_from: npt.NDArray[np.int64]  # per skill: first grid index at or above difficulty
    prior: Vector  # log prior on the grid
    challenges: list[Challenge]
    row: dict[str, int]  # challenge id -> row
    item_skill: npt.NDArray[np.int64]
    log_right: npt.NDArray[np.float64]  # challenges x grid
    log_wrong: npt.NDArray[np.float64]
    information: npt.NDArray[np.float64]
    tubes: int
    item_tube_level: list[tuple[int, int]]  # per challenge: (tube index, level) of its skill
    pix: Vector  # per skill: its Pix value
    mastered: npt.NDArray[np.float64]  # grid x skills: 1 where the skill's difficulty <= theta


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
    params = [parameters(c) for c in challenges]
    p = np.array([probability(GRID, a, b, c) for a, b, c in params]).reshape(-1, len(GRID))
    p = np.clip(p, 1e-9, 1 - 1e-9)
    info = np.array([information(GRID, a, b, c) for a, b, c in params]).reshape(-1, len(GRID))
    data = _Competence(
        skills=skills,
        tube=np.array([tube_names.index(s.tube) for s in skills], dtype=np.int64),
        level=np.array([s.level for s in skills], dtype=np.int64),
        difficulty=np.array(difficulty, dtype=np.float64),
        mastery_from=np.searchsorted(GRID, np.array(difficulty) - 1e-9).astype(np.int64),
        prior=-0.5 * ((GRID - PRIOR_MEAN) / PRIOR_SD) ** 2,
        challenges=challenges,
        row={c.id: k for k, c in enumerate(challenges)},
        item_skill=np.array(item_skill, dtype=np.int64),
        log_right=np.log(p),
        log_wrong=np.log1p(-p),
        information=info,
        tubes=len(tube_names),
        pix=np.array([skill_pix(skills)[s.name] for s in skills], dtype=np.float64),
        mastered=(GRID[:, None] >= np.array(difficulty)[None, :] - 1e-9).astype(np.float64),
        item_tube_level=[(tube_names.index(skills[i].tube), skills[i].level) for i in item_skill],
    )
    return data


@dataclass
class _Progress:
    """What the answers so far say, for one state."""

    data: _Competence
    posterior: Vector
    level_probabilities: Vector
    candidates: npt.NDArray[np.bool_]  # challenges that may be served
    asked_per_tube: Vector


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

    # --- the Engine protocol --------------------------------------------------------------

    def next_challenge(self, state: EngineState) -> Challenge | None:
        progress = self._progress(state, levels_needed=len(state.answers) >= self.min_length)
        if self._finished(state, progress):
            return None
        return self._select(state, progress)

    def knowledge(self, state: EngineState) -> dict[str, Knowledge]:
        result = infer(state.skills, state.observations, state.known)
        progress = self._progress(state, levels_needed=False)
        data = progress.data
        above = np.cumsum(progress.posterior[::-1])[::-1]  # P(theta >= grid point)
        for i, skill in enumerate(data.skills):
            if skill.name in result:
                continue
            start = int(data.mastery_from[i])
            mastery = float(above[start]) if start < len(GRID) else 0.0
            if mastery >= self.credit_probability:
                result[skill.name] = Knowledge(skill.name, Status.VALIDATED, Source.INFERRED)
            elif mastery <= 1.0 - self.credit_probability:
                result[skill.name] = Knowledge(skill.name, Status.INVALIDATED, Source.INFERRED)
        return result

    def expected_length(self, state: EngineState) -> int:
        done = len(state.answers)
        progress = self._progress(state)
        if self._finished(state, progress):
            return done
        return max(done + 1, min(self.max_length, TYPICAL_LENGTH))

    # --- estimation -----------------------------------------------------------------------

    def estimate(self, state: EngineState) -> tuple[float, float]:
        """The posterior mean and standard deviation of the ability (EAP)."""
        posterior = self._progress(state).posterior
        mean = float(posterior @ GRID)
        sd = math.sqrt(max(0.0, float(posterior @ (GRID - mean) ** 2)))
        return mean, sd

    def level_probabilities(self, state: EngineState) -> list[float]:
        """The posterior probability of each Pix level 0..max."""
        return [float(p) for p in self._progress(state).level_probabilities]

    def _competence(self, bank: ContentBank, competence: str) -> _Competence:
        key = (id(bank), competence)
        entry = self._cache.get(key)
        if entry is None or entry[0] is not bank:  # the entry keeps its bank alive: ids stay
            if len(self._cache) > 256:
                self._cache.clear()
            entry = self._cache[key] = (bank, _build(bank, competence))
        return entry[1]

    def _progress(self, state: EngineState, levels_needed: bool = True) -> _Progress:
        data = self._competence(state.bank, state.competence)
        rights: list[int] = []
        wrongs: list[int] = []
        right_above = [0] * data.tubes  # per tube: highest level answered right
        wrong_from = [99] * data.tubes  # per tube: lowest level answered wrong
        for challenge, correct in state.answers:
            row = data.row.get(challenge.id)
            if row is None:  # not a served challenge of this competence
                continue
            tube, level = data.item_tube_level[row]
            if correct:
                rights.append(row)
                right_above[tube] = max(right_above[tube], level)
            else:
                wrongs.append(row)
                wrong_from[tube] = min(wrong_from[tube], level)
        log_posterior = data.prior + data.log_right[rights].sum(axis=0)
        log_posterior += data.log_wrong[wrongs].sum(axis=0)
        posterior = np.exp(log_posterior - log_posterior.max())
        posterior /= posterior.sum()
        asked_rows = np.array(rights + wrongs, dtype=np.int64)
        asked_skills = data.item_skill[asked_rows]
        # Settled: asked, known before, or inferred along the tube by Pix inference.
        right_up_to = np.array(right_above)[data.tube]
        wrong_from_level = np.array(wrong_from)[data.tube]
        settled = (data.level < right_up_to) | (data.level >= wrong_from_level)
        settled[asked_skills] = True
        if state.known:
            settled |= np.array([s.name in state.known for s in data.skills], dtype=np.bool_)
        levels = np.zeros(DEFAULT_MAX_LEVEL + 1)
        if levels_needed:
            # As Pix inference: validated up to a right answer, not from a wrong one on.
            validated = (data.level <= right_up_to) & (data.level < wrong_from_level)
            validated[data.item_skill[np.array(rights, dtype=np.int64)]] = True
            levels = _level_distribution(data, posterior, settled, validated, state)
        candidates = ~settled[data.item_skill]
        candidates[asked_rows] = False
        if state.seen:
            fresh = candidates & np.array([c.id not in state.seen for c in data.challenges])
            has_fresh = np.bincount(data.item_skill, weights=fresh, minlength=len(data.skills))
            candidates &= fresh | (has_fresh[data.item_skill] == 0)
        per_tube = np.bincount(data.tube[asked_skills], minlength=data.tubes).astype(np.float64)
        return _Progress(data, posterior, levels, candidates, per_tube)

    def _finished(self, state: EngineState, progress: _Progress) -> bool:
        done = len(state.answers)
        if not progress.candidates.any() or done >= self.max_length:
            return True
        return done >= self.min_length and (
            float(progress.level_probabilities.max()) >= self.stop_probability
        )

    def _select(self, state: EngineState, progress: _Progress) -> Challenge:
        data = progress.data
        values = data.information @ progress.posterior
        values = values * TUBE_PENALTY ** progress.asked_per_tube[data.tube[data.item_skill]]
        values[~progress.candidates] = -1.0
        top: list[int] = []  # the best challenge of each of the best skills
        skills_taken: set[int] = set()
        for row in np.argsort(-values, kind="stable"):
            if values[row] < 0:
                break
            skill = int(data.item_skill[row])
            if skill not in skills_taken:
                skills_taken.add(skill)
                top.append(int(row))
                if len(top) == len(TOP_WEIGHTS):
                    break
        chosen = state.rng().choices(top, weights=TOP_WEIGHTS[: len(top)])[0]
        return data.challenges[chosen]


def _level_distribution(
    data: _Competence,
    posterior: Vector,
    settled: npt.NDArray[np.bool_],
    validated: npt.NDArray[np.bool_],
    state: EngineState,
) -> Vector:
    """P(level) of the final score: the skills Pix inference and the answers settled count as
    they are, the others are credited where theta is at least their difficulty."""
    if state.known:
        validated = validated | np.array(
            [s.name in state.known and state.known[s.name].validated for s in data.skills]
        )
    fixed = float(data.pix[validated & settled].sum())
    open_pix = data.mastered @ (data.pix * ~settled)
    cap = DEFAULT_MAX_LEVEL * PIX_PER_LEVEL
    pix = np.minimum(np.floor(np.round(fixed + open_pix, 6)), cap)  # Pix rounding, as score()
    level = np.minimum(pix // PIX_PER_LEVEL, DEFAULT_MAX_LEVEL).astype(np.int64)
    counts = np.bincount(level, weights=posterior, minlength=DEFAULT_MAX_LEVEL + 1)
    return np.asarray(counts, dtype=np.float64)


def skill_difficulties(bank: ContentBank, competence: str) -> dict[str, float]:
    """Each assessable skill's difficulty on the engine's scale (mean of its challenges)."""
    return {
        skill.name: float(np.mean([parameters(c)[1] for c in bank.challenges_of(skill.name)]))
        for skill in bank.assessable_skills(competence)
    }


__all__: Sequence[str] = ["IrtEngine", "guessing", "parameters", "skill_difficulties"]
