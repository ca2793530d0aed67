"""Pydantic models of the content bank: framework, challenges, tutorials and tips.

These are plain data: the learning core reads them, the loader builds and validates them.
Texts that a learner sees are keyed by content language (``en``, ``fr``).
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator, model_validator

from content.units import UNITS

CONTENT_LANGUAGES: Final = ("en", "fr")
INTERFACE_LANGUAGES: Final = ("en", "fr", "sv")
MAX_LEVEL: Final = 8
LEVEL_GROUPS: Final = ("novice", "independent", "advanced", "expert")  # two levels each
SHORT_NAME_LIMIT: Final = 16  # Telegram cuts a button past ~30 characters on a phone
LEVEL_MEANING_LIMIT: Final = 110

# Telegram limits the content must respect (Bot API: message text, quiz polls).
MESSAGE_LIMIT: Final = 4096
PROMPT_LIMIT: Final = 1500  # a challenge must fit a phone screen with its options
OPTION_LIMIT: Final = 100  # also the quiz-poll option limit
POLL_QUESTION_LIMIT: Final = 300
POLL_EXPLANATION_LIMIT: Final = 200
EXPLANATION_LIMIT: Final = 400
TIP_LIMIT: Final = 600

SKILL_PATTERN: Final = re.compile(r"^@([A-Za-z][A-Za-z0-9]*)([1-8])$")
Lang = Literal["en", "fr"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Names(Strict):
    """A name in every interface language."""

    en: str = Field(min_length=1, max_length=120)
    fr: str = Field(min_length=1, max_length=120)
    sv: str = Field(min_length=1, max_length=120)

    def get(self, language: str) -> str:
        return str(getattr(self, language, self.en))


def _check_short(short: Names) -> Names:
    for language in INTERFACE_LANGUAGES:
        text = short.get(language)
        if len(text) > SHORT_NAME_LIMIT:
            raise ValueError(
                f"{language}: short name {text!r} has {len(text)} characters,"
                f" at most {SHORT_NAME_LIMIT} (a button is cut on a phone)"
            )
    return short


class LevelMeanings(Strict):
    """What a level of one competence means, per Pix level group, said to the learner."""

    novice: Names  # levels 1-2
    independent: Names  # levels 3-4
    advanced: Names  # levels 5-6
    expert: Names  # levels 7-8

    @model_validator(mode="after")
    def _check_lengths(self) -> LevelMeanings:
        for group in LEVEL_GROUPS:
            for language in INTERFACE_LANGUAGES:
                text = getattr(self, group).get(language)
                if len(text) > LEVEL_MEANING_LIMIT:
                    raise ValueError(
                        f"{group}.{language}: {len(text)} characters,"
                        f" at most {LEVEL_MEANING_LIMIT} (one line under a result)"
                    )
        return self

    def of_level(self, level: int) -> Names | None:
        """The meaning of ``level`` (1..8); None for level 0, where nothing is validated."""
        group = level_group(level)
        return None if group is None else getattr(self, group)


class Competence(Strict):
    code: str = Field(pattern=r"^[1-5]\.[1-4]$")
    name: Names
    short: Names  # for buttons and the profile picture
    levels: LevelMeanings

    _short_fits = field_validator("short")(_check_short)


class Area(Strict):
    code: str = Field(pattern=r"^[1-5]$")
    name: Names
    short: Names
    competences: list[Competence] = Field(min_length=1)

    _short_fits = field_validator("short")(_check_short)


class Framework(Strict):
    areas: list[Area] = Field(min_length=1)

    @model_validator(mode="after")
    def _check_unique_shorts(self) -> Framework:
        competences = [c for area in self.areas for c in area.competences]
        for kind, items in (("area", self.areas), ("competence", competences)):
            for language in INTERFACE_LANGUAGES:
                seen: dict[str, str] = {}
                for item in items:
                    key = item.short.get(language).casefold()
                    if key in seen:
                        raise ValueError(
                            f"{language}: {kind}s {seen[key]} and {item.code} share the short"
                            f" name {item.short.get(language)!r}"
                        )
                    seen[key] = item.code
        return self


def level_group(level: int) -> str | None:
    """The Pix level group of a level: 1-2 novice, 3-4 independent, 5-6 advanced, 7-8 expert."""
    if not 1 <= level <= MAX_LEVEL:
        return None
    return LEVEL_GROUPS[(level - 1) // 2]


class SkillText(Strict):
    en: str = Field(min_length=1, max_length=200)
    fr: str = Field(min_length=1, max_length=200)
    # Challenges are in English and French only; the framework's names are in every interface
    # language, so a Swedish learner reads their results in Swedish.
    sv: str | None = Field(None, min_length=1, max_length=200)

    def text(self, language: str) -> str:
        """This text in ``language``, English where it has none."""
        found: str | None = getattr(self, language, None)
        return found or self.en


class Tube(Strict):
    """A topic inside a competence; its skills are ``@<name><level>``."""

    name: str = Field(pattern=r"^[a-z][A-Za-z0-9]*$", max_length=40)
    title: SkillText
    ai: bool = False  # about AI (DigComp 2.2's AI examples): counted apart by the stats
    # What a learner can do at each level of this tube (the skill's description).
    skills: dict[Annotated[int, Field(ge=1, le=MAX_LEVEL)], SkillText] = Field(min_length=1)


class ChallengeType(StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    TEXT = "text"
    FIELDS = "fields"


class Status(StrEnum):
    DRAFT = "draft"
    VALIDATED = "validated"
    ARCHIVED = "archived"


class Tolerance(StrEnum):
    T1 = "t1"  # case, accents, whitespace
    T2 = "t2"  # punctuation
    T3 = "t3"  # typos (edit distance ratio <= 0.25)


class AnswerFormat(StrEnum):
    TEXT = "text"
    NUMBER = "number"


class FieldText(Strict):
    label: str = Field(min_length=1, max_length=OPTION_LIMIT)
    accept: list[str] = Field(min_length=1)
    unit: str | None = None  # number fields: the unit a learner may type after it (content/units)


class ChallengeText(Strict):
    """Everything a learner reads in one language."""

    prompt: str = Field(min_length=1, max_length=PROMPT_LIMIT)
    options: list[Annotated[str, Field(min_length=1, max_length=OPTION_LIMIT)]] = []
    accept: list[str] = []  # text challenges: accepted variants
    fields: list[FieldText] = []  # fields challenges: one per field
    explanation: str = Field(default="", max_length=EXPLANATION_LIMIT)


class Irt(Strict):
    difficulty: float
    discrimination: float = Field(default=1.0, gt=0)


class Challenge(Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{2,40}$")
    skill: str = Field(pattern=SKILL_PATTERN.pattern)
    type: ChallengeType
    status: Status = Status.VALIDATED
    # single: 1-based index of the right option; multiple: 1-based indexes of all right options.
    answer: int | list[int] | None = None
    tolerances: list[Tolerance] = [Tolerance.T1, Tolerance.T2, Tolerance.T3]
    format: AnswerFormat = AnswerFormat.TEXT
    unit: str | None = None  # number items: the unit a learner may type after it (content/units)
    shuffle: bool = True  # options shown in a random order per learner
    poll_eligible: bool = False
    # Set at work (a colleague, a supplier, a work drive or phone, remote work): issue 18 wants
    # the workforce to meet its own situations, and `content stats` counts them.
    at_work: bool = False
    irt: Irt | None = None
    en: ChallengeText | None = None
    fr: ChallengeText | None = None

    @property
    def tube(self) -> str:
        return skill_tube(self.skill)

    @property
    def level(self) -> int:
        return skill_level(self.skill)

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(lang for lang in CONTENT_LANGUAGES if getattr(self, lang) is not None)

    def text(self, language: str) -> ChallengeText:
        """The text in ``language``, falling back to English then to any language."""
        found = getattr(self, language, None) or self.en or self.fr
        assert found is not None  # the validator requires at least one language
        return found

    @property
    def right_indexes(self) -> frozenset[int]:
        """0-based indexes of the right options (choice challenges)."""
        if self.answer is None:
            return frozenset()
        values = [self.answer] if isinstance(self.answer, int) else self.answer
        return frozenset(value - 1 for value in values)

    @model_validator(mode="after")
    def _check_shape(self) -> Challenge:
        texts = [getattr(self, lang) for lang in self.languages]
        if not texts:
            raise ValueError("a challenge needs a text in at least one language (en, fr)")
        if self.type is ChallengeType.SINGLE and not isinstance(self.answer, int):
            raise ValueError("a single-choice challenge needs `answer: N` (1-based option index)")
        if self.type is ChallengeType.MULTIPLE:
            if not isinstance(self.answer, list) or not self.answer:
                raise ValueError("a multiple-choice challenge needs `answer: [N, ...]`")
            if len(set(self.answer)) != len(self.answer):
                raise ValueError("`answer` repeats an option index")
        if self.type in (ChallengeType.TEXT, ChallengeType.FIELDS) and self.answer is not None:
            raise ValueError(f"a {self.type} challenge takes `accept`/`fields`, not `answer`")
        for lang in self.languages:
            self._check_text(lang, getattr(self, lang))
        counts = {len(text.options) for text in texts} | set()
        if len(counts) > 1:
            raise ValueError("the languages have different numbers of options")
        field_counts = {len(text.fields) for text in texts}
        if len(field_counts) > 1:
            raise ValueError("the languages have different numbers of fields")
        self._check_units(texts)
        if self.poll_eligible:
            self._check_poll()
        return self

    def _check_units(self, texts: list[ChallengeText]) -> None:
        units = [self.unit] + [field.unit for text in texts for field in text.fields]
        if any(units) and self.format is not AnswerFormat.NUMBER:
            raise ValueError("`unit` is for number items (`format: number`)")
        for unit in units:
            if unit is not None and unit not in UNITS:
                raise ValueError(f"unknown unit {unit!r}: one of {', '.join(UNITS)}")
        if self.unit is not None and self.type is not ChallengeType.TEXT:
            raise ValueError("a fields challenge names its units per field")
        per_field = {tuple(field.unit for field in text.fields) for text in texts}
        if len(per_field) > 1:
            raise ValueError("the languages name different units for the fields")

    def _check_text(self, lang: str, text: ChallengeText) -> None:
        where = f"{lang}: "
        if self.type in (ChallengeType.SINGLE, ChallengeType.MULTIPLE):
            if not 2 <= len(text.options) <= 10:
                raise ValueError(where + "a choice challenge needs 2 to 10 options")
            if len({option.strip().casefold() for option in text.options}) != len(text.options):
                raise ValueError(where + "an option is repeated")
            for index in self.right_indexes:
                if not 0 <= index < len(text.options):
                    raise ValueError(
                        where + f"answer index {index + 1} is out of range 1..{len(text.options)}"
                    )
            if text.accept or text.fields:
                raise ValueError(where + "a choice challenge takes `options`, not accept/fields")
        elif self.type is ChallengeType.TEXT:
            if not text.accept:
                raise ValueError(where + "a text challenge needs `accept: [...]`")
            if text.options or text.fields:
                raise ValueError(where + "a text challenge takes `accept`, not options/fields")
            self._check_numbers(where, text.accept)
        else:
            if len(text.fields) < 2:
                raise ValueError(where + "a fields challenge needs at least 2 `fields`")
            if text.options or text.accept:
                raise ValueError(where + "a fields challenge takes `fields`, not options/accept")
            for field in text.fields:
                self._check_numbers(where, field.accept)

    def _check_numbers(self, where: str, accepted: list[str]) -> None:
        if self.format is AnswerFormat.NUMBER:
            for value in accepted:
                if parse_number(value) is None:
                    raise ValueError(where + f"accepted answer {value!r} is not a number")

    def _check_poll(self) -> None:
        if self.type is not ChallengeType.SINGLE:
            raise ValueError("only single-choice challenges can be poll_eligible")
        for lang in self.languages:
            text: ChallengeText = getattr(self, lang)
            if len(text.prompt) > POLL_QUESTION_LIMIT:
                raise ValueError(f"{lang}: a poll question is at most {POLL_QUESTION_LIMIT} chars")
            if len(text.explanation) > POLL_EXPLANATION_LIMIT:
                raise ValueError(
                    f"{lang}: a poll explanation is at most {POLL_EXPLANATION_LIMIT} chars"
                )


def require_https(url: HttpUrl, what: str) -> HttpUrl:
    if url.scheme != "https":
        raise ValueError(f"{what} must use https")
    return url


class TutorialFormat(StrEnum):
    PAGE = "page"
    VIDEO = "video"
    COURSE = "course"
    GAME = "game"
    PDF = "pdf"
    TOOL = "tool"


class Tutorial(Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{2,60}$")
    url: HttpUrl
    title: str = Field(min_length=1, max_length=200)
    source: str = Field(min_length=1, max_length=120)
    format: TutorialFormat = TutorialFormat.PAGE
    duration: str = Field(pattern=r"^\d{2}:[0-5]\d:[0-5]\d$")  # HH:MM:SS, as Pix
    language: Lang
    skills: list[str] = Field(min_length=1)

    @field_validator("url")
    @classmethod
    def _https_only(cls, url: HttpUrl) -> HttpUrl:
        text = str(require_https(url, "a tutorial URL")).lower()
        if any(marker in text for marker in ("/search?", "?q=", "&q=", "google.com/search")):
            raise ValueError("a tutorial must not be a search-results page")
        return url

    @property
    def minutes(self) -> int:
        hours, minutes, seconds = (int(part) for part in self.duration.split(":"))
        return max(1, hours * 60 + minutes + (1 if seconds >= 30 else 0))


class TipTopic(StrEnum):
    PASSWORDS = "passwords"
    TWO_FACTOR = "two-factor"
    PHISHING = "phishing"
    SCAMS = "scams"
    UPDATES = "updates"
    BACKUPS = "backups"
    PUBLIC_WIFI = "public-wifi"
    SOCIAL_NETWORKS = "social-networks"
    PRIVACY = "privacy"
    DEVICES = "devices"
    CHILDREN_ONLINE = "children-online"
    WELL_BEING = "well-being"
    HARASSMENT = "harassment"
    TEACHING = "teaching"
    INCIDENTS = "incidents"  # reporting one at work; last, so the library's codes stay stable


class Audience(StrEnum):
    EVERYONE = "everyone"
    EDUCATORS = "educators"
    PUPILS = "pupils"
    PROFESSIONALS = "professionals"  # people at work: staff of a company or an administration

    def served(self) -> frozenset[Audience]:
        """The tips this audience is served: its own and those for everyone. The library's
        filter and a group's audience both mean this (issue 20)."""
        return frozenset({Audience.EVERYONE, self})


class TipLevel(StrEnum):
    BASIC = "basic"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"
    EXPERT = "expert"


class TipSource(Strict):
    name: str = Field(min_length=1, max_length=120)
    url: HttpUrl

    @field_validator("url")
    @classmethod
    def _https_only(cls, url: HttpUrl) -> HttpUrl:
        return require_https(url, "a source URL")


class TipText(Strict):
    title: str = Field(min_length=1, max_length=80)
    text: str = Field(min_length=1, max_length=TIP_LIMIT)
    # A source in this text's language, where the tip's own is in another (an English reader
    # gets the NCSC's page, a French one Cybermalveillance's).
    source: TipSource | None = None


class Tip(Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{2,40}$")
    audience: Audience = Audience.EVERYONE
    level: TipLevel = TipLevel.BASIC
    source: TipSource
    en: TipText | None = None
    fr: TipText | None = None
    topic: TipTopic | None = None  # filled from the file's topic

    def text(self, language: str) -> TipText:
        found = getattr(self, language, None) or self.en or self.fr
        assert found is not None
        return found

    def source_in(self, language: str) -> TipSource:
        """The source a reader of ``language`` is sent to."""
        return self.text(language).source or self.source


# --- file shapes -------------------------------------------------------------------------


class CompetenceFile(Strict):
    """``content/competences/<code>.yaml``: the tubes and challenges of one competence."""

    competence: str = Field(pattern=r"^[1-5]\.[1-4]$")
    tubes: list[Tube] = Field(min_length=1)
    # Validated one by one by the loader, so one broken challenge hides no other problem.
    challenges: list[dict[str, Any]] = []


class TutorialFile(Strict):
    """``content/tutorials/*.yaml``: part of the tutorial catalogue."""

    tutorials: list[Tutorial] = Field(min_length=1)


class TipFile(Strict):
    """``content/tips/<topic>.yaml``: tips of one topic."""

    topic: TipTopic
    tips: list[Tip] = Field(min_length=1)


# --- helpers shared by the loader and the core ------------------------------------------


def skill_tube(skill: str) -> str:
    match = SKILL_PATTERN.match(skill)
    if match is None:
        raise ValueError(f"not a skill name: {skill!r}")
    return match.group(1)


def skill_level(skill: str) -> int:
    match = SKILL_PATTERN.match(skill)
    if match is None:
        raise ValueError(f"not a skill name: {skill!r}")
    return int(match.group(2))


def skill_name(tube: str, level: int) -> str:
    return f"@{tube}{level}"


_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")


def parse_number(text: str) -> float | None:
    """A number typed by a person: spaces as thousands separators, comma or dot decimals."""
    cleaned = text.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    if not _NUMBER.match(cleaned):
        return None
    return float(cleaned.replace(",", "."))
