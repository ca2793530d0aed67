"""Group chats: the introduction, the settings only administrators change, the daily tip and
quiz planned into the delivery queue, quiz answers and the weekly leaderboard. Mixed into
Conversation. The learner flow stays private: nothing is stored about people chatting in a
group, except the quiz answers they choose to give (and who administers it, for the tips
library's "send to my group")."""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable
from datetime import datetime, time, timedelta
from typing import Any, Final

from bot.core import callbacks
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
from bot.core.group_ports import GroupSettings, QuizPoll
from bot.core.group_screens import AUDIENCES, HOURS, LEVELS, GroupScreens
from bot.core.ports import Clock, Store, StoreFactory
from bot.core.reminders import next_reminder
from bot.core.screens import Screens
from bot.core.timezones import COMMON, zone
from content.bank import ContentBank
from content.models import INTERFACE_LANGUAGES, Audience, Challenge, ChallengeType, Tip, TipTopic

log = logging.getLogger(__name__)

LEADERBOARD_SIZE: Final = 10
QUIZ_LEVELS: Final = {
    "basic": (1, 2),
    "intermediate": (3, 4),
    "advanced": (5, 6),
    "expert": (6, 8),
}
AUDIENCE_TIPS: Final = {
    "everyone": {Audience.EVERYONE},
    "pupils": {Audience.EVERYONE, Audience.PUPILS},
    "educators": {Audience.EVERYONE, Audience.EDUCATORS},
}


class GroupFlows:
    bank: ContentBank
    clock: Clock
    stores: StoreFactory
    views: Screens
    group_views: GroupScreens
    group_replies: OncePer  # members' group commands answered once a minute per command
    language_of: Callable[[Person], str]  # provided by Conversation

    async def _group_event(self, event: Event) -> Outcome:
        outcome = await self._group_route(event)
        if event.admin:  # who administers the group, for the library's "send to my group"
            who, now = event.person.id, self.clock()
            await self._in_store(lambda store: store.record_group_admin(event.chat_id, who, now))
        return outcome

    async def _group_route(self, event: Event) -> Outcome:
        language = self.language_of(event.person)
        match event.input:
            case PollAnswer(poll_id=poll_id, option_ids=options):
                await self._poll_answer(event.person, poll_id, options)
                return Outcome()
            case GroupJoined(title=title):
                return await self._joined(event, language, title)
            case GroupLeft():
                await self._in_store(lambda store: store.set_group_active(event.chat_id, False))
                return Outcome()
            case GroupMigrated(new_chat_id=new_id):
                await self._in_store(lambda store: store.migrate_group(event.chat_id, new_id))
                return Outcome()
            case Command(name=name, args=args):
                return await self._group_command(event, language, name, args)
            case Press(data=data):
                return await self._group_press(event, language, data)
        return Outcome()

    async def _in_store(self, action: Callable[[Store], Awaitable[object]]) -> None:
        async with self.stores() as store:
            await action(store)
            await store.commit()

    async def _group(self, store: Store, event: Event, language: str) -> GroupSettings:
        group = await store.get_group(event.chat_id)
        if group is None:  # a group that added the bot before it tracked groups
            group = GroupSettings(event.chat_id, language=language)
            await store.save_group(group, self.clock())
        return group

    async def _joined(self, event: Event, language: str, title: str) -> Outcome:
        async with self.stores() as store:
            group = await store.get_group(event.chat_id)
            if group is None:
                group = GroupSettings(event.chat_id, title=title[:128], language=language)
            group.active, group.title = True, title[:128] or group.title
            await store.save_group(group, self.clock())
            await store.commit()
        return Outcome([self.group_views.introduction(group.language, event.bot_username)])

    async def _group_command(self, event: Event, language: str, name: str, args: str) -> Outcome:
        action = (event.chat_id, name, args.strip().lower().partition(" ")[0])
        if not event.admin and not self.group_replies.first(action, self.clock()):
            return Outcome()  # a member's same command was answered here less than a minute ago
        if name in ("start", "help"):
            return Outcome([self.views.group_welcome(language, event.bot_username)])
        if name == "leaderboard":
            return await self._leaderboard(event, language, args.strip().lower())
        if name == "groupsettings":
            if not event.admin:
                return Outcome([Message(self.group_views.admins_only(language))])
            async with self.stores() as store:
                group = await self._group(store, event, language)
                await store.commit()
            return Outcome([self.group_views.settings(group)])
        return Outcome()

    async def _group_press(self, event: Event, language: str, data: str) -> Outcome:
        action = data.removeprefix("grp:") if data.startswith("grp:") else None
        if action is None:
            log.info("button not ours in group %s: %r", event.chat_id, data[:80])
            return Outcome(notice=self.views.closed(language))
        if not event.admin:
            return Outcome(notice=self.group_views.admins_only(language))
        async with self.stores() as store:
            group = await self._group(store, event, language)
            screen = self._apply(group, action)
            if screen is None:
                log.info("group button not ours from user %s: %r", event.person.id, data[:80])
                return Outcome(notice=self.views.closed(language))
            self._reschedule_group(group)
            await store.save_group(group, self.clock())
            await store.commit()
        return Outcome(edits=[Edit(None, screen.text, screen.buttons)])

    def _apply(self, group: GroupSettings, action: str) -> Message | None:
        """Change one setting; the screen to show next, or None for an unknown action."""
        what, _, value = action.partition(".")
        views = self.group_views
        if what == "show":
            return views.settings(group)
        if what == "tip":
            group.tip_enabled = not group.tip_enabled
        elif what == "quiz":
            group.quiz_enabled = not group.quiz_enabled
        elif what in ("tiph", "quizh") and not value:
            return views.hours(group, what)
        elif what in ("tiph", "quizh") and (hour := callbacks.number(value, 24)) in HOURS:
            if what == "tiph":
                group.tip_hour, group.tip_enabled = hour, True
            else:
                group.quiz_hour, group.quiz_enabled = hour, True
        elif what == "lang":
            languages = list(INTERFACE_LANGUAGES)
            group.language = languages[(languages.index(group.language) + 1) % len(languages)]
        elif what == "aud":
            group.audience = AUDIENCES[(AUDIENCES.index(group.audience) + 1) % len(AUDIENCES)]
        elif what == "lvl":
            group.level = LEVELS[(LEVELS.index(group.level) + 1) % len(LEVELS)]
        elif what == "tz" and not value:
            return views.timezones(group)
        elif what == "tz" and (zone_index := callbacks.number(value, len(COMMON))) is not None:
            group.timezone = COMMON[zone_index]
        elif what == "topics":
            return views.topics(group)
        elif what == "topic" and (index := callbacks.number(value, len(TipTopic))) is not None:
            topic = list(TipTopic)[index].value
            group.topics = sorted(set(group.topics) ^ {topic})
            return views.topics(group)
        else:
            return None
        return views.settings(group)

    def _reschedule_group(self, group: GroupSettings) -> None:
        now = self.clock()
        group.next_tip_at = (
            next_reminder(group.timezone, group.tip_hour, now) if group.tip_enabled else None
        )
        group.next_quiz_at = (
            next_reminder(group.timezone, group.quiz_hour, now) if group.quiz_enabled else None
        )

    # --- the daily tip and quiz --------------------------------------------------------

    async def plan_group_sends(self, limit: int = 200) -> int:
        """Put the due tips and quizzes into the delivery queue; returns how many. Claiming
        moves each group's next send to tomorrow first, so two processes never plan the
        same one, and the queue's dedupe key makes a replan harmless."""
        now = self.clock()
        planned = 0
        async with self.stores() as store:
            for group in await store.due_group_sends(now, limit):
                for kind, enabled, due, hour in (
                    ("tip", group.tip_enabled, group.next_tip_at, group.tip_hour),
                    ("quiz", group.quiz_enabled, group.next_quiz_at, group.quiz_hour),
                ):
                    if not enabled or due is None or due > now:
                        continue
                    following = next_reminder(group.timezone, hour, now, skip_today=True)
                    if not await store.claim_group_send(group.chat_id, kind, due, following):
                        continue
                    day = now.astimezone(zone(group.timezone)).date().isoformat()
                    if kind == "tip":
                        payload = await self._tip_payload(store, group, now)
                    else:
                        payload = await self._quiz_payload(store, group, now)
                    if payload is not None and await store.enqueue_delivery(
                        group.chat_id, kind, payload, now, f"{kind}:{group.chat_id}:{day}"
                    ):
                        planned += 1
            await store.commit()
        return planned

    async def _tip_payload(
        self, store: Store, group: GroupSettings, now: datetime
    ) -> dict[str, Any] | None:
        posted = await store.posted_tips(group.chat_id)
        tip = choose_group_tip(self.bank.tips, group, posted)
        if tip is None:
            return None
        await store.record_tip_posted(group.chat_id, tip.id, now)
        return self.group_views.tip(group.language, tip)

    async def _quiz_payload(
        self, store: Store, group: GroupSettings, now: datetime
    ) -> dict[str, Any] | None:
        used = await store.used_quiz_challenges(group.chat_id)
        rng = random.Random(f"{group.chat_id}:{now.date()}")
        challenge = choose_quiz(self.bank, group.level, used, rng)
        if challenge is None:
            return None
        return self.group_views.quiz(group.language, challenge)

    async def chat_gone(self, chat_id: int) -> None:
        """Telegram refused a send for good (403): a group stops, a person is inactive."""
        if chat_id < 0:
            await self._in_store(lambda store: store.set_group_active(chat_id, False))
        else:
            await self._in_store(lambda store: store.set_active(chat_id, False))

    async def chat_migrated(self, old_chat_id: int, new_chat_id: int) -> None:
        await self._in_store(lambda store: store.migrate_group(old_chat_id, new_chat_id))

    async def quiz_sent(
        self, chat_id: int, poll_id: str, challenge_id: str, correct_option: int
    ) -> None:
        """The adapter sent a quiz poll: remember it so answers can be scored."""
        poll = QuizPoll(poll_id, chat_id, challenge_id, correct_option, self.clock())
        await self._in_store(lambda store: store.record_poll(poll))

    async def _poll_answer(self, person: Person, poll_id: str, options: tuple[int, ...]) -> None:
        if not options:  # a retracted vote: the first answer stands
            return
        async with self.stores() as store:
            poll = await store.get_poll(poll_id)
            if poll is None:
                return
            correct = options[0] == poll.correct_option
            await store.record_poll_answer(
                poll_id, person.id, person.first_name, correct, self.clock()
            )
            await store.commit()

    async def _leaderboard(self, event: Event, language: str, args: str) -> Outcome:
        if args in ("hide", "show"):
            hidden = args == "hide"
            await self._in_store(
                lambda store: store.set_leaderboard_hidden(event.person.id, hidden, self.clock())
            )
            return Outcome([Message(self.group_views.hidden_set(language, hidden))])
        async with self.stores() as store:
            group = await self._group(store, event, language)
            since = week_start(group.timezone, self.clock())
            rows = await store.leaderboard(event.chat_id, since, LEADERBOARD_SIZE)
            await store.commit()
        return Outcome([self.group_views.leaderboard(group.language, rows)])


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
    bank: ContentBank, level: str, used: set[str], rng: random.Random
) -> Challenge | None:
    """A poll-eligible challenge of the protection-and-security area when there is one, at
    the group's level, not used in the group yet (then any, cycling)."""
    eligible = [
        c
        for c in bank.challenges.values()
        if c.poll_eligible and c.type is ChallengeType.SINGLE and c.skill in bank.skills
    ]
    security = [c for c in eligible if bank.tube_competence[c.tube].startswith("4.")]
    pool = security or eligible
    low, high = QUIZ_LEVELS.get(level, (1, 8))
    for candidates in (
        [c for c in pool if low <= c.level <= high and c.id not in used],
        [c for c in pool if c.id not in used],
        pool,
    ):
        if candidates:
            return rng.choice(sorted(candidates, key=lambda c: c.id))
    return None
