"""A campaign's class at a glance, as Pix Orga shows it: each participant's status, the spread
of levels per competence, and the skills the class failed most with their tutorials.

Pure: it reads through the CampaignStore port and the content bank. Only shared participations
carry levels and skills; the others are a name, an identifier and a status.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final

from bot.core.campaigns.ports import Campaign, CampaignStore, ClassMember, CompetenceScore
from bot.core.campaigns.use_cases import targeted
from bot.core.scoring import DEFAULT_MAX_LEVEL
from content.bank import ContentBank
from content.models import Tutorial

__all__ = [
    "ClassReport",
    "CompetenceSpread",
    "LearnerRow",
    "SkillToWork",
    "Status",
    "class_report",
]

TO_WORK: Final = 3  # skills to work on shown per competence


class Status(StrEnum):
    JOINED = "joined"  # consented, no campaign test started
    IN_PROGRESS = "in_progress"  # at least one targeted competence started, not all finished
    FINISHED = "finished"  # every targeted competence finished, results not shared yet
    SHARED = "shared"  # shared with the educator


@dataclass(frozen=True)
class LearnerRow:
    number: int  # participant number in the campaign (1, 2, ...)
    name: str  # first name as Telegram gave it
    identifier: str | None  # the identifier the campaign asked for, if any
    status: Status
    joined_at: datetime
    shared_at: datetime | None
    levels: dict[str, CompetenceScore]  # competence code -> level/pix; EMPTY unless SHARED
    # skill name -> validated (True) / failed (False); EMPTY unless SHARED; absent = not reached
    skills: dict[str, bool]
    done: int = 0  # targeted competences finished (a count: no level leaves before sharing)
    user_id: int = 0  # to remind them; never shown to the educator
    language: str = "en"  # theirs, for a reminder
    asked: frozenset[str] = frozenset()  # skills a challenge asked directly; EMPTY unless SHARED


@dataclass(frozen=True)
class CompetenceSpread:
    code: str
    counts: tuple[int, ...]  # learners (shared) at level 0, 1, ..., MAX open level
    mean: float | None


@dataclass(frozen=True)
class SkillToWork:
    skill: str  # skill name, e.g. "@passwordStrength3"
    competence: str
    failed: int  # shared learners who failed it
    tried: int  # shared learners who were asked it (validated + failed, directly)
    tutorials: tuple[Tutorial, ...]  # the bank's tutorials for it in the educator's language


@dataclass(frozen=True)
class ClassReport:
    campaign: Campaign
    learners: tuple[LearnerRow, ...]  # every participant, by number
    spreads: tuple[CompetenceSpread, ...]  # per targeted competence, framework order
    to_work: dict[str, tuple[SkillToWork, ...]]  # competence -> its three most failed skills

    @property
    def shared(self) -> tuple[LearnerRow, ...]:
        return tuple(row for row in self.learners if row.status is Status.SHARED)

    def counts(self) -> Counter[Status]:
        return Counter(row.status for row in self.learners)


def status_of(member: ClassMember, codes: list[str]) -> Status:
    if member.participation.shared_at is not None:
        return Status.SHARED
    if all(code in member.done for code in codes):
        return Status.FINISHED
    if member.started.intersection(codes) or member.done:
        return Status.IN_PROGRESS
    return Status.JOINED


def learner_row(member: ClassMember, codes: list[str], skills_of: set[str]) -> LearnerRow:
    participation = member.participation
    status = status_of(member, codes)
    shared = status is Status.SHARED
    return LearnerRow(
        number=participation.number,
        name=participation.first_name,
        identifier=participation.identifier,
        status=status,
        joined_at=participation.consented_at,
        shared_at=participation.shared_at,
        levels={c: member.done[c] for c in codes if c in member.done} if shared else {},
        skills={s: ok for s, ok in member.skills.items() if s in skills_of} if shared else {},
        done=sum(1 for code in codes if code in member.done),
        user_id=participation.user_id,
        language=member.language,
        asked=frozenset(member.asked & skills_of) if shared else frozenset(),
    )


def spread(code: str, shared: tuple[LearnerRow, ...], max_level: int) -> CompetenceSpread:
    levels = [
        min(max(row.levels[code].level, 0), max_level) for row in shared if code in row.levels
    ]
    counts = Counter(levels)
    return CompetenceSpread(
        code,
        tuple(counts.get(level, 0) for level in range(max_level + 1)),
        sum(levels) / len(levels) if levels else None,
    )


def most_failed(
    bank: ContentBank, code: str, shared: tuple[LearnerRow, ...], language: str
) -> tuple[SkillToWork, ...]:
    """The skills most learners failed when a challenge asked them; on a tie the lower level
    first (taught first). Inferred outcomes are left out: failing a level-2 skill marks every
    skill above it in its tube failed, and those would crowd out the one to teach."""
    failed: Counter[str] = Counter()
    tried: Counter[str] = Counter()
    for row in shared:
        for skill in row.asked:
            known = bank.skills.get(skill)
            if known is not None and known.competence == code and skill in row.skills:
                tried[skill] += 1
                failed[skill] += not row.skills[skill]
    ranked = sorted(
        (skill for skill in failed if failed[skill]),
        key=lambda skill: (-failed[skill], bank.skills[skill].level, skill),
    )
    return tuple(
        SkillToWork(
            skill,
            code,
            failed[skill],
            tried[skill],
            tuple(bank.tutorials_for(skill, language)),
        )
        for skill in ranked[:TO_WORK]
    )


async def class_report(
    store: CampaignStore,
    bank: ContentBank,
    campaign: Campaign,
    language: str,
    max_level: int = DEFAULT_MAX_LEVEL,
) -> ClassReport:
    codes = targeted(bank, campaign)
    skills_of = {skill.name for code in codes for skill in bank.competence_skills(code)}
    members = await store.campaign_class(campaign.id)
    learners = tuple(learner_row(member, codes, skills_of) for member in members)
    shared = tuple(row for row in learners if row.status is Status.SHARED)
    return ClassReport(
        campaign=campaign,
        learners=learners,
        spreads=tuple(spread(code, shared, max_level) for code in codes),
        to_work={code: most_failed(bank, code, shared, language) for code in codes},
    )
