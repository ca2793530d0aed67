"""What brings learners back: reviews of missed skills, tutorials, tips and the daily
reminder (claimed by the adapter's scheduler)."""

from __future__ import annotations

import random

from bot.core.assessments import Assessments, Finished, ReviewFinished, Served, StepScreens
from bot.core.chat import Edit, Message, Outcome, replacing
from bot.core.habits.callbacks import (
    Review,
    SaveTutorial,
    ShowTip,
    Tutorials,
    TutorialsPage,
    UsefulTutorial,
)
from bot.core.habits.screens import HabitsScreens
from bot.core.habits.tips import choose_tip, tip_level
from bot.core.ports import REVIEW, Clock, StoreFactory
from bot.core.registry import Registry, Turn
from bot.core.reminders import next_reminder
from bot.core.screens import CommonScreens
from bot.core.streaks import current, local_day
from content.bank import ContentBank
from content.models import Tutorial


class HabitsSlice:
    def __init__(
        self,
        bank: ContentBank,
        screens: HabitsScreens,
        steps: StepScreens,
        common: CommonScreens,
        assessments: Assessments,
        stores: StoreFactory,
        clock: Clock,
    ) -> None:
        self.bank = bank
        self.screens = screens
        self.steps = steps  # a review's challenges and its end
        self.common = common
        self.assessments = assessments
        self.stores = stores
        self.clock = clock

    def register(self, registry: Registry) -> None:
        registry.command("review", self.review)
        registry.command("tutorials", self.tutorials)
        registry.command("tip", self.tip)
        registry.press(Review, self.review_anew)
        registry.press(Tutorials, self.tutorials_anew)
        registry.press(TutorialsPage, self.tutorials_page)
        registry.press(SaveTutorial, self.save_tutorial)
        registry.press(UsefulTutorial, self.useful_tutorial)
        registry.press(ShowTip, self.tip_anew)

    # --- reviews -------------------------------------------------------------------------

    async def review(self, turn: Turn, args: str = "") -> Outcome:
        store, user, lang = turn.store, turn.user, turn.language
        active = await store.active_assessment(user.id)
        if active is not None and active.competence != REVIEW:
            return Outcome([self.screens.finish_test_first(lang)])
        now = self.clock()
        then: Served | Finished | ReviewFinished
        if active is None:
            if not await store.count_due_reviews(user.id, now):
                next_due = await store.next_review_due(user.id)
                return Outcome([self.screens.nothing_to_review(lang, next_due)])
            then = await self.assessments.start_review(store, user.id, lang)
        else:
            then = await self.assessments.next(store, active, lang)
        assert isinstance(then, Served | ReviewFinished)
        return Outcome([self.steps.step(lang, then)])

    async def review_anew(self, turn: Turn, data: Review) -> Outcome:
        outcome = await self.review(turn)
        outcome.edits.append(Edit(None, None))
        return outcome

    # --- tutorials -----------------------------------------------------------------------

    async def tutorials(self, turn: Turn, args: str) -> Outcome:
        return Outcome([await self._tutorials(turn, 0)])

    async def tutorials_anew(self, turn: Turn, data: Tutorials) -> Outcome:
        return Outcome([await self._tutorials(turn, 0)], [Edit(None, None)])

    async def tutorials_page(self, turn: Turn, data: TutorialsPage) -> Outcome:
        return replacing(await self._tutorials(turn, data.number))

    async def _tutorials(self, turn: Turn, page: int) -> Message:
        store, user = turn.store, turn.user
        saved = [
            (self.bank.tutorials[tid], useful)
            for tid, useful in await store.saved_tutorials(user.id)
            if tid in self.bank.tutorials
        ]
        saved_ids = {tutorial.id for tutorial, _ in saved}
        recommended: list[Tutorial] = []
        for skill in await store.failed_skills(user.id):
            for tutorial in self.bank.tutorials_for(skill, user.language)[:1]:
                if tutorial.id not in saved_ids and tutorial not in recommended:
                    recommended.append(tutorial)
        return self.screens.tutorials(user.language, saved, recommended, page)

    async def save_tutorial(self, turn: Turn, data: SaveTutorial) -> Outcome:
        tutorial = self.bank.tutorial_by_ref(data.ref)
        if tutorial is None:
            return Outcome(notice=self.common.closed(turn.language))
        await turn.store.save_tutorial(turn.user.id, tutorial.id, self.clock())
        return Outcome(notice=self.screens.saved(turn.language))

    async def useful_tutorial(self, turn: Turn, data: UsefulTutorial) -> Outcome:
        tutorial = self.bank.tutorial_by_ref(data.ref)
        if tutorial is None:
            return Outcome(notice=self.common.closed(turn.language))
        await turn.store.rate_tutorial(turn.user.id, tutorial.id, True, self.clock())
        return Outcome(notice=self.screens.marked_useful(turn.language))

    # --- tips ----------------------------------------------------------------------------

    async def tip(self, turn: Turn, args: str) -> Outcome:
        return Outcome([await self._tip(turn)])

    async def tip_anew(self, turn: Turn, data: ShowTip) -> Outcome:
        return Outcome([await self._tip(turn)], [Edit(None, None)])

    async def _tip(self, turn: Turn) -> Message:
        store, user, now = turn.store, turn.user, self.clock()
        results = await store.latest_results(user.id)
        average = sum(r.level for r in results.values()) / len(results) if results else 0.0
        seen = await store.tip_views(user.id)
        tip = choose_tip(
            self.bank.tips,
            tip_level(average),
            seen,
            now,
            random.Random(f"{user.id}:{now.date()}"),
        )
        if tip is not None:
            await store.saw_tip(user.id, tip.id, now)
        return self.screens.tip(user.language, tip)

    # --- reminders (called by the adapter's scheduler) -----------------------------------

    async def due_reminders(self, limit: int = 100) -> list[tuple[int, Message]]:
        """Claim the reminders that are due and return them to send. Claiming moves each to
        the next day first, so two processes never send the same one and a crash loses at
        most one reminder, never repeats it."""
        now = self.clock()
        claimed: list[tuple[int, Message]] = []
        async with self.stores() as store:
            for user in await store.due_reminders(now, limit):
                assert user.next_reminder_at is not None
                following = next_reminder(user.timezone, user.reminder_hour, now, skip_today=True)
                if not await store.claim_reminder(user.id, user.next_reminder_at, following):
                    continue
                due = await store.count_due_reviews(user.id, now)
                streak = current(
                    user.streak_days, user.streak_last_day, local_day(user.timezone, now)
                )
                claimed.append(
                    (user.id, self.screens.reminder_message(user.language, due, streak))
                )
            await store.commit()
        return claimed
