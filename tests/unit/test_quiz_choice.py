"""Which question a group's daily quiz asks (issue 18): never one quizzed there in the last 60
days while another is left."""

from __future__ import annotations

import dataclasses
import random
from datetime import UTC, datetime, timedelta

from bot.core.groups.use_cases import QUIZ_REUSE_DAYS, TOPIC_TUBES, choose_quiz
from content.bank import ContentBank
from content.loader import load_bank

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)


def test_a_question_rests_60_days_in_a_group(bank: ContentBank) -> None:
    polls = sorted(c.id for c in bank.challenges.values() if c.poll_eligible)
    assert len(polls) >= 3
    ago = [timedelta(days=QUIZ_REUSE_DAYS + 1), timedelta(days=10), timedelta(days=5)]
    used = {cid: NOW - delta for cid, delta in zip(polls, ago, strict=False)}
    for seed in range(20):  # whatever the draw: the only one rested
        chosen = choose_quiz(bank, "all", used, random.Random(seed), NOW)
        assert chosen is not None and chosen.id == polls[0]
    # All asked within 60 days: the one asked longest ago.
    used[polls[0]] = NOW - timedelta(days=20)
    chosen = choose_quiz(bank, "all", used, random.Random(1), NOW)
    assert chosen is not None and chosen.id == polls[0]
    # One never asked: that one.
    del used[polls[1]]
    chosen = choose_quiz(bank, "all", used, random.Random(1), NOW)
    assert chosen is not None and chosen.id == polls[1]


def test_a_quiz_follows_the_groups_audience(bank: ContentBank) -> None:
    """People at work get a question set at work, pupils never one, when the bank has both."""
    polls = sorted(c.id for c in bank.challenges.values() if c.poll_eligible)
    work = polls[0]
    challenges = dict(bank.challenges)
    challenges[work] = challenges[work].model_copy(update={"at_work": True})
    staffed = dataclasses.replace(bank, challenges=challenges)
    for seed in range(10):
        rng = random.Random(seed)
        for_staff = choose_quiz(staffed, "all", {}, rng, NOW, "professionals")
        for_pupils = choose_quiz(staffed, "all", {}, rng, NOW, "pupils")
        assert for_staff is not None and for_staff.id == work
        assert for_pupils is not None and for_pupils.id != work


def test_a_quiz_follows_the_groups_topics() -> None:
    """A group about phishing is quizzed on phishing; every tube a topic names is in the
    shipped bank (a renamed tube would silently quiz on everything)."""
    shipped = load_bank()
    assert {t for tubes in TOPIC_TUBES.values() for t in tubes} <= set(shipped.tubes)
    for seed in range(10):
        chosen = choose_quiz(shipped, "basic", {}, random.Random(seed), NOW, topics=["phishing"])
        assert chosen is not None and chosen.tube == "securePhishing"
    anything = {
        choose_quiz(shipped, "basic", {}, random.Random(seed), NOW).tube  # type: ignore[union-attr]
        for seed in range(30)
    }
    assert anything != {"securePhishing"}
