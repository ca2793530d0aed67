"""The group settings' buttons (administrators only): ``grp:<action>[.<value>]``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from bot.core.callbacks import CallbackData, kind, whole
from bot.core.timezones import COMMON
from content.models import TipTopic

PREFIX: Final = "grp:"


@kind
@dataclass(frozen=True)
class ShowSettings(CallbackData, prefix="grp:show"):
    pass


@kind
@dataclass(frozen=True)
class ToggleTip(CallbackData, prefix="grp:tip"):
    pass


@kind
@dataclass(frozen=True)
class ToggleQuiz(CallbackData, prefix="grp:quiz"):
    pass


@kind
@dataclass(frozen=True)
class TipHours(CallbackData, prefix="grp:tiph"):
    pass


@kind
@dataclass(frozen=True)
class QuizHours(CallbackData, prefix="grp:quizh"):
    pass


@kind
@dataclass(frozen=True)
class TipHour(CallbackData, prefix="grp:tiph", separator="."):
    hour: int = whole(24)


@kind
@dataclass(frozen=True)
class QuizHour(CallbackData, prefix="grp:quizh", separator="."):
    hour: int = whole(24)


@kind
@dataclass(frozen=True)
class NextLanguage(CallbackData, prefix="grp:lang"):
    pass


@kind
@dataclass(frozen=True)
class NextAudience(CallbackData, prefix="grp:aud"):
    pass


@kind
@dataclass(frozen=True)
class NextLevel(CallbackData, prefix="grp:lvl"):
    pass


@kind
@dataclass(frozen=True)
class GroupTimeZones(CallbackData, prefix="grp:tz"):
    pass


@kind
@dataclass(frozen=True)
class GroupTimeZone(CallbackData, prefix="grp:tz", separator="."):
    index: int = whole(len(COMMON))


@kind
@dataclass(frozen=True)
class Topics(CallbackData, prefix="grp:topics"):
    pass


@kind
@dataclass(frozen=True)
class ToggleTopic(CallbackData, prefix="grp:topic", separator="."):
    index: int = whole(len(TipTopic))


GroupPress = (
    ShowSettings
    | ToggleTip
    | ToggleQuiz
    | TipHours
    | QuizHours
    | TipHour
    | QuizHour
    | NextLanguage
    | NextAudience
    | NextLevel
    | GroupTimeZones
    | GroupTimeZone
    | Topics
    | ToggleTopic
)
GROUP_KINDS: Final = (
    ShowSettings,
    ToggleTip,
    ToggleQuiz,
    TipHours,
    QuizHours,
    TipHour,
    QuizHour,
    NextLanguage,
    NextAudience,
    NextLevel,
    GroupTimeZones,
    GroupTimeZone,
    Topics,
    ToggleTopic,
)
