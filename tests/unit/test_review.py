"""FSRS review cards (bot/core/review.py)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from bot.core.review import first_card, reviewed

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


def test_a_first_card_never_blocks_the_event_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    def sleep(_seconds: float) -> None:
        raise AssertionError("time.sleep blocks every learner served by this process")

    monkeypatch.setattr(time, "sleep", sleep)
    card = first_card(1, "@search3", NOW)
    assert card.due - NOW == timedelta(days=1)  # missed: back tomorrow


def test_a_right_review_pushes_the_card_further() -> None:
    card = first_card(1, "@search3", NOW)
    again = reviewed(card, True, card.due)
    assert again.reviews == 1
    assert again.due - card.due > timedelta(days=1)
