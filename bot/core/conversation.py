"""The conversation: (event, stored state) -> (replies, new stored state).

Every adapter calls ``Conversation.handle`` and renders the Outcome; nothing is kept in memory
between events, so a restart or a second process continues exactly where the learner was.
The conversation builds the slices (each given its dependencies), lets each register what it
answers, and routes every private-chat event through that registry; group events go to the
groups' slice and inline queries to the library's (a share's to the sharing slice).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from bot.core import callbacks
from bot.core.account.commands import AccountSlice
from bot.core.account.screens import AccountScreens
from bot.core.assessment.commands import AssessmentSlice
from bot.core.assessment.screens import AssessmentScreens
from bot.core.assessments import Assessments
from bot.core.campaigns.commands import CampaignSlice
from bot.core.campaigns.screens import CampaignScreens
from bot.core.chat import (
    Blocked,
    ChatKind,
    Command,
    Event,
    InlineQuery,
    Message,
    Outcome,
    Person,
    Press,
    Text,
    Unsupported,
    cleaned,
)
from bot.core.engines import Engine
from bot.core.flood import OncePer
from bot.core.groups.commands import GroupSlice
from bot.core.groups.screens import GroupScreens
from bot.core.groups.sends import GroupSends
from bot.core.habits.commands import HabitsSlice
from bot.core.habits.screens import HabitsScreens
from bot.core.home.commands import HomeSlice
from bot.core.home.screens import HomeScreens
from bot.core.i18n import Catalogs, resolve_language
from bot.core.library.commands import LibrarySlice
from bot.core.library.ports import GroupAdmins
from bot.core.library.screens import LibraryScreens
from bot.core.ports import AlreadyAnswered, Clock, Store, StoreFactory, User
from bot.core.profile.commands import ProfileSlice
from bot.core.profile.screens import ProfileScreens
from bot.core.progress import Progress
from bot.core.registry import Registry, Turn
from bot.core.scoring import DEFAULT_MAX_LEVEL
from bot.core.screens import CommonScreens
from bot.core.sharing.commands import SharingSlice
from bot.core.sharing.screens import SharingScreens
from content.bank import ContentBank

log = logging.getLogger(__name__)
UPDATE_MEMORY = timedelta(days=2)


class Conversation:
    def __init__(
        self,
        bank: ContentBank,
        stores: StoreFactory,
        engine: Engine,
        clock: Clock,
        catalogs: Catalogs | None = None,
        default_language: str = "en",
        max_level: int = DEFAULT_MAX_LEVEL,
        new_seed: Callable[[], int] | None = None,
        admins: GroupAdmins | None = None,
        dashboard_url: str | None = None,
    ) -> None:
        self.bank = bank
        self.stores = stores
        self.clock = clock
        self.default_language = resolve_language(default_language)
        self.admins = admins or GroupAdmins()  # the messenger's "who administers a group"
        self.assessments = (
            Assessments(bank, engine, clock, max_level, new_seed)
            if new_seed
            else Assessments(bank, engine, clock, max_level)
        )
        # Each slice's texts, built once; what several show (and the conversation's own
        # answers) in ``views``. A test's steps show in the review and the campaigns too.
        catalogs = catalogs or Catalogs()
        self.views = CommonScreens(catalogs)
        steps = AssessmentScreens(bank, catalogs, self.views, max_level)
        self.group_views = GroupScreens(bank, catalogs)
        self.campaign_views = CampaignScreens(bank, catalogs, dashboard_url)
        self.library_views = LibraryScreens(bank, catalogs)
        self.group_replies = OncePer()
        progress = Progress(self.assessments, clock)

        self.home = HomeSlice(HomeScreens(catalogs), progress)
        self.campaigns = CampaignSlice(
            bank, self.campaign_views, steps, self.assessments, clock, self.admins, max_level
        )
        self.assessment = AssessmentSlice(
            bank,
            steps,
            self.views,
            self.assessments,
            progress,
            clock,
            menu=self.home.menu_message,
            not_understood=self.home.not_understood,
            after_test=[self.campaigns.after_test],
        )
        self.habits = HabitsSlice(
            bank,
            HabitsScreens(bank, catalogs, self.views),
            steps,
            self.views,
            self.assessments,
            stores,
            clock,
        )
        self.profile = ProfileSlice(
            bank, ProfileScreens(bank, catalogs, self.views, max_level), clock, max_level
        )
        self.account = AccountSlice(
            AccountScreens(catalogs), self.views, self.home.menu_message, stores, clock
        )
        self.library = LibrarySlice(bank, self.library_views, self.admins, clock, self.language_of)
        self.sharing = SharingSlice(
            bank,
            SharingScreens(bank, catalogs),
            self.views,
            stores,
            clock,
            self.language_of,
            self.profile.chart,
            max_level,
        )
        self.registry = Registry()
        # The library's deep links first: its payloads (tip_…) could read as a campaign code.
        for feature in (
            self.library,
            self.campaigns,
            self.home,
            self.assessment,
            self.habits,
            self.profile,
            self.account,
            self.sharing,
        ):
            feature.register(self.registry)
        self.group_sends = GroupSends(bank, self.group_views, stores, clock)
        self.groups = GroupSlice(
            self.views,
            self.group_views,
            self.group_sends,
            clock,
            self.language_of,
            self.group_replies,
            private_commands=frozenset(self.registry.commands),
        )

    async def handle(self, event: Event) -> Outcome:
        event = cleaned(event)  # no NUL nor control characters in what is stored or shown
        learner = event.chat is ChatKind.PRIVATE and not isinstance(
            event.input, InlineQuery | Blocked
        )
        if event.update_id is not None and not learner and not await self._claim(event):
            return Outcome()
        if event.chat is not ChatKind.PRIVATE:
            return await self.groups.handle(event)
        if isinstance(event.input, InlineQuery):
            if self.sharing.answers(event.input.query):
                return await self.sharing.inline(event)
            return await self.library.inline(event)
        if isinstance(event.input, Blocked):
            await self.set_blocked(event.person.id, event.input.blocked)
            return Outcome()
        try:
            async with self.stores() as store:
                # In the same transaction as its effects: a crash before the commit leaves the
                # update unclaimed, so its redelivery is handled; a handled one is skipped.
                found: User | None
                if event.update_id is None:
                    found = await store.get_user(event.person.id)
                else:
                    claimed, found = await store.claim_update_of(
                        event.update_id, self.clock(), event.person.id
                    )
                    if not claimed:
                        return Outcome()
                user = await self._user(store, event.person, found)
                outcome = await self._route(Turn(store, user, event.bot_username), event)
                await store.commit()
                return outcome
        except AlreadyAnswered:
            # Rolled back: a double tap or a second process got there first.
            return Outcome(notice=self.views.closed(self.language_of(event.person)))

    async def _claim(self, event: Event) -> bool:
        assert event.update_id is not None
        async with self.stores() as store:
            claimed = await store.claim_update(event.update_id, self.clock())
            await store.commit()
        return claimed

    # --- what adapters and their schedulers call ---------------------------------------

    async def forget_updates(self, keep: timedelta = UPDATE_MEMORY) -> int:
        """Drop update ids older than ``keep`` (Telegram redelivers within hours, not days)."""
        async with self.stores() as store:
            forgotten = await store.forget_updates(self.clock() - keep)
            await store.commit()
        return forgotten

    async def message_sent(self, track: str, message_id: int) -> None:
        """Remember where a challenge was shown, to close its buttons once answered."""
        await self.stores.set_message_id(track, message_id)

    async def photo_sent(self, key: str, file_id: str) -> None:
        """Remember a shared photo as Telegram holds it, to send it again in inline mode."""
        await self.sharing.photo_sent(key, file_id)

    def language_of(self, person: Person) -> str:
        return resolve_language(person.language_code, self.default_language)

    def apology(self, person: Person, unavailable: bool = False) -> str:
        """What to say when handling failed; ``unavailable``: the database is out of reach."""
        return self.views.apology(self.language_of(person), unavailable)

    def slow_down(self, person: Person) -> str:
        """What to tell a person some of whose updates were dropped for flooding."""
        return self.views.slow_down(self.language_of(person))

    async def due_reminders(self, limit: int = 100) -> list[tuple[int, Message]]:
        return await self.habits.due_reminders(limit)

    async def set_blocked(self, user_id: int, blocked: bool) -> None:
        await self.account.set_blocked(user_id, blocked)

    async def plan_group_sends(self, limit: int = 200) -> int:
        return await self.group_sends.plan_group_sends(limit)

    async def chat_gone(self, chat_id: int) -> None:
        await self.group_sends.chat_gone(chat_id)

    async def chat_migrated(self, old_chat_id: int, new_chat_id: int) -> None:
        await self.group_sends.chat_migrated(old_chat_id, new_chat_id)

    async def quiz_sent(
        self,
        chat_id: int,
        poll_id: str,
        challenge_id: str,
        correct_option: int,
        message_id: int | None = None,
        close_at: datetime | None = None,
    ) -> None:
        await self.group_sends.quiz_sent(
            chat_id, poll_id, challenge_id, correct_option, message_id, close_at
        )

    async def quiz_closed(self, poll_id: str, option_votes: tuple[int, ...]) -> None:
        await self.group_sends.quiz_closed(poll_id, option_votes)

    # --- routing -------------------------------------------------------------------------

    async def _user(self, store: Store, person: Person, user: User | None) -> User:
        """The person's user (``user``, as stored, or None), created or brought up to date."""
        now = self.clock()
        if user is None:
            user = User(person.id, self.language_of(person), person.first_name[:64])
            await store.add_user(user, now)
            return user
        fresh_language = user.language if user.language_chosen else self.language_of(person)
        fresh = (fresh_language, person.first_name[:64], True)
        if fresh != (user.language, user.first_name, user.active):
            # Writing to the bot again also means it is no longer blocked.
            user.language, user.first_name, user.active = fresh
            await store.save_user(user, now)
        return user

    async def _route(self, turn: Turn, event: Event) -> Outcome:
        match event.input:
            case Command(name=name, args=args):
                return await self._command(turn, name, args)
            case Press(data=data):
                return await self._press(turn, data)
            case Text(text=text):
                return await self._text(turn, text)
            case Unsupported():
                return await self.assessment.unsupported(turn)
        return Outcome()  # pragma: no cover

    async def _moved_on(self, turn: Turn) -> None:
        """A command or a button means the person no longer types what was awaited."""
        if turn.user.awaiting is not None:
            turn.user.awaiting = None
            await turn.store.save_user(turn.user, self.clock())

    async def _command(self, turn: Turn, name: str, args: str) -> Outcome:
        await self._moved_on(turn)
        if name == "start" and args:  # a deep link's payload
            deep_link = self.registry.start_link_for(args)
            if deep_link is not None:
                return await deep_link(turn, args)
        handler = self.registry.commands.get(name, self.home.menu)
        return await handler(turn, args)

    async def _press(self, turn: Turn, data: str) -> Outcome:
        parsed = callbacks.parse(data)
        feature = next((p for p in self.registry.stale if data.startswith(p)), None)
        if feature is not None and not callbacks.FEATURE_REST.fullmatch(data[len(feature) :]):
            parsed = feature = None  # not even of the feature's alphabet
        if parsed is None and feature is not None:
            await self._moved_on(turn)
            return await self.registry.stale[feature](turn, data[len(feature) :])
        route = None if parsed is None else self.registry.presses.get(type(parsed))
        if route is None:
            log.info("unknown callback data from user %s: %r", turn.user.id, data[:80])
            return Outcome(notice=self.views.closed(turn.language))
        if not route.keeps_awaiting:
            await self._moved_on(turn)
        return await route.handler(turn, parsed)

    async def _text(self, turn: Turn, text: str) -> Outcome:
        awaited = turn.user.awaiting
        handler = None if awaited is None else self.registry.texts.get(awaited)
        if handler is not None:
            return await handler(turn, text)
        return await self.assessment.typed(turn, text)
