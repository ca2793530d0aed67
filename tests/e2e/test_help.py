"""/help: one line per learner command in the person's language, one line for educators, a way
back to the menu; exactly the commands the bot answers."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from aiogram.methods import SendMessage

from bot.core.conversation import Conversation
from tests.telegram import ChatDriver, buttons_of

COMMAND = re.compile(r"(?<![\w/<])/([a-z]+)\b")  # not a closing tag
EDUCATORS = {"educator", "campaign", "groupsettings"}


@pytest.mark.parametrize(
    ("language", "title", "line", "educators", "menu"),
    [
        (
            "en",
            "❓ <b>Commands</b>",
            "/profile — Your levels and pix",
            "👩‍🏫 Educators:",
            "⬅️ Menu",
        ),
        (
            "fr",
            "❓ <b>Commandes</b>",
            "/profile — Vos niveaux et vos pix",
            "👩‍🏫 Enseignants",
            "⬅️ Menu",
        ),
        (
            "sv",
            "❓ <b>Kommandon</b>",
            "/profile — Dina nivåer och pix",
            "👩‍🏫 Lärare:",
            "⬅️ Meny",
        ),
    ],
    ids=["en", "fr", "sv"],
)
async def test_help_lists_each_command_once_and_a_line_for_educators(
    telegram: Callable[..., ChatDriver],
    conversation: Conversation,
    language: str,
    title: str,
    line: str,
    educators: str,
    menu: str,
) -> None:
    person = telegram(language=language)
    (sent,) = [r for r in await person.say("/help") if isinstance(r, SendMessage)]
    text = sent.text
    assert text.startswith(title + "\n\n") and line in text
    listed = [m.group(1) for m in map(COMMAND.match, text.splitlines()) if m]
    assert len(listed) == len(set(listed))  # each once
    (teachers,) = [row for row in text.splitlines() if row.startswith(educators)]
    assert set(COMMAND.findall(teachers)) == EDUCATORS
    # Exactly what the bot answers: every learner command it registers but /help itself,
    # and the educators' (/groupsettings is a group's).
    private = set(conversation.registry.commands)
    assert set(listed) == private - {"help"} - EDUCATORS
    assert set(COMMAND.findall(text)) <= private | set(conversation.groups.commands)
    assert [b.text for b in buttons_of(sent.reply_markup)] == [menu]

    await person.press(menu)  # the menu, in place of the list
    assert len(person.live_buttons()) > 1


async def test_help_in_a_private_chat_is_no_longer_the_welcome(learner: ChatDriver) -> None:
    await learner.say("/help")
    assert "I'm pixbot" not in learner.last_text and "/start — " in learner.last_text
