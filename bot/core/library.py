"""The cybersecurity tips library for educators: browse, search, share, send to a group.
Mixed into Conversation, which calls the hooks below.

Nothing is kept in memory between two updates: the shelf being browsed (topic, audience,
level) and the position travel in the buttons' data, e.g. ``lib:v.3pb.4`` is the fifth tip of
topic 3 for pupils at the basic level. The only rows are the group administrators seen
(``LibraryStore``), so "send to my group" can list the learner's groups; Telegram is asked
again before anything is posted.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Final, Protocol

from bot.core import callbacks
from bot.core.chat import Edit, Event, InlineAnswer, InlineQuery, Message, Outcome, Person
from bot.core.group_ports import GroupSettings
from bot.core.text import SEARCH_LIMIT
from bot.core.timezones import zone
from bot.core.tip_search import Document, TipIndex
from content.bank import ContentBank, content_language
from content.models import CONTENT_LANGUAGES, Audience, Tip, TipLevel, TipTopic

if TYPE_CHECKING:  # bot.core.ports imports this module for LibraryStore
    from bot.core.library_screens import LibraryScreens
    from bot.core.ports import Clock, Store, User
    from bot.core.screens import Screens

log = logging.getLogger(__name__)

# Whether a person administers a group chat, asked of the messenger (Telegram's getChatMember).
AdminCheck = Callable[[int, int], Awaitable[bool]]

AWAITING_SEARCH: Final = "library_search"
START_PREFIX: Final = "tip_"
DEEP_LINK_PAYLOAD: Final = re.compile(r"[A-Za-z0-9_-]{1,64}")
INLINE_PAGE: Final = 10
INLINE_CACHE_SECONDS: Final = 300
SEARCH_SHOWN: Final = 8  # results offered as buttons; more words narrow the search
GROUPS_SHOWN: Final = 20
INLINE_OFFSETS: Final = 10_000  # an inline page's offset is below this (we made it)
POSITIONS: Final = 10_000  # a position in a shelf is below this (we made it)

TOPICS: Final = tuple(TipTopic)
ANY: Final = "x"
AUDIENCE_CODES: Final = {"e": Audience.EVERYONE, "p": Audience.PUPILS, "d": Audience.EDUCATORS}
LEVEL_CODES: Final = {
    "b": TipLevel.BASIC,
    "i": TipLevel.INTERMEDIATE,
    "a": TipLevel.ADVANCED,
    "e": TipLevel.EXPERT,
}
LEVEL_ORDER: Final = tuple(TipLevel)


async def nobody_is_admin(chat_id: int, user_id: int) -> bool:
    return False


class LibraryStore(Protocol):
    async def record_group_admin(self, chat_id: int, user_id: int, now: datetime) -> None:
        """Remember that ``user_id`` administers the group (ignored for untracked groups)."""
        ...

    async def forget_group_admin(self, chat_id: int, user_id: int) -> None: ...
    async def admin_groups(self, user_id: int, limit: int) -> list[GroupSettings]:
        """The active groups where ``user_id`` was seen administering."""
        ...


@dataclass(frozen=True)
class Shelf:
    """What is being browsed: a topic, an audience and a level, each possibly "any"."""

    topic: TipTopic | None = None
    audience: Audience | None = None
    level: TipLevel | None = None

    @property
    def code(self) -> str:
        """Three characters for the buttons' data: topic (base 36 index), audience, level."""
        topic = ANY if self.topic is None else _base36(TOPICS.index(self.topic))
        audience = next((c for c, a in AUDIENCE_CODES.items() if a is self.audience), ANY)
        level = next((c for c, v in LEVEL_CODES.items() if v is self.level), ANY)
        return topic + audience + level

    @classmethod
    def parse(cls, code: str) -> Shelf | None:
        if len(code) != 3:
            return None
        topic_code, audience_code, level_code = code[0], code[1], code[2]
        topic: TipTopic | None = None
        if topic_code != ANY:
            index = _BASE36.find(topic_code)
            if not 0 <= index < len(TOPICS):
                return None
            topic = TOPICS[index]
        if audience_code != ANY and audience_code not in AUDIENCE_CODES:
            return None
        if level_code != ANY and level_code not in LEVEL_CODES:
            return None
        return cls(topic, AUDIENCE_CODES.get(audience_code), LEVEL_CODES.get(level_code))

    def holds(self, tip: Tip) -> bool:
        return (
            (self.topic is None or tip.topic is self.topic)
            and (self.audience is None or tip.audience is self.audience)
            and (self.level is None or tip.level is self.level)
        )


_BASE36: Final = "0123456789abcdefghijklmnopqrstuvwxyz"


def _base36(number: int) -> str:
    return _BASE36[number]


def tip_ref(tip_id: str) -> str:
    """A short, stable reference to a tip for buttons that carry more than its id."""
    return hashlib.sha1(tip_id.encode(), usedforsecurity=False).hexdigest()[:10]


def tip_documents(bank: ContentBank, screens: LibraryScreens, language: str) -> list[Document]:
    """What the tips are searched by in a content language (en, fr): title, text, and the
    topic's code and name as keywords."""
    return [
        Document(
            tip.id,
            tip.text(language).title,
            tip.text(language).text,
            _keywords(str(tip.topic or ""), screens.topic_name(language, tip.topic)),
        )
        for tip in shelf(bank)
    ]


def tip_index(bank: ContentBank, screens: LibraryScreens, language: str) -> TipIndex:
    """The search index of the tips in a content language (built once per process)."""
    return TipIndex(tip_documents(bank, screens, language))


def shelf(bank: ContentBank) -> tuple[Tip, ...]:
    """Every tip, basic ones first (the bank's order within a level)."""
    return tuple(sorted(bank.tips, key=lambda tip: LEVEL_ORDER.index(tip.level)))


def deep_link(bot_username: str, tip_id: str) -> str | None:
    """https://t.me/<bot>?start=tip_<id>, or None without a username or for an unfit id."""
    payload = START_PREFIX + tip_id
    if not bot_username or not DEEP_LINK_PAYLOAD.fullmatch(payload):
        return None
    return f"https://t.me/{bot_username}?start={payload}"


class LibraryFlows:
    admin_check: AdminCheck = nobody_is_admin  # the adapter sets the real one at start
    bank: ContentBank
    clock: Clock
    views: Screens
    bot_username: str  # kept by Conversation.handle (CampaignFlows gives the default)
    language_of: Callable[[Person], str]  # provided by Conversation

    # --- content, derived once per process (a cache of the bank, not state) -----------

    @cached_property
    def library_views(self) -> LibraryScreens:
        from bot.core.library_screens import LibraryScreens  # see TYPE_CHECKING

        return LibraryScreens(self.bank, self.views.catalogs)

    @cached_property
    def _library_shelf(self) -> tuple[Tip, ...]:
        return shelf(self.bank)

    @cached_property
    def _library_by_id(self) -> dict[str, Tip]:
        return {tip.id: tip for tip in self.bank.tips}

    @cached_property
    def _library_by_ref(self) -> dict[str, Tip]:
        return {tip_ref(tip.id): tip for tip in self.bank.tips}

    @cached_property
    def _library_indexes(self) -> dict[str, TipIndex]:
        """The search index of each content language, built once (``prepare_library``)."""
        return {
            language: tip_index(self.bank, self.library_views, language)
            for language in CONTENT_LANGUAGES
        }

    def prepare_library(self) -> None:
        """Build the search indexes now (at start) rather than on the first search."""
        self._library_indexes  # noqa: B018 - the cached property is the work

    def search_tips(self, language: str, query: str) -> list[Tip]:
        """Tips matching ``query`` in ``language``'s content, best first (the index reads
        the query's first ``SEARCH_LIMIT`` characters and words: bounded work)."""
        index = self._library_indexes[content_language(language)]
        return [self._library_by_id[tip_id] for tip_id in index.search(query)]

    def _on_shelf(self, shelf: Shelf) -> list[Tip]:
        return [tip for tip in self._library_shelf if shelf.holds(tip)]

    # --- hooks called by Conversation --------------------------------------------------

    async def _library_command(self, store: Store, user: User, args: str) -> Outcome:
        """/library and /library WORDS."""
        if args.strip():
            return await self._search(store, user, args.strip())
        return Outcome([self.library_views.home(user.language, self._library_shelf)])

    async def _library_start(self, store: Store, user: User, payload: str) -> Outcome | None:
        """/start tip_<id> from a tip's deep link; None when the payload is not a tip's."""
        if not payload.startswith(START_PREFIX):
            return None
        tip = self._library_by_id.get(payload.removeprefix(START_PREFIX).lower())
        if tip is None:
            return Outcome([self.library_views.unknown_tip(user.language)])
        return Outcome([self.library_views.card(user.language, tip, self.bot_username)])

    async def _library_press(self, store: Store, user: User, parsed: callbacks.Parsed) -> Outcome:
        """Buttons whose kind is "lib"."""
        lang, screens = user.language, self.library_views
        action, _, rest = parsed.arg.partition(".")
        if user.awaiting is not None and action != "q":  # a button means the person moved on
            user.awaiting = None
            await store.save_user(user, self.clock())
        if action in ("h", "n"):  # the topics: in place, or as a new message
            home = screens.home(lang, self._library_shelf)
            return Outcome([home]) if action == "n" else _replace(home)
        if action == "q":
            user.awaiting = AWAITING_SEARCH
            await store.save_user(user, self.clock())
            return Outcome([screens.search_prompt(lang)])
        if action in ("f", "l", "v"):
            code, _, position = rest.partition(".")
            shelf = Shelf.parse(code)
            if shelf is not None and action == "f":
                return _replace(screens.audiences(lang, shelf, self._on_shelf(shelf)))
            if shelf is not None and action == "l":
                return _replace(screens.levels(lang, shelf, self._on_shelf(shelf)))
            number = callbacks.number(position, POSITIONS)  # a stale one: the last
            if shelf is not None and number is not None:
                return self._browse(lang, shelf, number)
        if action == "o" and (tip := self._library_by_id.get(rest)) is not None:
            return Outcome([screens.card(lang, tip, self.bot_username)])
        if action == "g" and (tip := self._library_by_id.get(rest)) is not None:
            groups = await store.admin_groups(user.id, GROUPS_SHOWN)
            if not groups:
                return Outcome([screens.no_groups(lang, self.bot_username)])
            return Outcome([screens.groups(lang, tip, groups)])
        if action == "s":
            chat, _, ref = rest.partition(".")
            tip = self._library_by_ref.get(ref)
            chat_id = callbacks.group_id(chat)
            if tip is not None and chat_id is not None:
                return await self._send_to_group(store, user, chat_id, tip)
        log.info("library button not ours from user %s: %r", user.id, parsed.arg)
        return Outcome(notice=screens.stale(lang))

    async def _library_text(self, store: Store, user: User, text: str) -> Outcome | None:
        """Typed words while ``user.awaiting`` starts with "library"."""
        if user.awaiting != AWAITING_SEARCH:
            return None
        if not text.strip():
            return Outcome([self.library_views.search_prompt(user.language)])
        return await self._search(store, user, text.strip())

    async def _inline(self, event: Event) -> Outcome:
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
        tips = self.search_tips(language, query) if query else list(self._library_shelf)
        page = tips[offset : offset + INLINE_PAGE]
        following = offset + INLINE_PAGE
        results = tuple(
            self.library_views.inline_result(language, tip, self.bot_username) for tip in page
        )
        return Outcome(
            inline=InlineAnswer(
                results,
                next_offset=str(following) if following < len(tips) else "",
                cache_seconds=INLINE_CACHE_SECONDS,
            )
        )

    # --- steps -------------------------------------------------------------------------

    async def _search(self, store: Store, user: User, query: str) -> Outcome:
        """The results of a search; one too long is refused, and the next text typed is the
        search."""
        if len(query) > SEARCH_LIMIT:
            user.awaiting = AWAITING_SEARCH
            await store.save_user(user, self.clock())
            return Outcome([self.library_views.search_too_long(user.language)])
        if user.awaiting is not None:
            user.awaiting = None
            await store.save_user(user, self.clock())
        return Outcome([self._search_results(user.language, query)])

    def _search_results(self, language: str, query: str) -> Message:
        tips = self.search_tips(language, query)
        if not tips:
            return self.library_views.no_results(language, query, self._library_shelf)
        return self.library_views.results(language, query, tips[:SEARCH_SHOWN], len(tips))

    def _browse(self, language: str, shelf: Shelf, position: int) -> Outcome:
        tips = self._on_shelf(shelf)
        if not tips:
            return _replace(self.library_views.empty_shelf(language, shelf))
        position = min(position, len(tips) - 1)
        card = self.library_views.card(
            language, tips[position], self.bot_username, shelf, position, len(tips)
        )
        return _replace(card)

    async def _send_to_group(self, store: Store, user: User, chat_id: int, tip: Tip) -> Outcome:
        lang, screens = user.language, self.library_views
        group = await store.get_group(chat_id)
        if group is None or not group.active:
            return Outcome(notice=screens.group_gone(lang))
        if not await self.admin_check(chat_id, user.id):
            await store.forget_group_admin(chat_id, user.id)
            return Outcome(notice=screens.admins_only(lang))
        now = self.clock()
        day = now.astimezone(zone(group.timezone)).date().isoformat()
        payload = screens.group_post(group.language, tip, self.bot_username)
        key = f"libtip:{chat_id}:{tip.id}:{day}"
        if not await store.enqueue_delivery(chat_id, "tip", payload, now, key):
            return Outcome(notice=screens.already_sent(lang, group))
        await store.record_tip_posted(chat_id, tip.id, now)  # the daily tip will not repeat it
        await store.record_group_admin(chat_id, user.id, now)
        return Outcome(
            edits=[Edit(None, screens.sent(lang, tip, group))], notice=screens.sent_notice(lang)
        )


def _keywords(*names: str) -> str:
    """The topic's code and translated name, once each ("phishing", "hameçonnage")."""
    return " ".join(dict.fromkeys(" ".join(names).replace("-", " ").split()))


def _replace(message: Message) -> Outcome:
    """Library screens replace the message whose button was pressed."""
    return Outcome(edits=[Edit(None, message.text, message.buttons)])
