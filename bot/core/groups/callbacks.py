"""The group settings' buttons (administrators only): ``grp:<action>[.<value>]``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from bot.core.callbacks import CallbackData, kind, whole
from bot.core.timezones import COMMON
from content.models import TipTopic

PREFIX: Final = "grp:"
AUDIENCES: Final = ("everyone", "pupils", "educators", "professionals")
LEVELS: Final = ("basic", "intermediate", "advanced", "expert")


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
class Audiences(CallbackData, prefix="grp:aud"):
    pass


@kind
@dataclass(frozen=True)
class ChooseAudience(CallbackData, prefix="grp:aud", separator="."):
    index: int = whole(len(AUDIENCES))


@kind
@dataclass(frozen=True)
class Levels(CallbackData, prefix="grp:lvl"):
    pass


@kind
@dataclass(frozen=True)
class ChooseLevel(CallbackData, prefix="grp:lvl", separator="."):
    index: int = whole(len(LEVELS))


@kind
@dataclass(frozen=True)
class QuizOpen(CallbackData, prefix="grp:open", separator="."):
    hours: int = whole(24)  # 0: until the end of the day


@kind
@dataclass(frozen=True)
class ToggleSchoolDays(CallbackData, prefix="grp:days"):
    pass


@kind
@dataclass(frozen=True)
class Pauses(CallbackData, prefix="grp:pause"):
    pass


@kind
@dataclass(frozen=True)
class Pause(CallbackData, prefix="grp:pause", separator="."):
    weeks: int = whole(10)  # 0: resume now


@kind
@dataclass(frozen=True)
class ToggleBoard(CallbackData, prefix="grp:board"):
    pass


@kind
@dataclass(frozen=True)
class ToggleAnonymous(CallbackData, prefix="grp:anon"):
    pass


@kind
@dataclass(frozen=True)
class SendNow(CallbackData, prefix="grp:now", separator="."):
    quiz: int = whole(2)  # 0: a tip, 1: a quiz


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
    | QuizOpen
    | NextLanguage
    | Audiences
    | ChooseAudience
    | Levels
    | ChooseLevel
    | GroupTimeZones
    | GroupTimeZone
    | Topics
    | ToggleTopic
    | ToggleSchoolDays
    | Pauses
    | Pause
    | ToggleBoard
    | ToggleAnonymous
    | SendNow
)
GROUP_KINDS: Final = (
    ShowSettings,
    ToggleTip,
    ToggleQuiz,
    TipHours,
    QuizHours,
    TipHour,
    QuizHour,
    QuizOpen,
    NextLanguage,
    Audiences,
    ChooseAudience,
    Levels,
    ChooseLevel,
    GroupTimeZones,
    GroupTimeZone,
    Topics,
    ToggleTopic,
    ToggleSchoolDays,
    Pauses,
    Pause,
    ToggleBoard,
    ToggleAnonymous,
    SendNow,
)
