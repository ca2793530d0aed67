"""An IRT engine: a tube-aware (testlet) Bayesian model of two kinds of responders.

Model (4PL with fixed guessing and slip, on a *level* scale, plus a testlet effect per tube):
``theta`` is a general ability measured in Pix levels; each tube t of the competence has its
own offset ``delta_t ~ N(0, tube_sd^2)``, so the ability that answers a challenge of tube t is
``theta + delta_t``. A challenge of a level-L skill has, until calibrated, difficulty
``b = L - 0.5`` and discrimination ``DEFAULT_DISCRIMINATION`` (``challenge.irt`` otherwise):

    P(right | theta, delta_t) = c + (1 - c - slip) / (1 + exp(-k a (theta + delta_t - b)))

Guessing c is fixed by the challenge type: 1 / options for single choice, 1 / 2^options (at
least 0.02) for multiple choice, 0 for text and fields. Answers of one tube therefore inform
that tube's skills more than the others' (a bifactor / testlet model), which is what a Pix tube
is: one topic, skills of rising difficulty.

Two kinds of responders (``RESPONDERS``), a latent class of the person with a prior weight:

* *consistent*: sharp items (``k = 1.6``), a slip of one in ten, tubes that may sit well apart
  (``tube_sd = 0.6``): a learner who knows a tube up to a point and answers accordingly;
* *graded*: soft items (``k = 0.6``), no slip, tubes close to the general ability: a learner
  whose chance of success rises slowly with the ability, so that misses below the ability and
  successes above it are common.

A positioning test is too short to tell the two apart: in five or six challenges their
posterior barely moves (Pix inference settles the challenges of a tube that would contradict
an answer, and a single miss far below the ability is a consistent learner's slip). So the
mixture works as one robust response model: confident answers are not over-trusted, and
consistent learners still finish fast.

Posterior: (class, theta) on a grid from a Gaussian prior; each delta_t integrated on a few
points per grid value (tubes are independent given the class and theta). Exact sums, no
sampling.

Level: what is predicted is the level the test will *report*. For a consistent responder, Pix
inference is right, so the score is the skills settled by the answers and Pix inference as they
are plus the open skills that theta + delta_t reaches. For a graded responder, Pix inference is
often wrong, so the level is that of the skills truly reached (theta + delta_t >= b), which the
final credit (below) can report as long as Pix inference leaves it reachable: it is clipped to
the reachable levels. Per (class, theta) the tubes' pix distributions are convolved exactly
(pix counted in fractions of a pix), and the posterior gives P(level).

Selection: one-step look-ahead. For the most informative challenge of every open skill (never a
skill twice, never a skill Pix inference already settled), the expected uncertainty on the
level after its answer (Pix inference of that answer included): ``1 - VARIANCE_WEIGHT`` times
its entropy plus ``VARIANCE_WEIGHT`` times its variance (a miss by two levels costs more than a
miss by one). Levels here use a fast moment approximation of the pix distribution (a uniform of
the same mean and variance), which also chose better than the exact distribution. What Pix
inference would settle by the answer counts only at ``SETTLING_WEIGHT`` (0.5): settling makes the
reported score certain without making it right, and counted in full it made the look-ahead
prefer challenges whose one answer decides the score, a slip or a lucky guess included (on
skill-mastery learners those made most of the errors); counted at 0 or 0.5, tests were more
accurate for their length, at 0.5 a little more. The smallest
wins, with light randomisation from ``state.rng()`` so that two learners don't see the same
sequence: the opening challenge is drawn among the skills within ``OPENING_SLACK`` of the best
(the prior knows little, so little is lost; 6 or more different openings per competence); later
ones among the best skill's challenges within ``SAME_SKILL_SLACK`` of its best (at least its
interchangeable twins). Drawing among several skills at every step made tests longer.

Stop: when the most likely level has probability at least the classes' stop probabilities
weighted by their posterior (``consistent`` 0.81, ``graded`` 0.70), after ``MIN_LENGTH``
challenges; or after ``MAX_LENGTH``; or when nothing is left to ask.

Knowledge: the direct answers and Pix inference along tubes (``scoring.infer``) first; then the
reported level is the most likely one, and the still untested skills are credited in order of
their posterior mastery P(theta + delta_t >= b): first every skill at least as likely mastered
as not, then, if that misses the reported level, the next most likely ones are added (or the
least likely credited ones removed) until it is reached. Pix and level are then computed by the
Pix rules. (Pix flash credits at P(success) >= 0.95; on this uncalibrated scale that would bias
every level down.)

The constants (classes, prior N(3, 1.5^2), stop probabilities, 3 to 16 challenges) were chosen
with ``pixbot simulate`` on the shipped bank, on seeds 11 to 13, then checked on seeds 1 to 3.

The engine is a pure function of the ``EngineState``: per-competence arrays are computed once
per bank and cached (keyed by ``id(bank)``); results are memoised by the whole state (answers,
seen, known; interchangeable challenges count as one), the last few posteriors are kept (a
test's last state is read twice) and the tubes' pix by settled skills, which only saves time.
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
Mask = npt.NDArray[np.bool_]

DIFFICULTY_OFFSET: Final = 0.5  # b = level - 0.5 until calibrated
DEFAULT_DISCRIMINATION: Final = 2.5
MULTIPLE_GUESS_FLOOR: Final = 0.02
SLIP: Final = 0.05  # the default upper asymptote of ``probability``: 1 - SLIP


@dataclass(frozen=True)
class Responder:
    """A latent class of learners: how they answer, and when a test of them may stop."""

    name: str
    weight: float  # prior probability
    sharpness: float  # k: discrimination multiplier
    slip: float  # upper asymptote 1 - slip
    tube_sd: float  # tau: how far a tube may sit from the general ability
    true_level: bool  # predict the truly reached level (else the score after Pix inference)
    stop_probability: float


RESPONDERS: Final = (
    Responder("consistent", 0.6, 1.6, 0.10, 0.6, False, 0.81),
    Responder("graded", 0.4, 0.6, 0.0, 0.1, True, 0.70),
)
GRID: Final = np.arange(-2.5, 8.5 + 1e-9, 0.2)  # general ability, in levels
TUBE_POINTS: Final = np.linspace(-2.0, 2.0, 5)  # the tube offset, in tube SDs, integrated
PRIOR_MEAN: Final = 3.0
PRIOR_SD: Final = 1.5
MIN_LENGTH: Final = 3
MAX_LENGTH: Final = 16
VARIANCE_WEIGHT: Final = 0.2  # selection: (1 - w) entropy + w variance of the level
# Selection: the share of what Pix inference would settle by the answer that the look-ahead
# counts (see the module docstring).
SETTLING_WEIGHT: Final = 0.5
SAME_SKILL_SLACK: Final = 0.01  # draw among the best skill's challenges this close to its best
OPENING_SLACK: Final = 0.1  # the first challenge: among the skills this close to the best
PIX_SD_FLOOR: Final = 0.1
MAX_UNITS_PER_PIX: Final = 30  # exact pix distributions count pix in 1/q, q <= this
# Memo entries (states): a bot serves each state about once, so a small memo is enough there
# and keeps the process's memory flat; a simulation replays shared prefixes and wants a big one.
MEMO_SIZE: Final = 2_000
SIMULATION_MEMO_SIZE: Final = 200_000
RECENT_SIZE: Final = 8
# Per competence, the tubes' predicted pix by pattern of settled skills (~20 KB each; a miss
# costs one small matrix product): the bot keeps two (4096 x 16 competences grew a process by
# ~2 KB per update, up to ~1.4 GB; 16 took 5 MB, and 16, 4 or 1 choose at the same speed).
PIX_MEMO_SIZE: Final = 2
SIMULATION_PIX_MEMO_SIZE: Final = 4096
# Shown while a test goes on: a full bar means the test is over.
MOST_SURE_UNFINISHED: Final = 0.95

_CLASS: Final = np.repeat(np.arange(len(RESPONDERS)), len(GRID))  # class of each grid column
_ABILITY: Final = np.tile(GRID, len(RESPONDERS))  # theta of each grid column
_TRUE_LEVEL: Final = np.array([RESPONDERS[k].true_level for k in _CLASS], dtype=np.bool_)
_STOP: Final = np.array([r.stop_probability for r in RESPONDERS])
_TUBE_WEIGHTS: Final = (
    np.exp(-0.5 * TUBE_POINTS**2)[:, None] / np.exp(-0.5 * TUBE_POINTS**2).sum()
)  # the prior of the tube offset on its points
_LEVELS: Final = np.arange(DEFAULT_MAX_LEVEL + 1, dtype=np.float64)
_EDGES: Final = (
    PIX_PER_LEVEL * np.arange(1, DEFAULT_MAX_LEVEL + 1) - 1.0 / 3.0
)  # where a pix total reaches a level, for the moment approximation


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


def probability(
    theta: Vector | Array, a: float | Array, b: float, c: float, slip: float | Array = SLIP
) -> Array:
    """P(right | theta): guessing c below, 1 - slip above."""
    result: Array = c + (1.0 - c - slip) / (1.0 + np.exp(-a * (theta - b)))
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
    """Arrays of one competence, computed once per bank: skills, then their challenges. The
    grid axis runs over (class, theta) pairs, class-major."""

    skills: list[Skill]
    tube: Index  # tube index per skill
    pix: Vector  # per skill: its Pix value
    tubes: int
    tube_of: Array  # tubes x skills: 1 where the skill is in the tube
    # skills x (tube points x grid): where theta + delta >= difficulty. Kept as booleans (a
    # float table and its complement took 2.6 MB of a worker that met the 16 competences);
    # ``mastered()`` gives the 0/1 floats the products read.
    reached: Mask
    prior: Vector  # log prior on the grid
    challenges: list[Challenge]
    row: dict[str, int]  # challenge id -> row
    twin: list[int]  # per row: the first row of the same skill, type and parameters
    item_skill: Index
    item_tube: Index
    item_guess: Vector  # per challenge: its guessing
    item_params: Index  # per challenge: its row in ``right``
    right: Array  # distinct (a, b, c) x tube points x grid: P(right)
    easier: Mask  # skills x skills: same tube, level <= (Pix inference up)
    harder: Mask  # skills x skills: same tube, level >= (Pix inference down)
    units: int  # exact pix distributions count pix in 1/units
    # The transform's length: pix totals run from 0 to the competence's total in units, and a
    # transform at least that long never wraps around (a 2-3-5-smooth length is the cheapest).
    fft_size: int
    # The inverse transform then the sum of each level's pix totals, as one linear map of the
    # transform's real and imaginary parts, interleaved: (2 x (fft_size // 2 + 1)) x levels.
    spectrum_level: Array
    true_pix: Array = field(init=False)  # tubes x points x grid: pix of the reached skills
    easier_of: list[list[int]] = field(init=False)  # per skill: the indexes in ``easier``
    harder_of: list[list[int]] = field(init=False)
    # Per (settled, validated) skills: the tubes' predicted pix (tubes x points x grid).
    tube_pix: dict[tuple[tuple[bool, ...], tuple[bool, ...]], Array] = field(init=False)

    def log_outcomes(self, asked: Index, outcomes: list[bool]) -> Array:
        """log P(the answer given | class, theta) of each asked challenge, asked x (points x
        grid): computed for the asked ones only (a table of every challenge's took 10 MB of a
        worker that had met the 16 competences, for the dozen rows a test reads)."""
        _, points, grid = self.right.shape
        right = self.right[self.item_params[asked]].reshape(len(asked), points * grid)
        return np.where(
            np.array(outcomes, dtype=np.bool_)[:, None], np.log(right), np.log1p(-right)
        )

    def mastered(self, reached: bool = True) -> Array:
        """1.0 where the skill is reached (``reached``; else where it is not), 0.0 elsewhere."""
        return (self.reached if reached else ~self.reached).astype(np.float64)

    def __post_init__(self) -> None:
        self.true_pix = ((self.tube_of * self.pix) @ self.mastered()).reshape(
            self.tubes, len(TUBE_POINTS), len(_ABILITY)
        )
        self.tube_pix = {}
        self.easier_of = [np.flatnonzero(row).tolist() for row in self.easier]
        self.harder_of = [np.flatnonzero(row).tolist() for row in self.harder]


def _units_per_pix(values: Sequence[float]) -> int:
    """The smallest q for which every skill's pix is a whole number of 1/q pix."""
    for q in range(1, MAX_UNITS_PER_PIX + 1):
        if all(abs(v * q - round(v * q)) < 1e-9 for v in values):
            return q
    return MAX_UNITS_PER_PIX


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
    sharpness = np.array([r.sharpness for r in RESPONDERS])[_CLASS]
    slip = np.array([r.slip for r in RESPONDERS])[_CLASS]
    tube_sd = np.array([r.tube_sd for r in RESPONDERS])[_CLASS]
    ability = TUBE_POINTS[:, None] * tube_sd[None, :] + _ABILITY[None, :]  # points x grid
    # Challenges of the same (a, b, c) share their row of P(right): uncalibrated ones are many
    # per skill, and the table is most of the engine's memory.
    items: dict[tuple[float, float, float], int] = {}
    item_params = [items.setdefault(parameters(c), len(items)) for c in challenges]
    right = np.array(
        [probability(ability, sharpness * a, b, c, slip) for a, b, c in items]
    ).reshape(len(items), len(TUBE_POINTS), len(_ABILITY))
    right = np.clip(right, 1e-9, 1 - 1e-9)
    tube = np.array([tube_names.index(s.tube) for s in skills], dtype=np.int64)
    level = np.array([s.level for s in skills], dtype=np.int64)
    same_tube = tube[:, None] == tube[None, :]
    bs = np.array(difficulty, dtype=np.float64)
    skill_index = np.array(item_skill, dtype=np.int64)
    pix = np.array([skill_pix(skills)[s.name] for s in skills], dtype=np.float64)
    units = _units_per_pix(pix.tolist())
    size = round(float(pix.sum()) * units) + 1
    fft_size = _fast_length(size)
    signature: dict[tuple[object, ...], int] = {}
    twin = [
        signature.setdefault((item_skill[k], c.type, len(c.text("en").options), parameters(c)), k)
        for k, c in enumerate(challenges)
    ]
    log_weight = np.log(np.array([r.weight for r in RESPONDERS]))[_CLASS]
    return _Competence(
        skills=skills,
        tube=tube,
        pix=pix,
        tubes=len(tube_names),
        tube_of=(np.arange(len(tube_names))[:, None] == tube[None, :]).astype(np.float64),
        reached=ability.reshape(1, -1) >= bs[:, None] - 1e-9,
        prior=log_weight - 0.5 * ((_ABILITY - PRIOR_MEAN) / PRIOR_SD) ** 2,
        challenges=challenges,
        row={c.id: k for k, c in enumerate(challenges)},
        twin=twin,
        item_skill=skill_index,
        item_tube=tube[skill_index] if len(skills) else skill_index,
        item_guess=np.array([guessing(c) for c in challenges], dtype=np.float64),
        item_params=np.array(item_params, dtype=np.int64),
        right=right,
        easier=same_tube & (level[None, :] <= level[:, None]),
        harder=same_tube & (level[None, :] >= level[:, None]),
        units=units,
        fft_size=fft_size,
        spectrum_level=_spectrum_level(units, size, fft_size),
    )


@dataclass
class _Progress:
    """What the answers so far say, for one state."""

    data: _Competence
    posterior: Vector  # P(class, theta) on the grid
    conditional: Array  # tubes x tube points x grid: P(delta_tube | class, theta, answers)
    tube_pix: Array  # tubes x tube points x grid: the tube's predicted pix
    mean: Array  # tubes x grid: expected tube pix given class and theta
    variance: Array  # tubes x grid
    approximate: Vector  # P(level), moment approximation (what selection compares with)
    level_probabilities: Vector  # P(level), exact
    settled: Mask  # per skill
    candidates: Mask  # challenges that may be served
    low: float  # pix of the validated settled skills: the lowest reachable score
    high: float  # ... plus every open skill's: the highest


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


def _level_of(pix: float) -> int:
    """The Pix level of a pix total (``scoring.score``)."""
    return min(math.floor(round(pix, 6)) // PIX_PER_LEVEL, DEFAULT_MAX_LEVEL)


def _fast_length(size: int) -> int:
    """The smallest length of at least ``size`` with no prime factor above 5, where an FFT is
    fastest (scipy's ``next_fast_len(size, real=True)``; numpy's FFT spares a worker loading
    scipy, 25 MB)."""
    length = size
    while True:
        rest = length
        for prime in (2, 3, 5):
            while rest % prime == 0:
                rest //= prime
        if rest == 1:
            return length
        length += 1


def _spectrum_level(units: int, size: int, fft_size: int) -> Array:
    """The map from a real signal's half spectrum (``np.fft.rfft``, ``fft_size`` points), its
    real and imaginary parts interleaved, to the sums of the signal over the pix totals of
    each level: ``irfft`` then a sum per level, folded into one small matrix."""
    level = np.minimum(
        np.floor(np.arange(size) / units + 1e-6) // PIX_PER_LEVEL, DEFAULT_MAX_LEVEL
    ).astype(np.int64)
    frequencies = fft_size // 2 + 1
    k = np.arange(frequencies)[:, None]
    angle = 2.0 * np.pi * k * np.arange(size)[None, :] / fft_size  # frequencies x totals
    # irfft: x[n] = (X[0] + 2 sum Re(X[k] e^{2 pi i k n / N}) + X[N/2] (-1)^n) / N
    factor = np.full((frequencies, 1), 2.0 / fft_size)
    factor[0] = 1.0 / fft_size
    if fft_size % 2 == 0:
        factor[-1] = 1.0 / fft_size
    per_level = (level[:, None] == np.arange(DEFAULT_MAX_LEVEL + 1)[None, :]).astype(np.float64)
    result = np.empty((2 * frequencies, DEFAULT_MAX_LEVEL + 1))
    result[0::2] = (factor * np.cos(angle)) @ per_level  # Re(X e^{ia}) = Re X cos a - Im X sin a
    result[1::2] = -(factor * np.sin(angle)) @ per_level
    return result


def _exact_levels(
    data: _Competence, conditional: Array, tube_pix: Array, low: float, high: float
) -> Array:
    """P(level | class, theta), levels x grid: each tube's pix distribution (its points,
    weighted by ``conditional``) convolved over the tubes; for the true-level classes, clipped
    to the levels reachable from [low, high]."""
    tubes, points, grid = conditional.shape
    fft_size = data.fft_size
    units = np.rint(tube_pix * data.units).astype(np.int64)
    histogram = np.zeros((tubes, grid, fft_size))
    rows = np.arange(tubes)[:, None]
    columns = np.arange(grid)[None, :]
    for point in range(points):  # (tube, column) pairs are distinct within one point
        histogram[rows, columns, units[:, point, :]] += conditional[:, point, :]
    spectrum = np.fft.rfft(histogram, axis=-1).prod(axis=0)  # grid x frequencies
    result: Array = (spectrum.view(np.float64) @ data.spectrum_level).T  # levels x grid
    np.maximum(result, 0.0, out=result)  # rounding: a level's probability is not negative
    if _TRUE_LEVEL.any():
        reached = result[:, _TRUE_LEVEL]
        lowest, highest = _level_of(low), _level_of(high)
        reached[lowest] += reached[:lowest].sum(axis=0)
        reached[:lowest] = 0.0
        reached[highest] += reached[highest + 1 :].sum(axis=0)
        reached[highest + 1 :] = 0.0
        result[:, _TRUE_LEVEL] = reached
    return result


def _uncertainty(levels: Array) -> Array:
    """(1 - w) entropy + w variance of level distributions (first axis: levels)."""
    q = np.maximum(levels, 1e-12)
    np.minimum(q, 1.0, out=q)
    entropy = -(levels * np.log(q)).sum(axis=0)
    k = _LEVELS.reshape(-1, *([1] * (levels.ndim - 1)))
    mean = (levels * k).sum(axis=0)
    variance = (levels * k * k).sum(axis=0) - mean * mean
    result: Array = (1.0 - VARIANCE_WEIGHT) * entropy + VARIANCE_WEIGHT * variance
    return result


class IrtEngine:
    name = "irt"

    def __init__(
        self,
        *,
        stop_probability: float | None = None,
        max_length: int = MAX_LENGTH,
        min_length: int = MIN_LENGTH,
        memo_size: int = MEMO_SIZE,
        pix_memo_size: int = PIX_MEMO_SIZE,
    ) -> None:
        """``stop_probability``: one stop probability for every class instead of theirs;
        ``memo_size``: states whose results are remembered (see ``MEMO_SIZE``);
        ``pix_memo_size``: per competence, patterns of settled skills whose predicted pix are
        remembered (see ``PIX_MEMO_SIZE``)."""
        self.memo_size = memo_size
        self.pix_memo_size = pix_memo_size
        self.stop_probability = stop_probability
        self.max_length = max_length
        self.min_length = min_length
        self._cache: dict[tuple[int, str], tuple[ContentBank, _Competence]] = {}
        # Memo of pure results by state key: ("next", key) -> the rows to choose from,
        # ("sure", key) -> how sure it is, ("knowledge", key) -> the knowledge. Keeps a
        # simulation's shared prefixes cheap.
        self._memo: dict[tuple[object, ...], object] = {}
        # The last few progresses by state key: a test's last state is read twice (its end,
        # then its knowledge).
        self._recent: dict[tuple[object, ...], _Progress] = {}

    # --- the Engine protocol --------------------------------------------------------------

    def next_challenge(self, state: EngineState) -> Challenge | None:
        state_key = self._key(state)
        key = ("next", *state_key)
        rows = self._memo.get(key)
        if rows is None:
            progress = self._progress(state, state_key)
            finished = self._finished(state, progress)
            rows = () if finished else self._best(progress, not state.answers)
            self._remember(key, rows)
            # Serving a challenge then asks how sure the test is: answer it from here.
            self._remember(("sure", *state_key), self._sureness(state, progress, finished))
        assert isinstance(rows, tuple)
        if not rows:
            return None
        data = self._competence(state.bank, state.competence)
        chosen: int = (  # one candidate: what the generator would choose, without seeding one
            rows[0] if len(rows) == 1 else state.rng().choice(rows)
        )
        return data.challenges[chosen]

    def knowledge(self, state: EngineState) -> dict[str, Knowledge]:
        state_key = self._key(state)
        key = ("knowledge", *state_key)
        found = self._memo.get(key)
        if found is None:
            result = state.knowledge()  # Pix inference: infer(skills, observations, known)
            progress = self._progress(state, state_key)
            data = progress.data
            names = [skill.name for skill in data.skills]
            masteries = self._mastery(progress)
            total = sum(
                float(data.pix[i])
                for i, name in enumerate(names)
                if name in result and result[name].validated
            )
            # The open skills, most likely mastered first; credit the first ``count``.
            order = sorted(
                (i for i, name in enumerate(names) if name not in result),
                key=lambda i: (-masteries[i], i),
            )
            credited = [total]
            for i in order:
                credited.append(credited[-1] + float(data.pix[i]))
            target = int(np.argmax(progress.level_probabilities))
            count = sum(1 for i in order if masteries[i] >= 0.5)
            while count < len(order) and _level_of(credited[count]) < target:
                count += 1
            while count > 0 and _level_of(credited[count]) > target:
                count -= 1
            for rank, i in enumerate(order):
                status = Status.VALIDATED if rank < count else Status.INVALIDATED
                result[names[i]] = Knowledge(names[i], status, Source.INFERRED)
            self._remember(key, result)
            found = result
        assert isinstance(found, dict)
        return dict(found)

    def sureness(self, state: EngineState) -> float:
        state_key = self._key(state)
        key = ("sure", *state_key)
        sure = self._memo.get(key)
        if sure is None:
            progress = self._progress(state, state_key)
            sure = self._sureness(state, progress, self._finished(state, progress))
            self._remember(key, sure)
        assert isinstance(sure, float)
        return sure

    def _sureness(self, state: EngineState, progress: _Progress, finished: bool) -> float:
        """How near the stop rule is: the most likely level's probability against the stop
        probability, or the length against the longest test, whichever is nearer; below 1
        until the test stops."""
        if finished:
            return 1.0
        threshold = self._threshold(progress)
        best = float(progress.level_probabilities.max())
        likely = best / threshold if threshold > 0 else 1.0
        return min(max(likely, len(state.answers) / self.max_length), MOST_SURE_UNFINISHED)

    # --- estimation -----------------------------------------------------------------------

    def estimate(self, state: EngineState) -> tuple[float, float]:
        """The posterior mean and standard deviation of the general ability (EAP)."""
        posterior = self._progress(state).posterior
        mean = float(posterior @ _ABILITY)
        sd = math.sqrt(max(0.0, float(posterior @ (_ABILITY - mean) ** 2)))
        return mean, sd

    def level_probabilities(self, state: EngineState) -> list[float]:
        """The posterior probability of each reported Pix level 0..max."""
        return [float(p) for p in self._progress(state).level_probabilities]

    def responder_probabilities(self, state: EngineState) -> dict[str, float]:
        """The posterior probability of each class of responder."""
        posterior = self._progress(state).posterior
        weights = np.bincount(_CLASS, weights=posterior, minlength=len(RESPONDERS))
        return {r.name: float(w) for r, w in zip(RESPONDERS, weights, strict=True)}

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
        result: Vector = (joint[data.tube] * data.reached).sum(axis=1)
        return result

    def _key(self, state: EngineState) -> tuple[object, ...]:
        known = tuple(sorted((name, k.validated) for name, k in state.known.items()))
        data = self._competence(state.bank, state.competence)  # may forget the memos
        twin, row, challenges = data.twin, data.row, data.challenges
        answers = tuple(  # interchangeable challenges give the same posterior
            (
                challenges[twin[row[challenge.id]]].id if challenge.id in row else challenge.id,
                bool(correct),
            )
            for challenge, correct in state.answers
        )
        return (id(state.bank), state.competence, answers, state.seen, known)

    def _remember(self, key: tuple[object, ...], value: object) -> None:
        if len(self._memo) >= self.memo_size:  # forget the oldest: a learner's last state
            del self._memo[next(iter(self._memo))]  # is met again at their next update
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
            data = self._competence(state.bank, state.competence)
            progress = self._compute_progress(state, data)
            if len(self._recent) >= RECENT_SIZE:
                del self._recent[next(iter(self._recent))]
            self._recent[key] = progress
        return progress

    def _compute_progress(self, state: EngineState, data: _Competence) -> _Progress:
        skills = len(data.skills)
        points, grid = len(TUBE_POINTS), len(_ABILITY)
        rows: list[int] = []
        outcomes: list[bool] = []
        for challenge, correct in state.answers:
            row = data.row.get(challenge.id)
            if row is not None:  # else not a served challenge of this competence
                rows.append(row)
                outcomes.append(bool(correct))
        asked = np.array(rows, dtype=np.int64)
        log_likelihood = data.log_outcomes(asked, outcomes)
        answered = data.item_skill[asked]
        tube_log = data.tube_of[:, answered] @ log_likelihood
        tube_log = tube_log.reshape(data.tubes, points, grid)
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
        # Per tube, the predicted pix: consistent responders, settled skills as they are and
        # open ones where reached; graded responders, every skill where reached.
        pix_key = (tuple(is_settled), tuple(is_validated))
        tube_pix = data.tube_pix.get(pix_key)
        if tube_pix is None:
            open_pix = data.pix * ~settled
            tube_pix = (data.tube_of * open_pix) @ data.mastered()
            tube_pix = tube_pix.reshape(conditional.shape)
            tube_pix += (data.tube_of @ (data.pix * (settled & validated)))[:, None, None]
            tube_pix[:, :, _TRUE_LEVEL] = data.true_pix[:, :, _TRUE_LEVEL]
            tube_pix.setflags(write=False)
            if len(data.tube_pix) >= self.pix_memo_size:
                del data.tube_pix[next(iter(data.tube_pix))]
            data.tube_pix[pix_key] = tube_pix
        mean = (conditional * tube_pix).sum(axis=1)
        variance = (conditional * tube_pix**2).sum(axis=1) - mean**2
        approximate: Vector = _levels_from_pix(mean.sum(axis=0), variance.sum(axis=0)) @ posterior
        low = float(data.pix @ (settled & validated))
        high = low + float(data.pix @ ~settled)
        levels: Vector = _exact_levels(data, conditional, tube_pix, low, high) @ posterior
        levels /= levels.sum()
        candidates = ~settled[data.item_skill]
        candidates[asked] = False
        if state.seen:
            unseen = [c.id not in state.seen for c in data.challenges]
            fresh = candidates & np.array(unseen, dtype=np.bool_)  # typed: there may be none
            has_fresh = np.bincount(data.item_skill, weights=fresh, minlength=skills)
            candidates &= fresh | (has_fresh[data.item_skill] == 0)
        return _Progress(
            data,
            posterior,
            conditional,
            tube_pix,
            mean,
            variance,
            approximate,
            levels,
            settled,
            candidates,
            low,
            high,
        )

    def _finished(self, state: EngineState, progress: _Progress) -> bool:
        done = len(state.answers)
        if not progress.candidates.any() or done >= self.max_length:
            return True
        if done < self.min_length:
            return False
        return float(progress.level_probabilities.max()) >= self._threshold(progress)

    def _threshold(self, progress: _Progress) -> float:
        """The probability the most likely level must reach for the test to stop."""
        if self.stop_probability is not None:
            return self.stop_probability
        classes = np.bincount(_CLASS, weights=progress.posterior, minlength=len(RESPONDERS))
        return float(classes @ _STOP)

    def expected_uncertainty(self, progress: _Progress, of_skill: int | None = None) -> Vector:
        """Per challenge: the expected uncertainty on the level after its answer (inf when it
        may not be served). One-step look-ahead on the testlet posterior. Without ``of_skill``,
        only each skill's most informative challenge (the least guessing, then by id); with
        it, every candidate challenge of that skill."""
        data = progress.data
        rows = np.flatnonzero(progress.candidates)
        result: Vector = np.full(len(data.challenges), np.inf)
        if of_skill is not None:
            rows = rows[data.item_skill[rows] == of_skill]
        else:
            order = np.lexsort((rows, data.item_guess[rows], data.item_skill[rows]))
            rows = rows[order]
            first = np.ones(len(rows), dtype=np.bool_)
            first[1:] = data.item_skill[rows][1:] != data.item_skill[rows][:-1]
            rows = rows[first]
        if not len(rows):
            return result
        skill = data.item_skill[rows]
        tube = data.item_tube[rows]
        conditional = progress.conditional[tube]  # C x points x grid
        p_right = data.right[data.item_params[rows]]
        joint = np.empty((len(rows), 2, *conditional.shape[1:]))
        np.multiply(conditional, p_right, out=joint[:, 0])
        np.multiply(conditional, 1.0 - p_right, out=joint[:, 1])
        likelihood = joint.sum(axis=2)  # C x 2 x grid: P(answer | class, theta)
        # Pix inference after the answer (consistent responders' score): right validates
        # easier open skills of the tube, wrong invalidates harder ones; counted at
        # SETTLING_WEIGHT (settled is not learned: one slip or lucky guess would decide it).
        open_pix = (SETTLING_WEIGHT * data.pix) * ~progress.settled
        shift = np.empty((len(rows), 2, data.reached.shape[1]))
        shift[:, 0] = (data.easier[skill] * open_pix) @ data.mastered(False)
        shift[:, 1] = -(data.harder[skill] * open_pix) @ data.mastered()
        shift = shift.reshape(joint.shape)
        shift[..., _TRUE_LEVEL] = 0.0
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
        result[rows] = (answer * _uncertainty(levels)).sum(axis=1)
        return result

    def _best(self, progress: _Progress, opening: bool = False) -> tuple[int, ...]:
        """The challenges to draw from, so that two learners don't see the same sequence: the
        best challenge of every skill within ``OPENING_SLACK`` of the best for the opening one
        (the prior knows little, so little is lost); later, the challenges of the best skill
        within ``SAME_SKILL_SLACK`` of its best (wider draws made tests longer)."""
        data = progress.data
        values = self.expected_uncertainty(progress)
        best = int(np.argmin(values))
        if not math.isfinite(float(values[best])):
            return ()
        if opening:  # each near-best skill's best challenge, and its interchangeable twins
            near = float(values[best]) + OPENING_SLACK
            twins = {data.twin[row] for row in np.flatnonzero(values <= near).tolist()}
            candidates = np.flatnonzero(progress.candidates).tolist()
            return tuple(row for row in candidates if data.twin[row] in twins)
        skill: int = int(data.item_skill[best])
        if int((data.item_skill[progress.candidates] == skill).sum()) > 1:
            values = self.expected_uncertainty(progress, skill)
        limit = float(values[best]) + SAME_SKILL_SLACK
        return tuple(
            row
            for row in np.flatnonzero(progress.candidates).tolist()
            if data.item_skill[row] == skill and float(values[row]) <= limit
        )


def skill_difficulties(bank: ContentBank, competence: str) -> dict[str, float]:
    """Each assessable skill's difficulty on the engine's scale (mean of its challenges)."""
    return {
        skill.name: float(np.mean([parameters(c)[1] for c in bank.challenges_of(skill.name)]))
        for skill in bank.assessable_skills(competence)
    }


__all__: Sequence[str] = [
    "RESPONDERS",
    "IrtEngine",
    "Responder",
    "guessing",
    "parameters",
    "skill_difficulties",
]
