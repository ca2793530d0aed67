"""Flows that bring learners back: reviews, profile picture, tutorials, tips, settings,
reminders and the learner's own data. Mixed into Conversation, which routes to them."""

from __future__ import annotations

import asyncio
import hashlib
import random
from collections import OrderedDict
from collections.abc import Mapping
from datetime import datetime, timedelta
from functools import partial
from typing import Final

from bot.core.assessments import Assessments, Finished, ReviewFinished, Served
from bot.core.chart import ChartCompetence, profile_chart
from bot.core.chat import Edit, Message, Outcome
from bot.core.ports import Clock, CompetenceResult, Store, User
from bot.core.reminders import next_reminder
from bot.core.screens import Screens
from bot.core.streaks import after_answer, current, local_day
from bot.core.timezones import COMMON, parse
from content.bank import ContentBank
from content.models import Audience, Tip, TipLevel, Tutorial

CHART_CACHE: Final = 256
TIP_LEVELS: Final = (
    (3, TipLevel.BASIC),
    (5, TipLevel.INTERMEDIATE),
    (7, TipLevel.ADVANCED),
    (9, TipLevel.EXPERT),
)
RECENT_TIP: Final = timedelta(days=60)


class Habits:
    bank: ContentBank
    clock: Clock
    views: Screens
    assessments: Assessments
    _charts: OrderedDict[str, bytes]

    # --- streaks -----------------------------------------------------------------------

    async def _count_answer_in_streak(self, store: Store, user: User) -> int:
        now = self.clock()
        today = local_day(user.timezone, now)
        days, last = after_answer(user.streak_days, user.streak_last_day, today)
        if (days, last) != (user.streak_days, user.streak_last_day):
            user.streak_days, user.streak_last_day = days, last
            await store.save_user(user, now)
        return days

    def _streak(self, user: User) -> int:
        today = local_day(user.timezone, self.clock())
        return current(user.streak_days, user.streak_last_day, today)

    # --- reviews -----------------------------------------------------------------------

    async def _review(self, store: Store, user: User) -> Outcome:
        lang = user.language
        active = await store.active_assessment(user.id)
        if active is not None and active.competence != "review":
            return Outcome([self.views.finish_test_first(lang)])
        now = self.clock()
        then: Served | Finished | ReviewFinished
        if active is None:
            if not await store.count_due_reviews(user.id, now):
                next_due = await store.next_review_due(user.id)
                return Outcome([self.views.nothing_to_review(lang, next_due)])
            then = await self.assessments.start_review(store, user.id, lang)
        else:
            then = await self.assessments.next(store, active, lang)
        if isinstance(then, ReviewFinished):
            return Outcome([self.views.review_done(lang, then)])
        assert isinstance(then, Served)
        return Outcome([self.views.challenge(lang, then)])

    # --- profile -----------------------------------------------------------------------

    async def _profile(self, store: Store, user: User) -> list[Message]:
        lang = user.language
        results = await store.latest_results(user.id)
        streak = self._streak(user)
        chart = await self._chart(lang, results)
        title = self.views.profile_title(lang, results)
        caption = title if not streak else f"{title} · {self.views.streak(lang, streak)}"
        return [Message(caption, image=chart), self.views.profile(lang, results, streak)]

    async def _chart(self, language: str, results: Mapping[str, CompetenceResult]) -> bytes:
        """The radar chart, drawn off the event loop and cached until the profile changes."""
        competences = [
            ChartCompetence(
                code=competence.code,
                area=area.code,
                area_name=area.name.get(language),
                level=results[competence.code].level if competence.code in results else None,
            )
            for area in self.bank.framework.areas
            for competence in area.competences
        ]
        total = sum(result.pix for result in results.values())
        title = self.views.profile_title(language, results)
        level_label = self.views.catalogs.get(language).gettext("level")
        key = hashlib.sha1(
            repr((competences, total, title, level_label)).encode(), usedforsecurity=False
        ).hexdigest()
        cached = self._charts.get(key)
        if cached is None:
            untested = self.views.catalogs.get(language).gettext("not tested")
            cached = await asyncio.to_thread(
                partial(profile_chart, untested_label=untested),
                competences,
                total,
                title,
                level_label,
            )
            self._charts[key] = cached
            while len(self._charts) > CHART_CACHE:
                self._charts.popitem(last=False)
        self._charts.move_to_end(key)
        return cached

    # --- tutorials ---------------------------------------------------------------------

    async def _tutorials(self, store: Store, user: User, page: int) -> Message:
        saved_rows = await store.saved_tutorials(user.id)
        saved = [
            (self.bank.tutorials[tid], useful)
            for tid, useful in saved_rows
            if tid in self.bank.tutorials
        ]
        saved_ids = {tutorial.id for tutorial, _ in saved}
        recommended: list[Tutorial] = []
        for skill in await store.failed_skills(user.id):
            for tutorial in self.bank.tutorials_for(skill, user.language)[:1]:
                if tutorial.id not in saved_ids and tutorial not in recommended:
                    recommended.append(tutorial)
        return self.views.tutorials(user.language, saved, recommended, page)

    async def _tutorial_press(self, store: Store, user: User, kind: str, ref: str) -> Outcome:
        lang = user.language
        _ = self.views.catalogs.get(lang).gettext
        tutorial = self.bank.tutorial_by_ref(ref)
        if tutorial is None:
            return Outcome(notice=self.views.closed(lang))
        now = self.clock()
        if kind == "save":
            await store.save_tutorial(user.id, tutorial.id, now)
            notice = _("Saved: find it with /tutorials.")
        else:
            await store.rate_tutorial(user.id, tutorial.id, True, now)
            notice = _("Thanks: marked as useful.")
        return Outcome(notice=notice)

    # --- tips --------------------------------------------------------------------------

    async def _tip(self, store: Store, user: User) -> Message:
        now = self.clock()
        results = await store.latest_results(user.id)
        average = sum(r.level for r in results.values()) / len(results) if results else 0.0
        level = next(tip_level for bound, tip_level in TIP_LEVELS if average < bound)
        seen = await store.tip_views(user.id)
        tip = choose_tip(
            self.bank.tips, level, seen, now, random.Random(f"{user.id}:{now.date()}")
        )
        if tip is not None:
            await store.saw_tip(user.id, tip.id, now)
        return self.views.tip(user.language, tip)

    # --- settings ----------------------------------------------------------------------

    async def _pick_timezone(self, store: Store, user: User, name: str) -> Outcome:
        user.timezone, user.awaiting = name, None
        self._reschedule(user)
        await store.save_user(user, self.clock())
        return Outcome([self.views.settings(user.language, user, self.clock())])

    async def _typed_timezone(self, store: Store, user: User, text: str) -> Outcome:
        name = parse(text)
        if name is None:
            return Outcome([self.views.timezone_unknown(user.language)])
        return await self._pick_timezone(store, user, name)

    async def _reminder_press(self, store: Store, user: User, kind: str, arg: str) -> Outcome:
        if kind == "remind":
            user.reminders = arg == "on"
        elif arg.isdigit() and 0 <= int(arg) <= 23:
            user.reminders, user.reminder_hour = True, int(arg)
        else:
            return Outcome(notice=self.views.closed(user.language))
        self._reschedule(user)
        await store.save_user(user, self.clock())
        screen = self.views.reminder(user.language, user)
        return Outcome(edits=[Edit(None, screen.text, screen.buttons)])

    def _reschedule(self, user: User) -> None:
        user.next_reminder_at = (
            next_reminder(user.timezone, user.reminder_hour, self.clock())
            if user.reminders
            else None
        )

    def timezone_choice(self, index: str) -> str | None:
        return COMMON[int(index)] if index.isdigit() and int(index) < len(COMMON) else None

    # --- reminders (called by the adapter's scheduler) ---------------------------------

    async def due_reminders(self, limit: int = 100) -> list[tuple[int, Message]]:
        """Claim the reminders that are due and return them to send. Claiming moves each to
        the next day first, so two processes never send the same one and a crash loses at
        most one reminder, never repeats it."""
        now = self.clock()
        claimed: list[tuple[int, Message]] = []
        async with self.stores() as store:  # type: ignore[attr-defined]
            for user in await store.due_reminders(now, limit):
                assert user.next_reminder_at is not None
                following = next_reminder(user.timezone, user.reminder_hour, now, skip_today=True)
                if not await store.claim_reminder(user.id, user.next_reminder_at, following):
                    continue
                due = await store.count_due_reviews(user.id, now)
                claimed.append(
                    (user.id, self.views.reminder_message(user.language, due, self._streak(user)))
                )
            await store.commit()
        return claimed

    async def set_blocked(self, user_id: int, blocked: bool) -> None:
        """A 403 or a my_chat_member update: stop (or resume) sending to this person."""
        async with self.stores() as store:  # type: ignore[attr-defined]
            await store.set_active(user_id, not blocked)
            await store.commit()


def choose_tip(
    tips: list[Tip],
    level: TipLevel,
    seen: Mapping[str, datetime],
    now: datetime,
    rng: random.Random,
) -> Tip | None:
    """A tip for learners at ``level`` (or the nearest level), not seen recently: never seen
    first, else the one seen longest ago."""
    order = list(TipLevel)
    learner_tips = [tip for tip in tips if tip.audience is not Audience.EDUCATORS]
    if not learner_tips:
        return None
    by_distance = sorted(
        {abs(order.index(tip.level) - order.index(level)) for tip in learner_tips}
    )
    for distance in by_distance:
        pool = [
            tip
            for tip in learner_tips
            if abs(order.index(tip.level) - order.index(level)) == distance
            and (tip.id not in seen or now - seen[tip.id] > RECENT_TIP)
        ]
        fresh = [tip for tip in pool if tip.id not in seen]
        if fresh or pool:
            return rng.choice(sorted(fresh or pool, key=lambda tip: tip.id))
    return min(learner_tips, key=lambda tip: (seen.get(tip.id, now), tip.id))
