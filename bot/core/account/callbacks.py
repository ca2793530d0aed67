"""Settings, language, time zone, reminder, erasing one's data."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.callbacks import CODE, LONGEST_CODE, CallbackData, kind, text, whole
from bot.core.timezones import COMMON


@kind
@dataclass(frozen=True)
class Settings(CallbackData, prefix="settings"):
    pass


@kind
@dataclass(frozen=True)
class Languages(CallbackData, prefix="language"):
    pass


@kind
@dataclass(frozen=True)
class SetLanguage(CallbackData, prefix="lang"):
    code: str = text(CODE, LONGEST_CODE)


@kind
@dataclass(frozen=True)
class TimeZones(CallbackData, prefix="zones"):
    pass


@kind
@dataclass(frozen=True)
class TimeZone(CallbackData, prefix="tz"):
    index: int = whole(len(COMMON))


@kind
@dataclass(frozen=True)
class ReminderScreen(CallbackData, prefix="reminder"):
    pass


@kind
@dataclass(frozen=True)
class Remind(CallbackData, prefix="remind"):
    choice: str = text("on|off", "off")


@kind
@dataclass(frozen=True)
class ReminderHour(CallbackData, prefix="hour"):
    hour: int = whole(24)


@kind
@dataclass(frozen=True)
class EraseConfirmed(CallbackData, prefix="erase:yes"):
    pass
