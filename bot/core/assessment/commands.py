"""Taking a test: choosing an area and a competence, improving or restarting a result,
answering challenges by button or typed text, and the result at the end."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from bot.core.assessment.callbacks import (
    Again,
    Area,
    Competence,
    Improve,
    Option,
    Reset,
    Resume,
    SaveAll,
    Skip,
    Submit,
    Test,
    test_link_competence,
)
from bot.core.assessment.ports import REJECTED_ANSWER_LIMIT
from bot.core.assessment.reports import Reports
from bot.core.assessment.screens import AssessmentScreens
from bot.core.assessments import Assessments, Finished, Served, failed_directly
from bot.core.chat import Edit, Message, Outcome, replacing
from bot.core.checking import check_choice, check_text, field_results, pretreat
from bot.core.ports import AssessmentStatus, Attempt, Awaiting, Clock
from bot.core.progress import Progress
from bot.core.registry import Registry, Turn, TurnMessage
from bot.core.retesting import retest
from bot.core.screens import CommonScreens
from bot.core.streaks import after_answer, local_day
from bot.core.text import ANSWER_LIMIT
from content.bank import ContentBank
from content.models import ChallengeType

# What follows a finished test besides its result (a campaign's next step): given when built.
AfterTest = Callable[[Turn, Finished], Awaitable[list[Message]]]
CHOICES = (ChallengeType.SINGLE, ChallengeType.MULTIPLE)


class AssessmentSlice:
    def __init__(
        self,
        bank: ContentBank,
        screens: AssessmentScreens,
        common: CommonScreens,
        assessments: Assessments,
        progress: Progress,
        clock: Clock,
        menu: TurnMessage,
        not_understood: TurnMessage,
        after_test: Sequence[AfterTest] = (),
    ) -> None:
        self.bank = bank
        self.screens = screens
        self.common = common
        self.assessments = assessments
        self.progress = progress
        self.clock = clock
        self.menu = menu  # typed text with no test waiting
        self.not_understood = not_understood  # a photo, a sticker… with no test waiting
        self.after_test = tuple(after_test)
        self.reports = Reports(bank, screens, common, clock)  # "⚠️ Report a problem"

    def register(self, registry: Registry) -> None:
        registry.command("test", self.areas)
        registry.press(Test, self.areas_in_place)
        registry.press(Again, self.areas_anew)
        registry.press(Area, self.area)
        registry.press(Competence, self.competence)
        registry.press(Improve, self.improve)
        registry.press(Reset, self.reset)
        registry.press(Resume, self.resume)
        registry.press(SaveAll, self.save_all)
        registry.start_link(lambda payload: test_link_competence(payload) is not None, self.link)
        for kind in (Option, Submit, Skip):  # answering keeps a search or a name awaited
            registry.press(kind, self.challenge_press, keeps_awaiting=True)
        self.reports.register(registry)

    # --- choosing what to test -----------------------------------------------------------

    async def areas(self, turn: Turn, args: str) -> Outcome:
        return Outcome([self.screens.areas(turn.language)])

    async def areas_in_place(self, turn: Turn, data: Test) -> Outcome:
        return replacing(self.screens.areas(turn.language))

    async def areas_anew(self, turn: Turn, data: Again) -> Outcome:
        return Outcome([self.screens.areas(turn.language)], [Edit(None, None)])

    async def area(self, turn: Turn, data: Area) -> Outcome:
        if data.code not in self.bank.areas:
            return self.closed(turn)
        results = await turn.store.latest_results(turn.user.id)
        return replacing(self.screens.competences(turn.language, data.code, results))

    async def competence(self, turn: Turn, data: Competence) -> Outcome:
        if data.code not in self.bank.competences:
            return self.closed(turn)
        result = (await turn.store.latest_results(turn.user.id)).get(data.code)
        if result is None:
            return await self.start_test(turn, data.code)
        area = self.bank.area_of[data.code]
        return replacing(self.screens.retest(turn.language, retest(result), self.clock(), area))

    async def improve(self, turn: Turn, data: Improve) -> Outcome:
        return await self._retest(turn, data.competence, improve=True)

    async def reset(self, turn: Turn, data: Reset) -> Outcome:
        return await self._retest(turn, data.competence, improve=False)

    async def _retest(self, turn: Turn, competence: str, improve: bool) -> Outcome:
        if competence not in self.bank.competences:
            return self.closed(turn)
        result = (await turn.store.latest_results(turn.user.id)).get(competence)
        if result is None:
            return await self.start_test(turn, competence)
        rules, now = retest(result), self.clock()
        if improve and rules.can_improve(now):
            return await self.start_test(turn, competence, result.assessment_id)
        if not improve and rules.can_reset(now):
            return await self.start_test(turn, competence)
        return self.closed(turn)

    async def resume(self, turn: Turn, data: Resume) -> Outcome:
        served = await self.progress.resume(turn.store, turn.user)
        if served is None:
            return self.closed(turn)
        edits = [Edit(None, None)]
        if served.attempt.message_id is not None:  # the same challenge shown earlier
            edits.append(Edit(served.attempt.message_id, None))
        return Outcome([self.screens.challenge(turn.language, served)], edits)

    async def link(self, turn: Turn, payload: str) -> Outcome:
        """A link to a competence's test (a shared result's "Take the test"): the test, or
        the result already there with what the retry rules allow."""
        code = test_link_competence(payload)
        if code is None or code not in self.bank.competences:
            return Outcome([await self.menu(turn)])
        result = (await turn.store.latest_results(turn.user.id)).get(code)
        if result is None:
            return await self.start_test(turn, code, pressed=False)
        area = self.bank.area_of[code]
        return Outcome([self.screens.retest(turn.language, retest(result), self.clock(), area)])

    async def start_test(
        self, turn: Turn, competence: str, based_on: int | None = None, pressed: bool = True
    ) -> Outcome:
        """The test's introduction in place of the screen pressed (or as a message when the
        test was opened by a link), then its first challenge."""
        store, user = turn.store, turn.user
        english = await self.assessments.in_english_first(store, user.id, user.language)
        intro = self.screens.test_intro(user.language, competence, english)
        edits = [Edit(None, intro)] if pressed else []
        messages = [] if pressed else [Message(intro)]
        shown = await self.assessments.pending_message(store, user.id)
        if shown is not None:
            edits.append(Edit(shown, None))
        then = await self.assessments.start(store, user.id, competence, user.language, based_on)
        return Outcome([*messages, self.screens.step(user.language, then)], edits)

    # --- answering -----------------------------------------------------------------------

    async def challenge_press(self, turn: Turn, data: Option | Submit | Skip) -> Outcome:
        lang = turn.language
        if turn.user.awaiting is Awaiting.REPORT_TEXT:  # back to the test: typing answers it
            turn.user.awaiting = None
            await turn.store.save_user(turn.user, self.clock())
        served = await self._open(turn, data.token)
        if served is None:
            return self.closed(turn)
        challenge, attempt = served.challenge, served.attempt
        if isinstance(data, Skip):
            return await self.answer(turn, served, "", correct=False, skipped=True)
        if isinstance(data, Option):
            if challenge.type not in CHOICES or data.position >= len(attempt.option_order):
                return self.closed(turn)
            index = attempt.option_order[data.position]
            if challenge.type is ChallengeType.SINGLE:
                correct = check_choice(challenge, [index])
                return await self.answer(turn, served, str(index), correct=correct)
            attempt.selection = sorted(set(attempt.selection) ^ {index})
            await turn.store.save_attempt_progress(attempt)
            buttons = self.screens.challenge_buttons(lang, challenge, attempt)
            return Outcome(edits=[Edit(None, None, buttons)])
        if challenge.type is not ChallengeType.MULTIPLE:
            return self.closed(turn)
        if not attempt.selection:
            return Outcome(notice=self.screens.select_first(lang))
        value = ",".join(map(str, attempt.selection))
        correct = check_choice(challenge, attempt.selection)
        return await self.answer(turn, served, value, correct=correct)

    async def _open(self, turn: Turn, token: str) -> Served | None:
        """The Served view of the attempt ``token`` if this user may still answer it, else
        None."""
        store = turn.store
        sitting = await store.sitting_of(token)
        if sitting is None or sitting.assessment.status is not AssessmentStatus.STARTED:
            return None
        attempt = next((a for a in sitting.attempts if a.token == token), None)
        if attempt is None or attempt.user_id != turn.user.id or attempt.answered:
            return None
        served = await self.assessments.pending(store, sitting.assessment, sitting.attempts)
        if served is None or served.attempt.id != attempt.id:
            return None
        return served

    async def typed(self, turn: Turn, text: str) -> Outcome:
        """Typed text with no other input awaited: an answer to the challenge waiting."""
        lang = turn.language
        served = await self.progress.pending(turn.store, turn.user)
        if served is None:
            return Outcome([await self.menu(turn)])
        challenge, attempt = served.challenge, served.attempt
        if attempt.message_id is None:
            # Its message never arrived (or was not recorded): show it, score nothing unseen.
            return Outcome([self.screens.challenge(lang, served)])
        if challenge.type in CHOICES:
            return Outcome([self.screens.use_buttons(lang)])
        if len(text) > ANSWER_LIMIT:
            return Outcome([self.screens.answer_too_long(lang)])
        answer = pretreat(text).strip()
        if not answer:
            return Outcome([self.screens.text_only(lang)])
        if challenge.type is ChallengeType.TEXT:
            correct = check_text(challenge, attempt.language, answer)
            if not correct:
                await self._count_rejected(turn, attempt, 0, answer)
            return await self.answer(turn, served, answer, correct, pressed=False)
        count = len(challenge.text(attempt.language).fields)
        attempt.fields = [
            *attempt.fields,
            *(line.strip() for line in answer.splitlines() if line.strip()),
        ]
        if len(attempt.fields) < count:
            await turn.store.save_attempt_progress(attempt)
            return Outcome([self.screens.next_field(lang, challenge, attempt)])
        values = attempt.fields[:count]
        marks = field_results(challenge, attempt.language, values)
        for number, (value, right) in enumerate(zip(values, marks, strict=True), 1):
            if not right:
                await self._count_rejected(turn, attempt, number, value)
        correct = all(marks)
        return await self.answer(turn, served, "\n".join(values), correct, pressed=False)

    async def _count_rejected(self, turn: Turn, attempt: Attempt, field: int, answer: str) -> None:
        """A typed answer marked wrong, counted for the authors: never who typed it."""
        await turn.store.count_rejected(
            attempt.challenge_id,
            attempt.language,
            field,
            answer[:REJECTED_ANSWER_LIMIT],
            self.clock().date(),
        )

    async def unsupported(self, turn: Turn) -> Outcome:
        """A photo, a sticker…: what the challenge waiting takes, or the menu."""
        served = await self.progress.pending(turn.store, turn.user)
        if served is not None and served.challenge.type in (
            ChallengeType.TEXT,
            ChallengeType.FIELDS,
        ):
            return Outcome([self.screens.text_only(turn.language)])
        if served is not None:
            return Outcome([self.screens.use_buttons(turn.language)])
        return Outcome([await self.not_understood(turn)])

    async def answer(
        self,
        turn: Turn,
        served: Served,
        value: str,
        correct: bool,
        skipped: bool = False,
        pressed: bool = True,
    ) -> Outcome:
        """Record the answer; the challenge message becomes the challenge with the answer and
        its correction, and what follows comes as a new message."""
        lang = turn.language
        corrected = await self.assessments.answer(turn.store, served, value, correct, skipped)
        answered = self.screens.answered(lang, served, corrected)
        target = None if pressed else served.attempt.message_id
        streak = await self._count_in_streak(turn)
        then = corrected.then
        shown = streak if isinstance(then, Finished) and self._first_today(turn, then) else 0
        messages = [self.screens.step(lang, then, shown)]
        if not pressed and target is None:  # never shown (so never typed to): as a message
            messages.insert(0, answered)
        edits = [Edit(target, answered.text, answered.buttons)] if pressed or target else []
        if isinstance(then, Finished):
            for after_test in self.after_test:
                messages += await after_test(turn, then)
        return Outcome(messages, edits)

    def _first_today(self, turn: Turn, finished: Finished) -> bool:
        """Whether this is the learner's first result of their day (the streak shows then)."""
        today = local_day(turn.user.timezone, self.clock())
        return all(
            local_day(turn.user.timezone, result.finished_at) != today
            for result in finished.earlier.values()
        )

    async def save_all(self, turn: Turn, data: SaveAll) -> Outcome:
        """ "💾 Save all" under a result: the tutorials it recommended, saved."""
        store = turn.store
        assessment = await store.get_assessment(data.assessment)
        if (
            assessment is None
            or assessment.user_id != turn.user.id
            or assessment.status is not AssessmentStatus.COMPLETED
        ):
            return self.closed(turn)
        failed = failed_directly(await store.knowledge_of(assessment.id))
        tutorials = self.screens.recommended(turn.language, failed)
        for tutorial in tutorials:
            await store.save_tutorial(turn.user.id, tutorial.id, self.clock())
        return Outcome(notice=self.screens.saved_all(turn.language, len(tutorials)))

    async def _count_in_streak(self, turn: Turn) -> int:
        user, now = turn.user, self.clock()
        today = local_day(user.timezone, now)
        days, last = after_answer(user.streak_days, user.streak_last_day, today)
        if (days, last) != (user.streak_days, user.streak_last_day):
            user.streak_days, user.streak_last_day = days, last
            await turn.store.save_user(user, now)
        return days

    def closed(self, turn: Turn) -> Outcome:
        return Outcome(notice=self.common.closed(turn.language))
