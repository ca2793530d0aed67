"""/about: what the bot is, who runs it, what it keeps and how to flag a question, in the
person's language, with a way back to the menu; it is in Telegram's command menu."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from aiogram.methods import SendMessage

from bot.core.screens import LEARNER_COMMANDS
from tests.telegram import ChatDriver


@pytest.mark.parametrize(
    ("language", "title", "flag"),
    [
        ("en", "ℹ️ <b>About pixbot</b>", '"⚠️ Report a problem"'),
        ("fr", "ℹ️ <b>À propos de pixbot</b>", "«\u202f⚠️ Signaler un problème\u202f»"),
        ("sv", "ℹ️ <b>Om pixbot</b>", "”⚠️ Rapportera ett problem”"),
    ],
)
async def test_about_says_what_the_bot_is_and_keeps(
    telegram: Callable[..., ChatDriver], language: str, title: str, flag: str
) -> None:
    person = telegram(language=language)
    sent = [r for r in await person.say("/about") if isinstance(r, SendMessage)]
    assert len(sent) == 1
    text = sent[0].text
    assert text.startswith(title + "\n\n")
    assert "pix.fr" in text and "/mydata" in text and "/deleteme" in text and flag in text
    await person.press(person.live_buttons()[0])  # ⬅️ Back: the menu, in place
    assert person.live_buttons()[0] != "⬅️ Back"


def test_about_is_in_the_command_menu() -> None:
    assert "about" in [name for name, _ in LEARNER_COMMANDS]
