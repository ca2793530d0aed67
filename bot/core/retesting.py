"""Pix's retry rules: improve a competence 4 days after its result, keeping the validated
skills (failures are forgotten so those skills can be asked again); start it from zero after
7 days without activity on it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from bot.core.ports import CompetenceResult
from bot.core.scoring import Knowledge

IMPROVE_AFTER: Final = timedelta(days=4)
RESET_AFTER: Final = timedelta(days=7)


@dataclass(frozen=True)
class Retest:
    result: CompetenceResult
    improve_from: datetime
    reset_from: datetime

    def can_improve(self, now: datetime) -> bool:
        return now >= self.improve_from

    def can_reset(self, now: datetime) -> bool:
        return now >= self.reset_from


def retest(result: CompetenceResult) -> Retest:
    last = result.last_activity or result.finished_at
    return Retest(result, result.finished_at + IMPROVE_AFTER, last + RESET_AFTER)


def kept_for_improvement(knowledge: Mapping[str, Knowledge]) -> dict[str, Knowledge]:
    """What an improvement starts from: the validated skills only."""
    return {name: known for name, known in knowledge.items() if known.validated}
