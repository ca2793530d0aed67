"""Assessment use cases: start, serve the next challenge, record an answer, finish.

Each takes an open Store; the caller commits once. Nothing here knows about chats.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Protocol

from bot.core import callbacks
from bot.core.chat import Message
from bot.core.engines import Engine, EngineState
from bot.core.ports import (
    REVIEW,
    AlreadyAnswered,
    Assessment,
    Attempt,
    Clock,
    CompetenceResult,
    Store,
)
from bot.core.retesting import kept_for_improvement
from bot.core.review import SESSION_SIZE, ReviewCard, first_card, reviewed
from bot.core.scoring import DEFAULT_MAX_LEVEL, Knowledge, Score, Source, score
from content.bank import ContentBank, content_language
from content.models import Challenge, ChallengeType


@dataclass(frozen=True)
class Served:
    assessment: Assessment
    attempt: Attempt
    challenge: Challenge
    index: int  # 1-based rank among the answered challenges
    # A test's progress is how sure the engine already is of the level (0 to 1; its length
    # is not known in advance); a review's is its length, fixed when it starts.
    sureness: float = 0.0
    total: int | None = None
    # What serving it read: answering goes on from there without reading the assessment's
    # attempts and the learner's seen challenges again.
    state: EngineState | None = field(default=None, repr=False, compare=False)
    attempts: tuple[Attempt, ...] = field(default=(), repr=False, compare=False)


@dataclass(frozen=True)
class Finished:
    assessment: Assessment
    score: Score
    knowledge: dict[str, Knowledge]
    failed_skills: list[str]  # skills failed directly: their tutorials are recommended
    attempts: tuple[Attempt, ...] = ()  # the test's challenges, answered, in order: its recap
    # The learner's latest result per competence before this test: whether the level is new
    # or higher, whether this is the day's first result.
    earlier: dict[str, CompetenceResult] = field(default_factory=dict)


@dataclass(frozen=True)
class ReviewFinished:
    assessment: Assessment
    right: int
    answered: int
    next_due: datetime | None


@dataclass(frozen=True)
class Corrected:
    attempt: Attempt
    challenge: Challenge
    correct: bool
    skipped: bool
    then: Served | Finished | ReviewFinished = field(repr=False)


class StepScreens(Protocol):
    """How a test's steps are shown (the assessment slice's screens implement it): given to
    the slices that start or continue a test or a review besides the assessment's own."""

    def test_intro(self, language: str, competence: str, in_english: bool = False) -> str: ...

    def step(
        self, language: str, then: Served | Finished | ReviewFinished, streak: int = 0
    ) -> Message:
        """The challenge served, or the result of the test or of the review just finished
        (``streak``: the days in a row, shown with the day's first result)."""
        ...


class Assessments:
    def __init__(
        self,
        bank: ContentBank,
        engine: Engine,
        clock: Clock,
        max_level: int = DEFAULT_MAX_LEVEL,
        new_seed: Callable[[], int] = lambda: secrets.randbits(31),
    ) -> None:
        self.bank = bank
        self.engine = engine
        self.clock = clock
        self.max_level = max_level
        self.new_seed = new_seed  # tests and simulations pass a deterministic source

    async def start(
        self,
        store: Store,
        user_id: int,
        competence: str,
        language: str,
        based_on: int | None = None,
    ) -> Served | Finished | ReviewFinished:
        """Abandon any test in progress and start one on ``competence``; ``based_on`` names
        the earlier assessment whose validated skills an improvement keeps."""
        now = self.clock()
        await store.abandon_assessments(user_id, now)
        seed = self.new_seed()
        seen = frozenset(await store.seen_challenges(user_id))
        assessment = await store.add_assessment(
            user_id, competence, self.engine.name, seed, now, based_on, seen
        )
        return await self.next(store, assessment, language, attempts=[])  # none yet

    async def in_english_first(self, store: Store, user_id: int, language: str) -> bool:
        """Whether to tell a learner that the challenges are in English: their interface
        language has no content (Swedish) and this is their first test."""
        if content_language(language) == language:
            return False
        return not await store.seen_challenges(user_id)

    async def start_review(
        self, store: Store, user_id: int, language: str
    ) -> Served | ReviewFinished:
        """A review session: the due skills, oldest first; levels do not change."""
        now = self.clock()
        seen = frozenset(await store.seen_challenges(user_id))
        assessment = await store.add_assessment(
            user_id, REVIEW, REVIEW, self.new_seed(), now, seen_before=seen
        )
        then = await self.next(store, assessment, language, attempts=[])  # none yet
        assert not isinstance(then, Finished)
        return then

    async def next(
        self,
        store: Store,
        assessment: Assessment,
        language: str,
        attempts: list[Attempt] | None = None,
    ) -> Served | Finished | ReviewFinished:
        """The pending challenge if there is one, else the engine's next, else the result
        (``attempts``: the assessment's, when already read)."""
        if assessment.engine == REVIEW:
            return await self._next_review(store, assessment, language, attempts)
        if attempts is None:
            attempts = await store.attempts(assessment.id)
        state = await self._state(store, assessment, attempts)
        return await self._next(store, assessment, attempts, state, language)

    async def _next(
        self,
        store: Store,
        assessment: Assessment,
        attempts: list[Attempt],
        state: EngineState,
        language: str,
    ) -> Served | Finished:
        pending = _waiting_answer(self.bank, attempts)
        if pending is not None:
            challenge = self.bank.challenges[pending.challenge_id]
            return self._served(state, assessment, pending, challenge, attempts)
        chosen = self.engine.next_challenge(state)
        if chosen is None:
            return await self._finish(store, assessment, state, attempts)
        attempt = await self._serve(store, assessment, chosen, attempts, language)
        return self._served(state, assessment, attempt, chosen, [*attempts, attempt])

    async def _serve(
        self,
        store: Store,
        assessment: Assessment,
        challenge: Challenge,
        attempts: list[Attempt],
        language: str,
    ) -> Attempt:
        attempt = Attempt(
            id=0,
            token=callbacks.new_token(),
            assessment_id=assessment.id,
            user_id=assessment.user_id,
            challenge_id=challenge.id,
            position=len(attempts) + 1,
            language=content_language(language),
            option_order=_option_order(challenge, assessment.seed, len(attempts)),
        )
        return await store.add_attempt(attempt, self.clock())

    async def _next_review(
        self,
        store: Store,
        assessment: Assessment,
        language: str,
        attempts: list[Attempt] | None = None,
    ) -> Served | ReviewFinished:
        if attempts is None:
            attempts = await store.attempts(assessment.id)
        pending = _waiting_answer(self.bank, attempts)
        answered, waiting, total = await self._review_progress(store, assessment, attempts)
        if pending is not None:
            challenge = self.bank.challenges[pending.challenge_id]
            return Served(assessment, pending, challenge, len(answered) + 1, total=total)
        if not waiting or len(answered) >= SESSION_SIZE:
            assessment.pix = assessment.level = None
            await store.finish_assessment(assessment, {}, self.clock())
            right = sum(1 for a in answered if a.correct)
            next_due = await store.next_review_due(assessment.user_id)
            return ReviewFinished(assessment, right, len(answered), next_due)
        seen = assessment.seen_before
        if seen is None:
            seen = frozenset(await store.seen_challenges(assessment.user_id))
        pool = sorted(self.bank.challenges_of(waiting[0].skill), key=lambda c: c.id)
        fresh = [c for c in pool if c.id not in seen] or pool
        challenge = random.Random(assessment.seed * 31 + len(attempts)).choice(fresh)
        attempt = await self._serve(store, assessment, challenge, attempts, language)
        return Served(assessment, attempt, challenge, len(answered) + 1, total=total)

    async def _review_progress(
        self, store: Store, assessment: Assessment, attempts: list[Attempt]
    ) -> tuple[list[Attempt], list[ReviewCard], int]:
        """A review's answered attempts, the due cards not asked yet, and its length: the cards
        due when it started, so the length shown never changes while it runs (no engine
        measures a review)."""
        answered = [a for a in attempts if a.answered]
        pending = _waiting_answer(self.bank, attempts)
        due = await store.due_reviews(assessment.user_id, assessment.started_at, SESSION_SIZE)
        asked = {
            self.bank.challenges[a.challenge_id].skill
            for a in attempts
            if a.challenge_id in self.bank.challenges
        }
        waiting = [
            card for card in due if card.skill not in asked and self.bank.challenges_of(card.skill)
        ]
        total = min(SESSION_SIZE, len(answered) + (pending is not None) + len(waiting))
        return answered, waiting, max(total, 1)

    async def pending(
        self, store: Store, assessment: Assessment, attempts: list[Attempt] | None = None
    ) -> Served | None:
        """The challenge waiting for an answer, without serving a new one (``attempts``: the
        assessment's, when already read)."""
        if attempts is None:
            attempts = await store.attempts(assessment.id)
        attempt = _waiting_answer(self.bank, attempts)
        if attempt is None:
            return None
        challenge = self.bank.challenges[attempt.challenge_id]
        if assessment.engine == REVIEW:  # no engine measures a review: its own progress
            answered, _, total = await self._review_progress(store, assessment, attempts)
            return Served(assessment, attempt, challenge, len(answered) + 1, total=total)
        state = await self._state(store, assessment, attempts)
        return self._served(state, assessment, attempt, challenge, attempts)

    async def pending_message(self, store: Store, user_id: int) -> int | None:
        """The message showing the challenge that waits in the test in progress, whose buttons
        close when another test starts."""
        active = await store.active_sitting(user_id)
        pending = None if active is None else _waiting_answer(self.bank, active.attempts)
        return None if pending is None else pending.message_id

    async def answer(
        self, store: Store, served: Served, value: str, correct: bool, skipped: bool = False
    ) -> Corrected:
        """Record the answer to the served challenge (once: AlreadyAnswered otherwise), then
        go on."""
        attempt, assessment, challenge = served.attempt, served.assessment, served.challenge
        if attempt.answered:
            raise AlreadyAnswered(attempt.token)
        now = self.clock()
        # A failure in a test puts the skill in the review queue: mostly its first, whose card
        # goes in with the answer (one statement on PostgreSQL).
        fresh = None
        if assessment.engine != REVIEW and not correct:
            fresh = first_card(assessment.user_id, challenge.skill, now)
        carded = await store.record_answer(attempt, value, correct, skipped, now, fresh)
        attempt.answered, attempt.correct, attempt.skipped, attempt.value = (
            True,
            correct,
            skipped,
            value,
        )
        if not carded:
            await self._schedule_review(store, assessment, challenge, correct)
        then: Served | Finished | ReviewFinished
        if served.state is None or assessment.engine == REVIEW:  # a review: its own order
            then = await self.next(store, assessment, attempt.language)
        else:  # the state it was served in, plus this answer
            answers = [*served.state.answers, (challenge, correct)]
            state = replace(served.state, answers=answers)
            attempts = list(served.attempts)
            then = await self._next(store, assessment, attempts, state, attempt.language)
        return Corrected(attempt, challenge, correct, skipped, then)

    async def _schedule_review(
        self, store: Store, assessment: Assessment, challenge: Challenge, correct: bool
    ) -> None:
        """A review result moves its card; a failure in a test whose skill has a card already
        moves it (a first failure's card went in with the answer)."""
        if assessment.engine != REVIEW and correct:
            return
        now = self.clock()
        card = await store.review_card(assessment.user_id, challenge.skill)
        if card is not None:
            await store.save_review_card(reviewed(card, correct, now), now)
        elif not correct:
            await store.save_review_card(first_card(assessment.user_id, challenge.skill, now), now)

    async def _state(
        self, store: Store, assessment: Assessment, attempts: list[Attempt]
    ) -> EngineState:
        if assessment.engine == REVIEW:  # its competence is no competence: nothing to measure
            raise ValueError(f"assessment {assessment.id} is a review: no engine measures it")
        answers = [
            (self.bank.challenges[a.challenge_id], bool(a.correct))
            for a in attempts
            if a.answered and a.challenge_id in self.bank.challenges
        ]
        # Met before this test: recorded when it started, so the state, and the engine's memo
        # of it, stays the same while it runs; a test started before that was recorded reads
        # them, less its own challenges (asked or pending).
        if assessment.seen_before is not None:
            seen = set(assessment.seen_before)
        else:
            seen = await store.seen_challenges(assessment.user_id)
            seen.difference_update(a.challenge_id for a in attempts)
        known = (
            kept_for_improvement(await store.knowledge_of(assessment.based_on))
            if assessment.based_on is not None
            else {}
        )
        return EngineState(
            bank=self.bank,
            competence=assessment.competence,
            answers=answers,
            seed=assessment.seed,
            seen=frozenset(seen),
            known=known,
        )

    def _served(
        self,
        state: EngineState,
        assessment: Assessment,
        attempt: Attempt,
        challenge: Challenge,
        attempts: list[Attempt],
    ) -> Served:
        index = len(state.answers) + 1
        sureness = self.engine.sureness(state)
        return Served(
            assessment, attempt, challenge, index, sureness, None, state, tuple(attempts)
        )

    async def _finish(
        self, store: Store, assessment: Assessment, state: EngineState, attempts: list[Attempt]
    ) -> Finished:
        knowledge = self.engine.knowledge(state)
        result = score(state.skills, knowledge, self.max_level)
        assessment.pix, assessment.level = result.pix, result.level
        earlier = await store.latest_results(assessment.user_id)
        await store.finish_assessment(assessment, knowledge, self.clock())
        failed = failed_directly(knowledge)
        asked = tuple(a for a in attempts if a.answered and a.challenge_id in self.bank.challenges)
        return Finished(assessment, result, knowledge, failed, asked, earlier)


def failed_directly(knowledge: dict[str, Knowledge]) -> list[str]:
    """The skills a test failed by an answer (not by inference): their tutorials are the
    ones to recommend."""
    return [
        name
        for name, known in knowledge.items()
        if known.source is Source.DIRECT and not known.validated
    ]


def _waiting_answer(bank: ContentBank, attempts: list[Attempt]) -> Attempt | None:
    """The attempt served and not answered yet. A challenge removed from the bank since it was
    served is passed over, not counted."""
    return next(
        (a for a in attempts if not a.answered and a.challenge_id in bank.challenges), None
    )


def _option_order(challenge: Challenge, seed: int, salt: int) -> list[int]:
    if challenge.type not in (ChallengeType.SINGLE, ChallengeType.MULTIPLE):
        return []
    order = list(range(len(challenge.text("en").options)))
    if challenge.shuffle:
        random.Random(seed * 7919 + salt).shuffle(order)
    return order
