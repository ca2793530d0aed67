"""LOG_LEVEL=DEBUG helps an operator without writing learners' data into the log: names and
typed answers reach it only when the operator opts in (LOG_SQL=true)."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest

from bot.logs import configure_logging
from content.bank import ContentBank
from content.models import ChallengeType
from tests.conftest import TOKEN, FakeClock
from tests.e2e.test_assessment import start_test
from tests.e2e.test_chat_input import walk_to
from tests.telegram import ChatDriver

NAME = "Zéphyrine"
TYPED = "my-typed-answer-4711"


async def converse(
    telegram: Callable[..., ChatDriver], bank: ContentBank, clock: FakeClock
) -> None:
    """A learner starts a test and types an answer to a text challenge."""
    learner = telegram(user_id=4711, first_name=NAME)
    await start_test(learner)
    await walk_to(learner, bank, ChallengeType.TEXT, clock)
    await learner.say(TYPED)
    assert f"Your answer: {TYPED}" in learner.last_text or TYPED in str(learner.sent[-3:])


@pytest.mark.parametrize("log_format", ["text", "json"])
async def test_debug_logs_hold_no_name_and_no_typed_answer(
    telegram: Callable[..., ChatDriver],
    bank: ContentBank,
    clock: FakeClock,
    capsys: pytest.CaptureFixture[str],
    restore_logging: None,
    log_format: str,
) -> None:
    configure_logging("DEBUG", TOKEN, log_format="json" if log_format == "json" else "text")
    await converse(telegram, bank, clock)
    logging.getLogger("pixbot.test").debug("the conversation is over")
    log = capsys.readouterr().err
    assert "the conversation is over" in log  # DEBUG lines do reach the log
    assert NAME not in log and NAME.encode("unicode_escape").decode() not in log
    assert TYPED not in log


async def test_log_sql_lets_the_statements_and_their_parameters_through(
    telegram: Callable[..., ChatDriver],
    bank: ContentBank,
    clock: FakeClock,
    capsys: pytest.CaptureFixture[str],
    restore_logging: None,
) -> None:
    configure_logging("DEBUG", TOKEN, log_sql=True)
    await converse(telegram, bank, clock)
    log = capsys.readouterr().err
    assert "INSERT INTO answers" in log and TYPED in log and NAME in log
