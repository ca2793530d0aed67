"""Sharing a result or the profile picture: "📣 Share" sends the learner the picture with
"📤 Send to a chat" (Telegram's switch_inline_query), which types ``@bot share:<token>`` in the
chat they pick; that inline query, from the picture's owner only, answers with the photo as
Telegram already holds it (its file id, reported once sent) and a link into the bot."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Final

from bot.core.callbacks import ATTEMPT_REF, new_token
from bot.core.chat import Event, InlineAnswer, InlineQuery, Message, Outcome, Person
from bot.core.ports import REVIEW, AssessmentStatus, Clock, CompetenceResult, StoreFactory
from bot.core.registry import Registry, Turn
from bot.core.screens import CommonScreens
from bot.core.sharing.callbacks import ShareProfile, ShareResult
from bot.core.sharing.card import result_card
from bot.core.sharing.ports import Share, ShareKind
from bot.core.sharing.screens import SharingScreens
from content.bank import ContentBank

log = logging.getLogger(__name__)

# "share:<token>": no words a library search could be ("share information" would read as one).
QUERY_PREFIX: Final = "share:"
QUERY: Final = re.compile(re.escape(QUERY_PREFIX) + f"({ATTEMPT_REF})")
SHARE_CACHE_SECONDS: Final = 300  # a share never changes once its photo is known
NOTHING_CACHE_SECONDS: Final = 5  # its photo may be known a moment later

# The profile picture for a language and results (the profile slice's, given when built).
ProfileChart = Callable[[str, Mapping[str, CompetenceResult]], Awaitable[bytes]]


class SharingSlice:
    def __init__(
        self,
        bank: ContentBank,
        screens: SharingScreens,
        common: CommonScreens,
        stores: StoreFactory,
        clock: Clock,
        language_of: Callable[[Person], str],
        profile_chart: ProfileChart,
        max_level: int,
    ) -> None:
        self.bank = bank
        self.screens = screens
        self.common = common
        self.stores = stores
        self.clock = clock
        self.language_of = language_of
        self.profile_chart = profile_chart
        self.max_level = max_level

    def register(self, registry: Registry) -> None:
        registry.press(ShareResult, self.share_result)
        registry.press(ShareProfile, self.share_profile)

    @staticmethod
    def answers(query: str) -> bool:
        """Whether an inline query is a share's (the library's search takes the others)."""
        return query.strip().startswith(QUERY_PREFIX)

    # --- the learner's own chat ----------------------------------------------------------

    async def share_result(self, turn: Turn, data: ShareResult) -> Outcome:
        """The card of the learner's own finished test; any other test's: a closed button."""
        assessment = await turn.store.get_assessment(data.assessment)
        if (
            assessment is None
            or assessment.user_id != turn.user.id
            or assessment.status is not AssessmentStatus.COMPLETED
            or assessment.competence == REVIEW
            or assessment.competence not in self.bank.competences
            or assessment.level is None
            or assessment.pix is None
        ):
            return Outcome(notice=self.common.closed(turn.language))
        level, pix, competence = assessment.level, assessment.pix, assessment.competence
        card = self.screens.card(
            turn.language,
            competence,
            level,
            max(self.max_level, level),  # a result from when more levels were open
            pix,
            turn.bot_username,
        )
        image = await asyncio.to_thread(result_card, card)
        share = await self._share(turn, ShareKind.RESULT, competence, level, pix)
        return self._ready(turn, share, image, self.screens.result_ready(turn.language))

    async def share_profile(self, turn: Turn, data: ShareProfile) -> Outcome:
        results = await turn.store.latest_results(turn.user.id)
        image = await self.profile_chart(turn.language, results)
        pix = sum(result.pix for result in results.values())
        share = await self._share(turn, ShareKind.PROFILE, None, None, pix)
        return self._ready(turn, share, image, self.screens.profile_ready(turn.language))

    async def _share(
        self, turn: Turn, kind: ShareKind, competence: str | None, level: int | None, pix: int
    ) -> Share:
        share = Share(new_token(), turn.user.id, kind, competence, level, pix, self.clock())
        await turn.store.add_share(share)
        return share

    def _ready(self, turn: Turn, share: Share, image: bytes, caption: str) -> Outcome:
        buttons = self.screens.ready_buttons(turn.language, QUERY_PREFIX + share.token)
        return Outcome([Message(caption, buttons, image=image, photo_key=share.token)])

    async def photo_sent(self, token: str, file_id: str) -> None:
        """The share's photo as Telegram holds it: what its inline answer sends."""
        async with self.stores() as store:
            await store.set_share_file(token, file_id)
            await store.commit()

    # --- inline mode, in any chat --------------------------------------------------------

    async def inline(self, event: Event) -> Outcome:
        """``@bot share:<token>``: the share's photo, for its owner only (Telegram keeps the
        answer per person); anything else gets no result."""
        assert isinstance(event.input, InlineQuery)
        found = QUERY.fullmatch(event.input.query.strip())
        share = None
        language = self.language_of(event.person)
        if found is not None:
            async with self.stores() as store:
                share = await store.get_share(found.group(1))
                owner = await store.get_user(share.user_id) if share is not None else None
            if owner is not None:
                language = owner.language  # the sharer's words, as they chose them
        if share is None or share.user_id != event.person.id or share.file_id is None:
            log.info(
                "no share to answer inline query %r of user %s",
                event.input.query[:40],
                event.person.id,
            )
            return Outcome(inline=InlineAnswer((), cache_seconds=NOTHING_CACHE_SECONDS))
        photo = self.screens.inline_photo(language, share, share.file_id, event.bot_username)
        return Outcome(inline=InlineAnswer((photo,), cache_seconds=SHARE_CACHE_SECONDS))
