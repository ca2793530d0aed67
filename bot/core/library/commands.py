"""The tips library: /library to browse by topic, audience and level, /library WORDS or the
search button to search, a tip's deep link, inline mode, and "send to my group" (only to
groups the person administers, asked of the messenger again at send time)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Final

from bot.core import callbacks
from bot.core.callbacks import CallbackData
from bot.core.chat import (
    Edit,
    Event,
    InlineAnswer,
    InlineQuery,
    Message,
    Outcome,
    Person,
    replacing,
)
from bot.core.group_posts import GROUPS_SHOWN, Posted, post_in_group
from bot.core.groups.ports import GroupSettings
from bot.core.library.callbacks import (
    PREFIX,
    AskSearch,
    Audiences,
    Browse,
    ChooseGroup,
    Levels,
    OpenTip,
    SearchPage,
    SendToGroup,
    TopicsAnew,
    TopicsHere,
    carried,
)
from bot.core.library.ports import GroupAdmins
from bot.core.library.screens import SEARCH_SHOWN, LibraryScreens
from bot.core.library.shelves import START_PREFIX, Shelf, shelf, tip_index, tip_ref
from bot.core.ports import Awaiting, Clock
from bot.core.registry import Registry, Turn
from bot.core.text import SEARCH_LIMIT
from bot.core.tip_search import TipIndex
from content.bank import ContentBank, content_language
from content.models import Tip

log = logging.getLogger(__name__)

INLINE_PAGE: Final = 10
INLINE_CACHE_SECONDS: Final = 300
INLINE_OFFSETS: Final = 10_000  # an inline page's offset is below this (we made it)
LibraryPress = (
    TopicsHere
    | TopicsAnew
    | AskSearch
    | Audiences
    | Levels
    | Browse
    | OpenTip
    | ChooseGroup
    | SearchPage
)


class LibrarySlice:
    def __init__(
        self,
        bank: ContentBank,
        screens: LibraryScreens,
        admins: GroupAdmins,
        clock: Clock,
        language_of: Callable[[Person], str],
    ) -> None:
        self.bank = bank
        self.screens = screens
        self.admins = admins
        self.clock = clock
        self.language_of = language_of
        # Derived from the bank once per process (a cache of content, not state). A language's
        # search index is built at its first search (65-165 ms, once a process): built at
        # start, they delayed every worker's first poll by a third of a second and held 4 MB
        # in workers nobody searched (issue 19).
        self.shelf = shelf(bank)
        self.by_id = {tip.id: tip for tip in bank.tips}
        self.by_ref = {tip_ref(tip.id): tip for tip in bank.tips}
        self.indexes: dict[str, TipIndex] = {}

    def register(self, registry: Registry) -> None:
        registry.command("library", self.library)
        registry.start_link(lambda payload: payload.startswith(START_PREFIX), self.deep_link)
        browsing: tuple[type[CallbackData], ...] = (
            TopicsHere,
            TopicsAnew,
            AskSearch,
            Audiences,
            Levels,
            Browse,
            OpenTip,
            ChooseGroup,
            SearchPage,
        )
        for kind in browsing:  # each decides about the search awaited (AskSearch awaits one)
            registry.press(kind, self.browse_press, keeps_awaiting=True)
        registry.press(SendToGroup, self.send_to_group, keeps_awaiting=True)
        registry.stale_data(PREFIX, self.stale)
        registry.text(Awaiting.LIBRARY_SEARCH, self.typed_search)

    def search_tips(self, language: str, query: str) -> list[Tip]:
        """Tips matching ``query`` in ``language``'s content, best first (the index reads
        the query's first ``SEARCH_LIMIT`` characters and words: bounded work)."""
        language = content_language(language)
        index = self.indexes.get(language)
        if index is None:
            index = self.indexes[language] = tip_index(self.bank, self.screens, language)
        return [self.by_id[tip_id] for tip_id in index.search(query)]

    def _on_shelf(self, shelf: Shelf) -> list[Tip]:
        return [tip for tip in self.shelf if shelf.holds(tip)]

    # --- commands and typed text ---------------------------------------------------------

    async def library(self, turn: Turn, args: str) -> Outcome:
        """/library and /library WORDS."""
        if args.strip():
            return await self._search(turn, args.strip())
        return Outcome([self.screens.home(turn.language, self.shelf)])

    async def deep_link(self, turn: Turn, payload: str) -> Outcome:
        """/start tip_<id> from a tip's deep link."""
        tip = self.by_id.get(payload.removeprefix(START_PREFIX).lower())
        if tip is None:
            return Outcome([self.screens.unknown_tip(turn.language)])
        return Outcome([self.screens.card(turn.language, tip, turn.bot_username)])

    async def typed_search(self, turn: Turn, text: str) -> Outcome:
        if not text.strip():
            return Outcome([self.screens.search_prompt(turn.language)])
        return await self._search(turn, text.strip())

    async def _search(self, turn: Turn, query: str) -> Outcome:
        """The results of a search; one too long is refused, and the next text typed is the
        search."""
        user = turn.user
        if len(query) > SEARCH_LIMIT:
            user.awaiting = Awaiting.LIBRARY_SEARCH
            await turn.store.save_user(user, self.clock())
            return Outcome([self.screens.search_too_long(user.language)])
        if user.awaiting is not None:
            user.awaiting = None
            await turn.store.save_user(user, self.clock())
        return Outcome([self._search_results(user.language, query)])

    def _search_results(self, language: str, query: str, page: int = 0) -> Message:
        """A page of a search's results (a page past the last: the last)."""
        tips = self.search_tips(language, query)
        if not tips:
            return self.screens.no_results(language, query, self.shelf)
        start = min(page, (len(tips) - 1) // SEARCH_SHOWN) * SEARCH_SHOWN
        shown = tips[start : start + SEARCH_SHOWN]
        return self.screens.results(language, query, shown, len(tips), start, carried(query))

    # --- buttons -------------------------------------------------------------------------

    async def browse_press(self, turn: Turn, data: LibraryPress) -> Outcome:
        user, lang, screens = turn.user, turn.language, self.screens
        if user.awaiting is not None and not isinstance(data, AskSearch):
            user.awaiting = None  # a button means the person moved on
            await turn.store.save_user(user, self.clock())
        match data:
            case TopicsHere():
                return replacing(screens.home(lang, self.shelf))
            case TopicsAnew():
                return Outcome([screens.home(lang, self.shelf)])
            case AskSearch():
                user.awaiting = Awaiting.LIBRARY_SEARCH
                await turn.store.save_user(user, self.clock())
                return Outcome([screens.search_prompt(lang)])
            case Audiences(shelf=shelf):
                return replacing(screens.audiences(lang, shelf, self._on_shelf(shelf)))
            case Levels(shelf=shelf):
                return replacing(screens.levels(lang, shelf, self._on_shelf(shelf)))
            case Browse(shelf=shelf, position=position):
                return self._browse(turn, shelf, position)
            case SearchPage(page=page, words=searched):
                return replacing(self._search_results(lang, searched.replace("-", " "), page))
            case OpenTip(tip_id=tip_id) if (tip := self.by_id.get(tip_id)) is not None:
                return Outcome([screens.card(lang, tip, turn.bot_username)])
            case ChooseGroup(tip_id=tip_id) if (tip := self.by_id.get(tip_id)) is not None:
                groups = await turn.store.admin_groups(user.id, GROUPS_SHOWN)
                if not groups:
                    return Outcome([screens.no_groups(lang, tip, turn.bot_username)])
                return Outcome([screens.groups(lang, tip, groups)])
        return self._not_ours(turn, data.pack().removeprefix(PREFIX))

    async def stale(self, turn: Turn, rest: str) -> Outcome:
        """Library button data that is no kind of ours (forged, or from a gone version)."""
        return self._not_ours(turn, rest)

    def _not_ours(self, turn: Turn, rest: str) -> Outcome:
        log.info("library button not ours from user %s: %r", turn.user.id, rest)
        return Outcome(notice=self.screens.stale(turn.language))

    def _browse(self, turn: Turn, shelf: Shelf, position: int) -> Outcome:
        tips = self._on_shelf(shelf)
        if not tips:
            return replacing(self.screens.empty_shelf(turn.language, shelf))
        position = min(position, len(tips) - 1)  # a stale one: the last
        card = self.screens.card(
            turn.language, tips[position], turn.bot_username, shelf, position, len(tips)
        )
        return replacing(card)

    async def send_to_group(self, turn: Turn, data: SendToGroup) -> Outcome:
        store, user, lang, screens = turn.store, turn.user, turn.language, self.screens
        if user.awaiting is not None:  # a button means the person moved on
            user.awaiting = None
            await store.save_user(user, self.clock())
        tip = self.by_ref.get(data.ref)
        if tip is None:
            return self._not_ours(turn, data.pack().removeprefix(PREFIX))
        now = self.clock()

        async def post(group: GroupSettings) -> dict[str, Any]:
            return screens.group_post(group.language, tip, turn.bot_username)

        key = f"libtip:{data.chat_id}:{tip.id}"
        done = await post_in_group(
            store, self.admins, data.chat_id, user.id, "tip", key, post, now
        )
        group = done.group
        if done.posted is Posted.GONE or group is None:
            return Outcome(notice=screens.group_gone(lang))
        if done.posted is Posted.NOT_ADMIN:
            return Outcome(notice=screens.admins_only(lang))
        if done.posted is Posted.ALREADY:
            return Outcome(notice=screens.already_sent(lang, group))
        await store.record_tip_posted(data.chat_id, tip.id, now)  # the daily tip won't repeat it
        return Outcome(
            edits=[Edit(None, screens.sent(lang, tip, group))], notice=screens.sent_notice(lang)
        )

    # --- inline mode ---------------------------------------------------------------------

    async def inline(self, event: Event) -> Outcome:
        """An inline query (``@bot words``) from any chat: no database user is needed."""
        assert isinstance(event.input, InlineQuery)
        language = self.language_of(event.person)
        offset = callbacks.number(event.input.offset, INLINE_OFFSETS) if event.input.offset else 0
        if offset is None:  # not an offset we gave: nothing more to list
            log.info(
                "inline offset not ours from user %s: %r", event.person.id, event.input.offset
            )
            return Outcome(inline=InlineAnswer((), cache_seconds=INLINE_CACHE_SECONDS))
        # Telegram keeps inline queries to 256 characters; a search reads its first
        # SEARCH_LIMIT (there is no message to say more in an inline answer).
        query = event.input.query.strip()[:SEARCH_LIMIT]
        tips = self.search_tips(language, query) if query else list(self.shelf)
        page = tips[offset : offset + INLINE_PAGE]
        following = offset + INLINE_PAGE
        results = tuple(
            self.screens.inline_result(language, tip, event.bot_username) for tip in page
        )
        return Outcome(
            inline=InlineAnswer(
                results,
                next_offset=str(following) if following < len(tips) else "",
                cache_seconds=INLINE_CACHE_SECONDS,
            )
        )
