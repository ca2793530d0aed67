"""The loaded content bank: the framework and its indexes, ready for the learning core."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from content.models import (
    CONTENT_LANGUAGES,
    Area,
    Challenge,
    Competence,
    Framework,
    Irt,
    SkillText,
    Status,
    Tip,
    Tube,
    Tutorial,
    skill_name,
)


@dataclass(frozen=True)
class Skill:
    name: str  # @tubeN
    tube: str
    level: int
    competence: str
    description: SkillText


@dataclass
class ContentBank:
    framework: Framework
    areas: dict[str, Area]
    competences: dict[str, Competence]
    area_of: dict[str, str]  # competence code -> area code
    tubes: dict[str, Tube]  # tube name -> tube
    tube_competence: dict[str, str]
    skills: dict[str, Skill]
    challenges: dict[str, Challenge]
    tutorials: dict[str, Tutorial]
    tips: list[Tip]
    _served: dict[str, list[Challenge]] = field(default_factory=dict)  # skill -> validated
    _tutorials_by_skill: dict[tuple[str, str], list[Tutorial]] = field(default_factory=dict)
    _tutorial_refs: dict[str, Tutorial] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        framework: Framework,
        tubes: Mapping[str, Mapping[str, Any]],
        challenges: Iterable[Challenge],
        tutorials: Iterable[Tutorial],
        tips: Iterable[Tip],
    ) -> ContentBank:
        areas = {area.code: area for area in framework.areas}
        competences = {c.code: c for area in framework.areas for c in area.competences}
        area_of = {c.code: area.code for area in framework.areas for c in area.competences}
        tube_models: dict[str, Tube] = {name: entry["tube"] for name, entry in tubes.items()}
        tube_competence = {name: str(entry["competence"]) for name, entry in tubes.items()}
        skills = {
            skill_name(name, level): Skill(
                skill_name(name, level), name, level, tube_competence[name], text
            )
            for name, tube in tube_models.items()
            for level, text in sorted(tube.skills.items())
        }
        bank = cls(
            framework=framework,
            areas=areas,
            competences=competences,
            area_of=area_of,
            tubes=tube_models,
            tube_competence=tube_competence,
            skills=skills,
            challenges={challenge.id: challenge for challenge in challenges},
            tutorials={tutorial.id: tutorial for tutorial in tutorials},
            tips=list(tips),
        )
        served: defaultdict[str, list[Challenge]] = defaultdict(list)
        for challenge in bank.challenges.values():
            if challenge.status is Status.VALIDATED:
                served[challenge.skill].append(challenge)
        bank._served = dict(served)
        by_skill: defaultdict[tuple[str, str], list[Tutorial]] = defaultdict(list)
        for tutorial in bank.tutorials.values():
            for skill in tutorial.skills:
                by_skill[(skill, tutorial.language)].append(tutorial)
        bank._tutorials_by_skill = dict(by_skill)
        return bank

    def with_irt(self, overrides: Mapping[str, tuple[float, float]]) -> ContentBank:
        """A copy whose challenges carry calibrated (difficulty, discrimination)."""
        if not overrides:
            return self
        challenges = [
            challenge.model_copy(
                update={"irt": Irt(difficulty=overrides[cid][0], discrimination=overrides[cid][1])}
            )
            if cid in overrides and overrides[cid][1] > 0
            else challenge
            for cid, challenge in self.challenges.items()
        ]
        tubes = {
            name: {"competence": self.tube_competence[name], "tube": tube}
            for name, tube in self.tubes.items()
        }
        return ContentBank.build(
            self.framework, tubes, challenges, self.tutorials.values(), self.tips
        )

    def tutorial_ref(self, tutorial_id: str) -> str:
        """A short, stable reference that fits in a button's 64 bytes."""
        return hashlib.sha1(tutorial_id.encode(), usedforsecurity=False).hexdigest()[:10]

    def tutorial_by_ref(self, ref: str) -> Tutorial | None:
        if not self._tutorial_refs:
            self._tutorial_refs = {self.tutorial_ref(t): self.tutorials[t] for t in self.tutorials}
        return self._tutorial_refs.get(ref)

    def challenges_of(self, skill: str) -> list[Challenge]:
        """Validated challenges of a skill: the only ones ever served."""
        return self._served.get(skill, [])

    def assessable_skills(self, competence: str) -> list[Skill]:
        """Skills of a competence that have at least one validated challenge."""
        return [
            skill
            for skill in self.skills.values()
            if skill.competence == competence and self._served.get(skill.name)
        ]

    def competence_skills(self, competence: str) -> list[Skill]:
        return [skill for skill in self.skills.values() if skill.competence == competence]

    def tutorials_for(self, skill: str, language: str) -> list[Tutorial]:
        """Tutorials of a skill in the content language, falling back to the others."""
        found = self._tutorials_by_skill.get((skill, content_language(language)), [])
        if found:
            return found
        for other in CONTENT_LANGUAGES:
            found = self._tutorials_by_skill.get((skill, other), [])
            if found:
                return found
        return []

    def competences_of(self, area: str) -> list[Competence]:
        return list(self.areas[area].competences)

    def competence_name(self, code: str, language: str) -> str:
        return self.competences[code].name.get(language)

    def competence_short(self, code: str, language: str) -> str:
        """At most 16 characters: for buttons and the profile picture."""
        return self.competences[code].short.get(language)

    def area_short(self, code: str, language: str) -> str:
        return self.areas[code].short.get(language)

    def level_meaning(self, code: str, level: int, language: str) -> str | None:
        """One line on what ``level`` means for this competence; None for level 0."""
        meaning = self.competences[code].levels.of_level(level)
        return None if meaning is None else meaning.get(language)


def content_language(language: str) -> str:
    """Content exists in English and French; other interface languages read English."""
    return language if language in CONTENT_LANGUAGES else "en"
