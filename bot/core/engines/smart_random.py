"""Pix's "smart random" positioning, as described in shared/reference/pix-rules.md."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Final

from bot.core.engines.base import EngineState
from bot.core.scoring import Knowledge
from content.bank import Skill
from content.models import Challenge

FIRST_LEVEL: Final = 2
EASY_TUBE_MAX_LEVEL: Final = 3
MAX_LEVEL_ABOVE_ESTIMATE: Final = 2
LEVELS: Final = tuple(step / 2 for step in range(1, 16))  # 0.5, 1.0 ... 7.5
VIRTUAL_ANSWERS: Final = ((0, True), (7, False))  # level 0 passed, level 7 failed


def success_probability(level: float, difficulty: float) -> float:
    return 1.0 / (1.0 + math.exp(-(level - difficulty)))


def predicted_level(answers: Iterable[tuple[int, bool]]) -> float:
    """The level L minimising |sum(outcome - P(L, d))| over answers and two virtual ones."""
    observed = [*answers, *VIRTUAL_ANSWERS]
    return min(
        LEVELS,
        key=lambda level: abs(
            sum(float(ok) - success_probability(level, d) for d, ok in observed)
        ),
    )


def reward(skill: Skill, untested: Sequence[Skill], estimate: float) -> float:
    """Expected number of skills settled by asking ``skill``."""
    p = success_probability(estimate, skill.level)
    same_tube = [other for other in untested if other.tube == skill.tube]
    easier_or_equal = sum(1 for other in same_tube if other.level <= skill.level)
    harder_or_equal = sum(1 for other in same_tube if other.level >= skill.level)
    return p * easier_or_equal + (1 - p) * harder_or_equal


class SmartRandom:
    name = "smart-random"

    def knowledge(self, state: EngineState) -> dict[str, Knowledge]:
        return state.knowledge()

    def eligible(self, state: EngineState) -> list[Skill]:
        known = state.knowledge()
        untested = [skill for skill in state.skills if skill.name not in known]
        if not state.answers:
            return _first_skills(untested)
        estimate = predicted_level((c.level, ok) for c, ok in state.answers)
        eligible = [s for s in untested if s.level <= estimate + MAX_LEVEL_ABOVE_ESTIMATE]
        if not eligible:
            return []
        rewards = {skill.name: reward(skill, untested, estimate) for skill in eligible}
        best = max(rewards.values())
        return [s for s in eligible if math.isclose(rewards[s.name], best, abs_tol=1e-9)]

    def next_challenge(self, state: EngineState) -> Challenge | None:
        candidates = self.eligible(state)
        if not candidates:
            return None
        skill = state.rng().choice(sorted(candidates, key=lambda s: s.name))
        return state.pick_challenge(skill.name)

    def expected_length(self, state: EngineState) -> int:
        known = state.knowledge()
        open_tubes = {s.tube for s in state.skills if s.name not in known}
        return len(state.answers) + max(len(open_tubes), 1)


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
