"""The interface every adaptive engine implements."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from bot.core.scoring import Knowledge, Observation, infer
from content.bank import ContentBank, Skill
from content.models import Challenge


@dataclass(frozen=True)
class EngineState:
    """Everything an engine may look at to choose the next challenge of one competence."""

    bank: ContentBank
    competence: str
    answers: Sequence[tuple[Challenge, bool]]  # direct answers of this assessment, in order
    seed: int  # fixed per assessment: the same state always gives the same choice
    seen: frozenset[str] = frozenset()  # challenge ids met in earlier tests
    known: Mapping[str, Knowledge] = field(default_factory=dict)  # kept from earlier tests

    @property
    def skills(self) -> list[Skill]:
        return self.bank.assessable_skills(self.competence)

    @property
    def observations(self) -> list[Observation]:
        return [Observation(challenge.skill, correct) for challenge, correct in self.answers]

    def knowledge(self) -> dict[str, Knowledge]:
        return infer(self.skills, self.observations, self.known)

    def rng(self) -> random.Random:
        """A generator fixed by the assessment and how far it has gone."""
        return random.Random(self.seed * 1_000_003 + len(self.answers))

    def pick_challenge(self, skill: str) -> Challenge:
        """A challenge of ``skill``, preferring ones this learner has not met."""
        pool = self.bank.challenges_of(skill)
        asked = {challenge.id for challenge, _ in self.answers}
        fresh = [c for c in pool if c.id not in self.seen and c.id not in asked]
        candidates = fresh or [c for c in pool if c.id not in asked] or list(pool)
        if len(candidates) == 1:  # what the generator would choose, without seeding one
            return candidates[0]
        return self.rng().choice(sorted(candidates, key=_id))


def _id(challenge: Challenge) -> str:
    return challenge.id


class Engine(Protocol):
    name: str

    def next_challenge(self, state: EngineState) -> Challenge | None:
        """The next challenge to serve, or None when the test is over."""
        ...

    def knowledge(self, state: EngineState) -> dict[str, Knowledge]:
        """Validated and invalidated skills, direct and inferred, for scoring."""
        ...

    def sureness(self, state: EngineState) -> float:
        """How sure the engine already is of the level, from 0 to 1: 1 when it would stop now.
        The learner's progress bar: it may fall after a surprising answer (that is honest)."""
        ...
