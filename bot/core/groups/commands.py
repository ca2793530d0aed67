"""Group chats: the introduction, the settings only administrators change, quiz answers and
the weekly leaderboard. The learner flow stays private: nothing is stored about people
chatting in a group, except the quiz answers they choose to give (and who administers it,
for the tips library's "send to my group")."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Collection
from datetime import datetime, timedelta
from enum import Enum
from typing import Final, Literal

from bot.core import callbacks
from bot.core.campaigns.callbacks import CODE_FORMAT
from bot.core.chat import (
    Command,
    Edit,
    Event,
    GroupJoined,
    GroupLeft,
    GroupMigrated,
    Message,
    Outcome,
    Person,
    PollAnswer,
    Press,
)
from bot.core.flood import OncePer
from bot.core.groups.callbacks import (
    AUDIENCES,
    GROUP_KINDS,
    LEVELS,
    PREFIX,
    Audiences,
    ChooseAudience,
    ChooseLevel,
    GroupPress,
    GroupTimeZone,
    GroupTimeZones,
    Levels,
    NextLanguage,
    Pause,
    Pauses,
    QuizHour,
    QuizHours,
    QuizOpen,
    SendNow,
    ShowSettings,
    TipHour,
    TipHours,
    ToggleAnonymous,
    ToggleBoard,
    ToggleQuiz,
    ToggleSchoolDays,
    ToggleTip,
    ToggleTopic,
    Topics,
)
from bot.core.groups.ports import GroupSettings
from bot.core.groups.schedule import HOURS, OPEN_HOURS, PAUSE_WEEKS, pause_end, reschedule
from bot.core.groups.screens import GroupScreens
from bot.core.groups.sends import GroupSends
from bot.core.groups.use_cases import week_start
from bot.core.ports import Clock, Store
from bot.core.registry import NOT_BY_LINK
from bot.core.screens import CommonScreens
from bot.core.timezones import COMMON, default_zone
from bot.core.timezones import parse as parse_zone
from content.models import INTERFACE_LANGUAGES, TipTopic

log = logging.getLogger(__name__)

LEADERBOARD_SIZE: Final = 10


class Panel(Enum):
    SHOWN = "shown"


PANEL: Final = Panel.SHOWN  # what a press shows when it changed a setting: the panel
CLASS_LIST_SIZE: Final = 100  # /leaderboard all: the whole class, within a message's length
GroupCommand = Callable[[Event, str, str], Awaitable[Outcome]]


class GroupSlice:
    def __init__(
        self,
        common: CommonScreens,
        screens: GroupScreens,
        sends: GroupSends,
        clock: Clock,
        language_of: Callable[[Person], str],
        replies: OncePer,
        private_commands: Collection[str] = (),
    ) -> None:
        self.common = common
        self.screens = screens
        self.sends = sends
        self.clock = clock
        self.language_of = language_of
        self.replies = replies  # members' group commands answered once a minute per command
        self.commands: dict[str, GroupCommand] = {
            "start": self.welcome,
            "help": self.welcome,
            "leaderboard": self.leaderboard,
            "groupsettings": self.settings,
            "timezone": self.timezone,
        }
        # A private chat's command (/test, /library, /join CODE…) gets a hint, not silence.
        for name in private_commands:
            self.commands.setdefault(name, self.private_only)

    async def handle(self, event: Event) -> Outcome:
        outcome = await self._route(event)
        # Who administers the group, for the library's "send to my group" (an anonymous
        # administrator is the group itself: nobody to send from a private chat).
        if event.admin and not event.person.chat:
            who, now = event.person.id, self.clock()
            await self.sends.in_store(
                lambda store: store.record_group_admin(event.chat_id, who, now)
            )
        return outcome

    async def _route(self, event: Event) -> Outcome:
        language = self.language_of(event.person)
        in_store = self.sends.in_store
        match event.input:
            case PollAnswer(poll_id=poll_id, option_ids=options):
                await self._poll_answer(event.person, poll_id, options)
                return Outcome()
            case GroupJoined(title=title):
                return await self._joined(event, language, title)
            case GroupLeft():
                await in_store(lambda store: store.set_group_active(event.chat_id, False))
                return Outcome()
            case GroupMigrated(new_chat_id=new_id):
                await in_store(lambda store: store.migrate_group(event.chat_id, new_id))
                return Outcome()
            case Command(name=name, args=args):
                return await self._command(event, language, name, args)
            case Press(data=data):
                return await self._press(event, language, data)
        return Outcome()

    async def _group(self, store: Store, event: Event, language: str) -> GroupSettings:
        group = await store.get_group(event.chat_id)
        if group is None:  # a group that added the bot before it tracked groups
            group = GroupSettings(
                event.chat_id, language=language, timezone=default_zone(language)
            )
            await store.save_group(group, self.clock())
        return group

    async def _joined(self, event: Event, language: str, title: str) -> Outcome:
        async with self.sends.stores() as store:
            group = await store.get_group(event.chat_id)
            if group is None:
                group = GroupSettings(
                    event.chat_id,
                    title=title[:128],
                    language=language,
                    timezone=default_zone(language),
                )
            group.active, group.title = True, title[:128] or group.title
            await store.save_group(group, self.clock())
            await store.commit()
        return Outcome([self.screens.introduction(group.language, event.bot_username)])

    # --- commands ------------------------------------------------------------------------

    async def _command(self, event: Event, language: str, name: str, args: str) -> Outcome:
        action = (event.chat_id, name, args.strip().lower().partition(" ")[0])
        if not event.admin and not self.replies.first(action, self.clock()):
            return Outcome()  # a member's same command was answered here less than a minute ago
        command = self.commands.get(name)
        return Outcome() if command is None else await command(event, language, args)

    async def welcome(self, event: Event, language: str, args: str) -> Outcome:
        return Outcome([self.screens.welcome(language, event.bot_username)])

    async def private_only(self, event: Event, language: str, args: str) -> Outcome:
        assert isinstance(event.input, Command)
        name = event.input.name
        code = args.strip().upper()
        if name == "join" and CODE_FORMAT.fullmatch(code):
            link = code  # the campaign's own link: one tap joins it
        else:
            link = "go" if name in NOT_BY_LINK else name
        return Outcome([self.screens.private_only(language, event.bot_username, name, link)])

    async def settings(self, event: Event, language: str, args: str) -> Outcome:
        if not event.admin:
            return Outcome([Message(self.screens.admins_only(language))])
        async with self.sends.stores() as store:
            group = await self._group(store, event, language)
            panel = await self._panel(store, group, self.clock())
            await store.commit()
        return Outcome([panel])

    async def timezone(self, event: Event, language: str, args: str) -> Outcome:
        """/timezone <city or IANA name>: a zone not on the panel's short list."""
        if not event.admin:
            return Outcome([Message(self.screens.admins_only(language))])
        async with self.sends.stores() as store:
            group = await self._group(store, event, language)
            found = parse_zone(args) if args.strip() else None
            if found is None:
                await store.commit()
                if args.strip():
                    log.info("group %s: time zone not found: %r", event.chat_id, args[:80])
                    return Outcome([Message(self.screens.zone_unknown(group.language, args))])
                return Outcome([self.screens.timezones(group)])
            group.timezone = found
            now = self.clock()
            reschedule(group, now)
            await store.save_group(group, now)
            panel = await self._panel(store, group, now)
            await store.commit()
        return Outcome([panel])

    async def leaderboard(self, event: Event, language: str, args: str) -> Outcome:
        """This week's board (last week's until this week has answers, as on a Monday), the
        last quiz's result; ``all`` for the whole class (administrators)."""
        args = args.strip().lower()
        if args in ("hide", "show"):
            hidden, who = args == "hide", event.person.id
            await self.sends.in_store(
                lambda store: store.set_leaderboard_hidden(who, hidden, self.clock())
            )
            return Outcome([Message(self.screens.hidden_set(language, hidden))])
        size = CLASS_LIST_SIZE if args == "all" and event.admin else LEADERBOARD_SIZE
        now = self.clock()
        async with self.sends.stores() as store:
            group = await self._group(store, event, language)
            last_quiz = await store.last_closed_quiz(event.chat_id)
            rows, last_week = [], False
            if not group.quiz_anonymous:
                since = week_start(group.timezone, now)
                rows = await store.leaderboard(event.chat_id, since, now, size)
                if not rows:
                    before = week_start(group.timezone, since - timedelta(days=1))
                    rows = await store.leaderboard(event.chat_id, before, since, size)
                    last_week = bool(rows)
            await store.commit()
        return Outcome(
            [
                self.screens.leaderboard_with(
                    group, rows, last_week, last_quiz, event.admin and size < CLASS_LIST_SIZE
                )
            ]
        )

    async def _poll_answer(self, person: Person, poll_id: str, options: tuple[int, ...]) -> None:
        if not options:  # a retracted vote: the first answer stands
            return
        async with self.sends.stores() as store:
            poll = await store.get_poll(poll_id)
            if poll is None:
                return
            correct = options[0] == poll.correct_option
            await store.record_poll_answer(
                poll_id, person.id, person.first_name, correct, self.clock()
            )
            await store.commit()

    # --- the settings' buttons -----------------------------------------------------------

    async def _press(self, event: Event, language: str, data: str) -> Outcome:
        if not data.startswith(PREFIX):
            log.info("button not ours in group %s: %r", event.chat_id, data[:80])
            return Outcome(notice=self.common.closed(language))
        if not event.admin:
            return Outcome(notice=self.screens.admins_only(language))
        parsed = callbacks.parse(data)
        async with self.sends.stores() as store:
            group = await self._group(store, event, language)
            if isinstance(parsed, SendNow):
                await store.commit()
                return await self._send_now(group, "quiz" if parsed.quiz else "tip")
            now = self.clock()
            screen = self.apply(group, parsed, now) if isinstance(parsed, GROUP_KINDS) else None
            if screen is None:
                log.info("group button not ours from user %s: %r", event.person.id, data[:80])
                return Outcome(notice=self.common.closed(language))
            reschedule(group, now)
            await store.save_group(group, now)
            if screen is PANEL:
                screen = await self._panel(store, group, now)
            await store.commit()
        return Outcome(edits=[Edit(None, screen.text, screen.buttons)])

    async def _panel(self, store: Store, group: GroupSettings, now: datetime) -> Message:
        """The settings panel, with the group's last closed quiz's result."""
        return self.screens.settings(group, now, await store.last_closed_quiz(group.chat_id))

    async def _send_now(self, group: GroupSettings, kind: str) -> Outcome:
        """📤: a tip or quiz posted now through the delivery engine, to check the setup."""
        planned = await self.sends.send_now(group, kind)
        return Outcome(notice=self.screens.sent_now(group.language, kind, planned))

    def apply(
        self, group: GroupSettings, data: GroupPress, now: datetime
    ) -> Message | Literal[Panel.SHOWN] | None:
        """Change one setting; the screen to show next (``PANEL``: the settings panel, which
        the caller completes with the last quiz's result), or None for a value not offered."""
        screens = self.screens
        match data:
            case ShowSettings():
                pass
            case ToggleTip():
                group.tip_enabled = not group.tip_enabled
            case ToggleQuiz():
                group.quiz_enabled = not group.quiz_enabled
            case TipHours() | QuizHours():
                return screens.hours(group, quiz=isinstance(data, QuizHours))
            case TipHour(hour=hour) if hour in HOURS:
                group.tip_hour, group.tip_enabled = hour, True
            case QuizHour(hour=hour) if hour in HOURS:
                group.quiz_hour, group.quiz_enabled = hour, True
            case QuizOpen(hours=hours) if hours in OPEN_HOURS:
                group.quiz_open_hours = hours
                return screens.hours(group, quiz=True)
            case NextLanguage():
                languages = list(INTERFACE_LANGUAGES)
                group.language = languages[(languages.index(group.language) + 1) % len(languages)]
            case Audiences() | Levels():
                return screens.choices(group, audience=isinstance(data, Audiences))
            case ChooseAudience(index=index):
                group.audience = AUDIENCES[index]
            case ChooseLevel(index=index):
                group.level = LEVELS[index]
            case ToggleSchoolDays():
                group.school_days = not group.school_days
            case Pauses():
                return screens.pauses(group, now)
            case Pause(weeks=0):
                group.paused_until = None
            case Pause(weeks=weeks) if weeks in PAUSE_WEEKS:
                group.paused_until = pause_end(group, now, weeks)
            case ToggleBoard():
                group.weekly_board = not group.weekly_board
            case ToggleAnonymous():
                group.quiz_anonymous = not group.quiz_anonymous
            case GroupTimeZones():
                return screens.timezones(group)
            case GroupTimeZone(index=index):
                group.timezone = COMMON[index]
            case Topics():
                return screens.topics(group)
            case ToggleTopic(index=index):
                topic = list(TipTopic)[index].value
                group.topics = sorted(set(group.topics) ^ {topic})
                return screens.topics(group)
            case _:
                return None
        return PANEL
