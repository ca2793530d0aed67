"""The learner's profile: levels and pix per competence, the radar chart, the streak; for a
learner with no result yet, an invitation to a first test instead."""

from __future__ import annotations

import asyncio
import hashlib
from collections import OrderedDict
from collections.abc import Mapping
from functools import partial
from typing import Final

from bot.core.chart_input import ChartCompetence
from bot.core.chat import Edit, Message, Outcome
from bot.core.ports import Clock, CompetenceResult
from bot.core.profile.callbacks import Profile
from bot.core.profile.screens import ProfileScreens
from bot.core.registry import Registry, Turn
from bot.core.scoring import DEFAULT_MAX_LEVEL
from bot.core.streaks import current, local_day
from content.bank import ContentBank

CHART_CACHE: Final = 256


class ProfileSlice:
    def __init__(
        self,
        bank: ContentBank,
        screens: ProfileScreens,
        clock: Clock,
        max_level: int = DEFAULT_MAX_LEVEL,
    ) -> None:
        self.bank = bank
        self.screens = screens
        self.clock = clock
        self.max_level = max_level  # where the picture's scale ends
        self.charts: OrderedDict[str, bytes] = OrderedDict()  # a cache of drawings, not state

    def register(self, registry: Registry) -> None:
        registry.command("profile", self.profile)
        registry.press(Profile, self.profile_anew)

    async def profile(self, turn: Turn, args: str) -> Outcome:
        return Outcome(await self._profile(turn))

    async def profile_anew(self, turn: Turn, data: Profile) -> Outcome:
        return Outcome(await self._profile(turn), [Edit(None, None)])

    async def _profile(self, turn: Turn) -> list[Message]:
        user, lang = turn.user, turn.language
        stored = await turn.store.latest_results(user.id)
        # Only the framework's competences (one taken out of it keeps its stored results).
        results = {code: r for code, r in stored.items() if code in self.bank.competences}
        if not results:
            return [self.screens.invitation(lang)]
        today = local_day(user.timezone, self.clock())
        streak = current(user.streak_days, user.streak_last_day, today)
        chart = await self.chart(lang, results)
        caption = self.screens.caption(lang, results, streak)
        picture = Message(caption, self.screens.share(lang), image=chart)
        return [picture, self.screens.profile(lang, results, streak)]

    async def chart(self, language: str, results: Mapping[str, CompetenceResult]) -> bytes:
        """The radar chart, drawn off the event loop and cached until the profile changes."""
        competences = [
            ChartCompetence(
                code=competence.code,
                area=area.code,
                area_name=area.name.get(language),
                short=self.bank.competence_short(competence.code, language),
                level=results[competence.code].level if competence.code in results else None,
            )
            for area in self.bank.framework.areas
            for competence in area.competences
        ]
        total = sum(result.pix for result in results.values())
        title = self.screens.profile_title(language, results)
        level_label, untested = self.screens.chart_labels(language)
        key = hashlib.sha1(
            repr((competences, total, title, level_label)).encode(), usedforsecurity=False
        ).hexdigest()
        cached = self.charts.get(key)
        if cached is None:
            cached = await asyncio.to_thread(
                partial(_draw, max_level=self.max_level, untested_label=untested),
                competences,
                total,
                title,
                level_label,
            )
            self.charts[key] = cached
            while len(self.charts) > CHART_CACHE:
                self.charts.popitem(last=False)
        self.charts.move_to_end(key)
        return cached


def _draw(
    competences: list[ChartCompetence],
    total_pix: int,
    title: str,
    level_label: str,
    max_level: int,
    untested_label: str,
) -> bytes:
    """The chart as PNG bytes, off the event loop: matplotlib (40 MB, about a second) loads
    with a worker's first picture, in this thread, never at start nor on the loop."""
    from bot.core.chart import profile_chart

    return profile_chart(
        competences,
        total_pix,
        title,
        level_label,
        max_level=max_level,
        untested_label=untested_label,
    )
