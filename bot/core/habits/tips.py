"""Which tip a learner sees next."""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Final

from content.models import Audience, Tip, TipLevel

TIP_LEVELS: Final = (
    (3, TipLevel.BASIC),
    (5, TipLevel.INTERMEDIATE),
    (7, TipLevel.ADVANCED),
    (9, TipLevel.EXPERT),
)
RECENT_TIP: Final = timedelta(days=60)


def tip_level(average_level: float) -> TipLevel:
    """The tips' level for a learner whose tested competences average ``average_level``."""
    return next(level for bound, level in TIP_LEVELS if average_level < bound)


def choose_tip(
    tips: list[Tip],
    level: TipLevel,
    seen: Mapping[str, datetime],
    now: datetime,
    rng: random.Random,
) -> Tip | None:
    """A tip for learners at ``level`` (or the nearest level), not seen recently: never seen
    first, else the one seen longest ago."""
    order = list(TipLevel)
    learner_tips = [tip for tip in tips if tip.audience is not Audience.EDUCATORS]
    if not learner_tips:
        return None
    by_distance = sorted(
        {abs(order.index(tip.level) - order.index(level)) for tip in learner_tips}
    )
    for distance in by_distance:
        pool = [
            tip
            for tip in learner_tips
            if abs(order.index(tip.level) - order.index(level)) == distance
            and (tip.id not in seen or now - seen[tip.id] > RECENT_TIP)
        ]
        fresh = [tip for tip in pool if tip.id not in seen]
        if fresh or pool:
            return rng.choice(sorted(fresh or pool, key=lambda tip: tip.id))
    return min(learner_tips, key=lambda tip: (seen.get(tip.id, now), tip.id))
