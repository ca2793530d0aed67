"""Spaced review of failed skills, scheduled with FSRS (the `fsrs` package).

Learning steps are disabled so intervals are whole days: a skill missed then answered right
each time comes back after about 1, 2, 6, 17, 44, 102 days. Reviews never change levels."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, cast

from fsrs import Card, Rating, Scheduler

SCHEDULER: Final = Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)
SESSION_SIZE: Final = 10  # reviews served in one go at most


@dataclass
class ReviewCard:
    user_id: int
    skill: str
    card: dict[str, Any]  # FSRS state, as Card.to_dict()
    due: datetime
    reviews: int = 0


def first_card(user_id: int, skill: str, now: datetime) -> ReviewCard:
    """A skill just failed: it enters the queue as a first review rated Again."""
    # An explicit id: without one, fsrs sleeps 1 ms (blocking the event loop) to make it unique.
    fresh = Card(card_id=int(now.timestamp() * 1000))
    card, _ = SCHEDULER.review_card(fresh, Rating.Again, now)
    return ReviewCard(user_id, skill, dict(card.to_dict()), card.due)


def reviewed(card: ReviewCard, correct: bool, now: datetime) -> ReviewCard:
    """The card after a review: Good when right, Again when wrong."""
    state = Card.from_dict(cast(Any, card.card))
    state, _ = SCHEDULER.review_card(state, Rating.Good if correct else Rating.Again, now)
    return ReviewCard(card.user_id, card.skill, dict(state.to_dict()), state.due, card.reviews + 1)
