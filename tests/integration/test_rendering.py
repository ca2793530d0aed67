"""Every challenge of the shipped bank renders as a valid Telegram message in every language:
escaped HTML, within 4096 characters, buttons within 64 bytes of callback data, at most 3 in a
row and labels a phone shows whole; answered, it still fits with its correction."""

from __future__ import annotations

import collections
import random
from datetime import UTC, datetime

import pytest

from bot.core.assessment.screens import AssessmentScreens
from bot.core.assessments import Corrected, Finished, Served
from bot.core.chat import Button
from bot.core.i18n import Catalogs
from bot.core.ports import Assessment, AssessmentStatus, Attempt
from bot.core.screens import CommonScreens
from content.bank import ContentBank
from content.loader import CONTENT_ROOT, load_bank
from tests.telegram import assert_valid_html


@pytest.fixture(scope="module")
def shipped() -> ContentBank:
    return load_bank(CONTENT_ROOT)


@pytest.mark.parametrize("language", ["en", "fr", "sv"])
def test_every_challenge_renders_valid_telegram_html(shipped: ContentBank, language: str) -> None:
    catalogs = Catalogs()
    views = AssessmentScreens(shipped, catalogs, CommonScreens(catalogs))
    content_lang = "fr" if language == "fr" else "en"
    for challenge in shipped.challenges.values():
        competence = shipped.tube_competence[challenge.tube]
        assessment = Assessment(
            1, 1, competence, "smart-random", 1, AssessmentStatus.STARTED, datetime.now(UTC)
        )
        options = len(challenge.text(content_lang).options)
        attempt = Attempt(
            1,
            "AbCdEfGhIjK",
            1,
            1,
            challenge.id,
            1,
            content_lang,
            list(range(options))[::-1],
            selection=[0] if options else [],
        )
        served = Served(assessment, attempt, challenge, 12, sureness=0.7)
        message = views.challenge(language, served)
        assert_valid_html(message.text)
        assert_fits_a_phone(message.buttons)
        attempt.answered, attempt.correct, attempt.value = True, False, "0" if options else "x"
        finished = Finished(assessment, None, {}, [])  # type: ignore[arg-type]
        fields = challenge.text(content_lang).fields
        # The longest answer a learner may type, in every field (wrong: each one echoed back).
        worst = "\n".join(["about 1 <b>" * 20] * len(fields))
        for value in ("0" if options else "x", ",".join(map(str, range(options))), worst):
            attempt.value = value
            corrected = Corrected(attempt, challenge, False, False, finished)
            answered = views.answered(language, served, corrected)
            assert_valid_html(answered.text)  # within 4096 too
            assert "Challenge 12" in answered.text or language != "en", challenge.id
            assert_fits_a_phone(answered.buttons)
        reasons = views.report_reasons(language, challenge, attempt)
        assert_valid_html(reasons.text)


def assert_fits_a_phone(keyboard: tuple[tuple[Button, ...], ...]) -> None:
    for row in keyboard:
        assert 1 <= len(row) <= 3, [button.label for button in row]
        for button in row:
            assert 1 <= len(button.data.encode()) <= 64 and button.label
            # An option's own text (at most 28 characters) with a tick box, or a short label.
            assert len(button.label) <= 32, button.label


def test_quiz_polls_shuffle_their_options_and_the_right_one_follows(shipped: ContentBank) -> None:
    """Polls sent in the bank's order let "always the first option" win most of them."""
    from bot.core.groups.screens import GroupScreens

    screens = GroupScreens(shipped, Catalogs())
    polls = [c for c in shipped.challenges.values() if c.poll_eligible]
    positions = collections.Counter()
    for send, challenge in enumerate(polls * 4):
        poll = screens.quiz("en", challenge, random.Random(send))["poll"]
        right = challenge.text("en").options[min(challenge.right_indexes)]
        assert poll["options"][poll["correct_option_ids"][0]] == right
        assert sorted(poll["options"]) == sorted(challenge.text("en").options)
        positions[poll["correct_option_ids"][0]] += 1
    sends = sum(positions.values())
    # The first option is right about once in as many options as a poll has (3 to 5), not 77 %.
    assert positions[0] / sends < 0.35, positions
    assert len(positions) >= 4


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_poll_eligible_challenge_makes_a_valid_quiz_poll(
    shipped: ContentBank, language: str
) -> None:
    import html
    import re

    from bot.core.groups.screens import GroupScreens

    screens = GroupScreens(shipped, Catalogs())
    polls = [c for c in shipped.challenges.values() if c.poll_eligible]
    assert len(polls) >= 100
    for challenge in polls:
        poll = screens.quiz(language, challenge, random.Random(challenge.id))["poll"]
        right = challenge.text(language).options[min(challenge.right_indexes)]
        assert poll["options"][poll["correct_option_ids"][0]] == right, challenge.id
        assert 1 <= len(poll["question"]) <= 300, challenge.id
        assert 2 <= len(poll["options"]) <= 12 and all(1 <= len(o) <= 100 for o in poll["options"])
        visible = html.unescape(re.sub(r"<[^>]+>", "", poll["explanation"]))
        assert len(visible) <= 200, challenge.id
        assert_valid_html(poll["explanation"])
