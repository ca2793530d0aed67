"""The groups' daily sends and leaderboard rules: which tip or quiz a group gets next, and
the week the leaderboard counts."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from datetime import datetime, time, timedelta
from typing import Final

from bot.core.groups.callbacks import LEVELS
from bot.core.groups.ports import GroupSettings
from bot.core.timezones import zone
from content.bank import ContentBank
from content.models import Audience, Challenge, ChallengeType, Tip

QUIZ_REUSE_DAYS: Final = 60  # a question quizzed in a group is not quizzed there again before
QUIZ_LEVELS: Final = {
    "basic": (1, 2),
    "intermediate": (3, 4),
    "advanced": (5, 6),
    "expert": (6, 8),
}
# The bank's tubes (topics of its questions) that a tip topic quizzes on; a topic without
# any (teaching) narrows nothing. tests/unit/test_quiz_choice.py checks they exist.
TOPIC_TUBES: Final[Mapping[str, tuple[str, ...]]] = {
    "passwords": ("passwordStrength",),
    "two-factor": ("secureTwoFactor",),
    "phishing": ("securePhishing",),
    "scams": ("securePhishing", "secureAiScams"),
    "updates": ("secureDevices",),
    "backups": ("secureDevices", "dataBackups"),
    "public-wifi": ("secureConnection",),
    "social-networks": ("privacyPersonalData", "privacySettings", "engageIdentity"),
    "privacy": (
        "privacyPersonalData",
        "privacyRights",
        "privacySettings",
        "privacyTracking",
        "privacyAiTools",
    ),
    "devices": ("secureDevices", "ecoDeviceLifecycle"),
    "children-online": ("wellScreenHealth", "wellCyberHarassment", "privacySettings"),
    "well-being": ("wellScreenHealth", "wellAttentionDesign"),
    "harassment": ("wellCyberHarassment",),
    "incidents": ("securePhishing", "secureDevices"),
}
# Whether a quiz for this audience is set at work (None: either).
AUDIENCE_QUIZZES: Final = {"professionals": True, "pupils": False}
AUDIENCE_TIPS: Final = {audience.value: audience.served() for audience in Audience}


def week_start(timezone: str, now: datetime) -> datetime:
    """Monday 00:00 of this week in the group's time zone."""
    local = now.astimezone(zone(timezone))
    monday = local.date() - timedelta(days=local.weekday())
    return datetime.combine(monday, time(0), zone(timezone))


def choose_group_tip(
    tips: list[Tip], group: GroupSettings, posted: dict[str, datetime]
) -> Tip | None:
    """A tip for the group's topics, audience and level not yet posted there; when every
    one has been, the one posted longest ago (the library cycles)."""
    audiences = AUDIENCE_TIPS.get(group.audience, {Audience.EVERYONE})
    candidates = [
        tip
        for tip in tips
        if tip.audience in audiences and (not group.topics or str(tip.topic) in group.topics)
    ]
    if not candidates:
        return None
    order = list(LEVELS)

    def rank(tip: Tip) -> tuple[int, datetime | None, str]:
        distance = abs(order.index(str(tip.level)) - order.index(group.level))
        return (distance, posted.get(tip.id), tip.id)

    fresh = [tip for tip in candidates if tip.id not in posted]
    if fresh:
        return min(fresh, key=lambda tip: rank(tip)[0::2])
    return min(candidates, key=lambda tip: (posted[tip.id], tip.id))


def choose_quiz(
    bank: ContentBank,
    level: str,
    used: Mapping[str, datetime],
    rng: random.Random,
    now: datetime,
    audience: str = "everyone",
    topics: Sequence[str] = (),
) -> Challenge | None:
    """A poll-eligible challenge of the protection-and-security area when there is one, for
    the group's audience (set at work for professionals, never for pupils, when the bank has
    some), at the group's level: one never quizzed in the group, else one not quizzed for
    ``QUIZ_REUSE_DAYS`` (a quiz answers its question in public), else the one quizzed longest
    ago. The group's tip topics narrow the questions to their tubes (:data:`TOPIC_TUBES`) when
    the bank has some there."""
    eligible = [
        c
        for c in bank.challenges.values()
        if c.poll_eligible and c.type is ChallengeType.SINGLE and c.skill in bank.skills
    ]
    security = [c for c in eligible if bank.tube_competence[c.tube].startswith("4.")]
    pool = security or eligible
    tubes = {tube for topic in topics for tube in TOPIC_TUBES.get(topic, ())}
    pool = [c for c in eligible if c.tube in tubes] or pool
    fits = AUDIENCE_QUIZZES.get(audience)
    pool = [c for c in pool if fits is None or c.at_work == fits] or pool
    if not pool:
        return None
    low, high = QUIZ_LEVELS.get(level, (1, 8))
    at_level = [c for c in pool if low <= c.level <= high]
    rested = now - timedelta(days=QUIZ_REUSE_DAYS)
    for candidates in (
        [c for c in at_level if c.id not in used],
        [c for c in pool if c.id not in used],
        [c for c in at_level if used.get(c.id, now) <= rested],
        [c for c in pool if used.get(c.id, now) <= rested],
    ):
        if candidates:
            return rng.choice(sorted(candidates, key=lambda c: c.id))
    return min(pool, key=lambda c: (used[c.id], c.id))
