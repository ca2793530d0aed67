"""Where a learner is: the test in progress and the reviews due, which the menu shows and
several slices come back to."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.assessments import Assessments, Served
from bot.core.ports import Clock, Store, User


@dataclass(frozen=True)
class Home:
    """What the menu shows besides the fixed entries."""

    resume: Served | None = None
    due_reviews: int = 0


class Progress:
    def __init__(self, assessments: Assessments, clock: Clock) -> None:
        self.assessments = assessments
        self.clock = clock

    async def resume(self, store: Store, user: User) -> Served | None:
        """The challenge waiting in the test in progress (served now if none is)."""
        active = await store.active_sitting(user.id)
        if active is None:
            return None
        served = await self.assessments.next(
            store, active.assessment, user.language, active.attempts
        )
        return served if isinstance(served, Served) else None

    async def pending(self, store: Store, user: User) -> Served | None:
        """The challenge waiting for an answer, without serving a new one."""
        active = await store.active_sitting(user.id)
        if active is None:
            return None
        return await self.assessments.pending(store, active.assessment, active.attempts)

    async def home(self, store: Store, user: User) -> Home:
        return Home(
            await self.resume(store, user),
            await store.count_due_reviews(user.id, self.clock()),
        )
