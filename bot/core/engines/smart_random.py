"""Pix's "smart random" positioning, as described in shared/reference/pix-rules.md."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Final

from bot.core.engines.base import EngineState
from bot.core.scoring import Knowledge
from content.bank import ContentBank, Skill
from content.models import Challenge, skill_level, skill_tube

FIRST_LEVEL: Final = 2
EASY_TUBE_MAX_LEVEL: Final = 3
MAX_LEVEL_ABOVE_ESTIMATE: Final = 2
LEVELS: Final = tuple(step / 2 for step in range(1, 16))  # 0.5, 1.0 ... 7.5
VIRTUAL_ANSWERS: Final = ((0, True), (7, False))  # level 0 passed, level 7 failed
MEMO_SIZE: Final = 200_000


def success_probability(level: float, difficulty: float) -> float:
    return 1.0 / (1.0 + math.exp(-(level - difficulty)))


@lru_cache(maxsize=4096)
def _probability(level: float, difficulty: float) -> float:
    """``success_probability``, memoised: the same float for the same arguments."""
    return success_probability(level, difficulty)


def predicted_level(answers: Iterable[tuple[int, bool]]) -> float:
    """The level L minimising |sum(outcome - P(L, d))| over answers and two virtual ones."""
    return _predicted_level(tuple((d, bool(ok)) for d, ok in answers))


@lru_cache(maxsize=65536)
def _predicted_level(answers: tuple[tuple[int, bool], ...]) -> float:
    # Same sums, in the same order, as a plain loop over success_probability, and the first
    # level of smallest gap, as min() keeps: memoising only saves time, the choice is identical.
    observed = [(d, float(ok)) for d, ok in (*answers, *VIRTUAL_ANSWERS)]
    best, best_gap = LEVELS[0], math.inf
    tabulated = all(type(d) is int and 0 <= d < _TABULATED for d, _ in observed)
    for level in LEVELS:
        if tabulated:
            row = _ROWS[level]
            gap = abs(sum([ok - row[d] for d, ok in observed]))
        else:
            gap = abs(sum([ok - _probability(level, d) for d, ok in observed]))
        if gap < best_gap:
            best, best_gap = level, gap
    return best


_TABULATED: Final = 16
_ROWS: Final = {  # _probability(level, d) for integer difficulties: the same floats
    level: [success_probability(level, d) for d in range(_TABULATED)] for level in LEVELS
}


@lru_cache(maxsize=65536)
def _level(skill: str) -> int:
    return skill_level(skill)


@lru_cache(maxsize=65536)
def _tube(skill: str) -> str:
    return skill_tube(skill)


def reward(skill: Skill, untested: Sequence[Skill], estimate: float) -> float:
    """Expected number of skills settled by asking ``skill``."""
    p = _probability(estimate, skill.level)
    same_tube = [other for other in untested if other.tube == skill.tube]
    easier_or_equal = sum(1 for other in same_tube if other.level <= skill.level)
    harder_or_equal = sum(1 for other in same_tube if other.level >= skill.level)
    return p * easier_or_equal + (1 - p) * harder_or_equal


class SmartRandom:
    name = "smart-random"

    def __init__(self) -> None:
        # Memo of eligible skills by everything they depend on (the bank, the competence's
        # skills, the answered skills and outcomes in order, the known skills): it only saves
        # time, the choice is identical. Entries keep their bank alive, so its id stays unique.
        self._memo: dict[tuple[object, ...], tuple[ContentBank, tuple[Skill, ...]]] = {}

    def knowledge(self, state: EngineState) -> dict[str, Knowledge]:
        return state.knowledge()

    def eligible(self, state: EngineState) -> list[Skill]:
        skills = state.skills
        key = (
            id(state.bank),
            state.competence,
            tuple([s.name for s in skills]),
            tuple([(c.skill, bool(ok)) for c, ok in state.answers]),
            frozenset(state.known),
        )
        entry = self._memo.get(key)
        if entry is None or entry[0] is not state.bank:
            if len(self._memo) >= MEMO_SIZE:
                self._memo.clear()
            entry = self._memo[key] = (state.bank, tuple(self._eligible(state, skills)))
        return list(entry[1])

    def _eligible(self, state: EngineState, skills: Sequence[Skill]) -> list[Skill]:
        untested = _untested(state, skills)
        if not state.answers:
            return _first_skills(untested)
        estimate = _predicted_level(tuple((_level(c.skill), ok) for c, ok in state.answers))
        eligible = [s for s in untested if s.level <= estimate + MAX_LEVEL_ABOVE_ESTIMATE]
        if not eligible:
            return []
        # reward() for every eligible skill, with the tube counts taken once (same floats).
        levels_by_tube: dict[str, list[int]] = {}
        for other in untested:
            levels_by_tube.setdefault(other.tube, []).append(other.level)
        rewards = {}
        for skill in eligible:
            p = _probability(estimate, skill.level)
            levels = levels_by_tube[skill.tube]
            easier_or_equal = sum(1 for level in levels if level <= skill.level)
            harder_or_equal = sum(1 for level in levels if level >= skill.level)
            rewards[skill.name] = p * easier_or_equal + (1 - p) * harder_or_equal
        best = max(rewards.values())
        return [s for s in eligible if math.isclose(rewards[s.name], best, abs_tol=1e-9)]

    def next_challenge(self, state: EngineState) -> Challenge | None:
        candidates = self.eligible(state)
        if not candidates:
            return None
        if len(candidates) == 1:  # what the generator would choose, without seeding one
            return state.pick_challenge(candidates[0].name)
        skill = state.rng().choice(sorted(candidates, key=_name))
        return state.pick_challenge(skill.name)

    def sureness(self, state: EngineState) -> float:
        """The share of the competence's skills already settled (answered or inferred): the
        test stops when no skill is left to ask."""
        skills = state.skills
        if not skills or not self.eligible(state):
            return 1.0
        return len(state.knowledge()) / len(skills)


def _name(skill: Skill) -> str:
    return skill.name


def _untested(state: EngineState, skills: Sequence[Skill]) -> list[Skill]:
    """The skills ``state.knowledge()`` leaves out, without building it: Pix inference marks a
    skill when it was answered, known before, below a right answer of its tube or at or above a
    wrong one, whatever the order of the answers."""
    asked: set[str] = set()
    right_above: dict[str, int] = {}  # per tube: the highest level answered right
    wrong_from: dict[str, int] = {}  # per tube: the lowest level answered wrong
    names = {skill.name for skill in skills}
    for challenge, correct in state.answers:
        if challenge.skill not in names:
            continue
        asked.add(challenge.skill)
        tube, level = _tube(challenge.skill), _level(challenge.skill)
        if correct:
            right_above[tube] = max(right_above.get(tube, 0), level)
        else:
            wrong_from[tube] = min(wrong_from.get(tube, level), level)
    return [
        skill
        for skill in skills
        if skill.name not in asked
        and skill.name not in state.known
        and skill.level >= right_above.get(skill.tube, 0)
        and skill.level < wrong_from.get(skill.tube, 1_000)
    ]


def _first_skills(untested: Sequence[Skill]) -> list[Skill]:
    """Level 2, preferring easy tubes; the closest level when the bank has none at 2."""
    hardest: dict[str, int] = {}
    for skill in untested:
        hardest[skill.tube] = max(hardest.get(skill.tube, 0), skill.level)
    at_first = [s for s in untested if s.level == FIRST_LEVEL]
    easy = [s for s in at_first if hardest[s.tube] <= EASY_TUBE_MAX_LEVEL]
    if easy or at_first:
        return easy or at_first
    if not untested:
        return []
    closest = min(abs(s.level - FIRST_LEVEL) for s in untested)
    return [s for s in untested if abs(s.level - FIRST_LEVEL) == closest]
