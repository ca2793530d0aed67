"""Pix rules: inference along tubes, skills to pix, pix to level."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from content.bank import Skill

PIX_PER_LEVEL: Final = 8
MAX_PIX_PER_SKILL: Final = 4
DEFAULT_MAX_LEVEL: Final = 6  # the bank opens levels 1-6 (Pix opened 1-5, then 6)


class Status(StrEnum):
    VALIDATED = "validated"
    INVALIDATED = "invalidated"


class Source(StrEnum):
    DIRECT = "direct"
    INFERRED = "inferred"


@dataclass(frozen=True)
class Knowledge:
    """What is known of one skill: Pix's knowledge element."""

    skill: str
    status: Status
    source: Source

    @property
    def validated(self) -> bool:
        return self.status is Status.VALIDATED


@dataclass(frozen=True)
class Observation:
    """One direct answer: the skill it tested and whether it was right."""

    skill: str
    correct: bool


def infer(
    skills: Sequence[Skill],
    observations: Iterable[Observation],
    known: Mapping[str, Knowledge] | None = None,
) -> dict[str, Knowledge]:
    """Pix inference: a right answer validates the skill and every untested easier skill of its
    tube; a wrong one invalidates it and every untested harder one. ``known`` comes first."""
    result: dict[str, Knowledge] = dict(known or {})
    by_name = {skill.name: skill for skill in skills}
    for observation in observations:
        tested = by_name.get(observation.skill)
        if tested is None:
            continue
        status = Status.VALIDATED if observation.correct else Status.INVALIDATED
        result[tested.name] = Knowledge(tested.name, status, Source.DIRECT)
        for other in skills:
            if other.tube != tested.tube or other.name in result:
                continue
            easier = other.level < tested.level
            if (observation.correct and easier) or (not observation.correct and not easier):
                result[other.name] = Knowledge(other.name, status, Source.INFERRED)
    return result


def skill_pix(skills: Sequence[Skill]) -> dict[str, float]:
    """Each skill is worth min(4, 8 / skills of the competence at its level)."""
    per_level = Counter(skill.level for skill in skills)
    return {
        skill.name: min(MAX_PIX_PER_SKILL, PIX_PER_LEVEL / per_level[skill.level])
        for skill in skills
    }


@dataclass(frozen=True)
class Score:
    pix: int
    level: int


def score(
    skills: Sequence[Skill], knowledge: Mapping[str, Knowledge], max_level: int = DEFAULT_MAX_LEVEL
) -> Score:
    """Competence pix = validated skills' pix, capped; level = floor(pix / 8), capped."""
    values = skill_pix(skills)
    total = sum(
        values[name] for name, known in knowledge.items() if known.validated and name in values
    )
    # Rounded before flooring so 3 x 8/3 pix count as 8, not 7.999...
    pix = min(math.floor(round(total, 6)), max_level * PIX_PER_LEVEL)
    return Score(pix=pix, level=min(pix // PIX_PER_LEVEL, max_level))
