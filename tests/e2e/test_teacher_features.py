"""Teacher features are findable (issue 20, point 3): /start and /help name them, Telegram's
private menu lists them, /groupsettings sent in a private chat says where it goes, and a
private chat's command sent in a group gets a one-line hint with the private chat one tap away
(once a minute per command in a group, like the members' other group commands)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from aiogram import Bot
from aiogram.methods import SendMessage, SetMyCommands

from bot.core.conversation import Conversation
from bot.serving.lifecycle import set_commands
from tests.conftest import FakeClock
from tests.telegram import (
    BOT_USERNAME,
    ChatDriver,
    RecordingSession,
    buttons_of,
    sent_texts,
    transport_of,
)

GROUP = -1001234567833
PUPIL = 733
LINK = f"https://t.me/{BOT_USERNAME}?start="


def sent(requests: list[Any]) -> list[SendMessage]:
    return [r for r in requests if isinstance(r, SendMessage)]


@pytest.mark.parametrize(
    ("language", "educators"),
    [
        ("en", "👩‍🏫 Educators: /educator to sign up, /campaign to create"),
        ("fr", "👩‍🏫 Enseignants\u202f: /educator pour vous inscrire, /campaign pour créer"),
    ],
)
async def test_start_and_help_name_the_educators_commands_in_one_line(
    telegram: Callable[..., ChatDriver], language: str, educators: str
) -> None:
    person = telegram(language=language)
    for command in ("/start", "/help"):
        [message] = sent_texts(await person.say(command))
        [line] = [row for row in message.splitlines() if row.startswith("👩‍🏫")]
        assert line.startswith(educators) and "/groupsettings" in line


@pytest.mark.parametrize("language", [None, "fr"])
async def test_the_private_menu_lists_the_educators_commands_and_join(
    conversation: Conversation,
    session: RecordingSession,
    make_runtime: Callable[..., Awaitable[Any]],
    bot: Bot,
    language: str | None,
) -> None:
    await set_commands(transport_of(await make_runtime(conversation), bot), conversation)
    sent = session.take()
    [private] = [
        r.commands
        for r in sent
        if isinstance(r, SetMyCommands)
        and r.scope.type == "all_private_chats"  # type: ignore[union-attr]
        and r.language_code == language
    ]
    menu = {c.command: c.description for c in private}
    assert {"educator", "campaign", "join", "library"} <= set(menu)
    if language == "fr":
        assert menu["campaign"] == "Enseignants\u202f: vos campagnes et leurs résultats"
    else:
        assert menu["educator"] == "Educators: sign up for campaigns"
    # A group's administrators find how to type its time zone in the group's menu.
    [admins] = [
        r.commands
        for r in sent
        if isinstance(r, SetMyCommands)
        and r.scope.type == "all_chat_administrators"  # type: ignore[union-attr]
        and r.language_code == language
    ]
    assert {"groupsettings", "leaderboard", "timezone"} == {c.command for c in admins}


@pytest.mark.parametrize(
    ("language", "says", "add"),
    [
        ("en", "/groupsettings is sent in your class group, not here", "➕ Add me to a group"),
        ("fr", "/groupsettings s'envoie dans le groupe de votre", "➕ M'ajouter à un groupe"),
    ],
)
async def test_groupsettings_in_a_private_chat_says_where_it_goes(
    telegram: Callable[..., ChatDriver], language: str, says: str, add: str
) -> None:
    menu = "⬅️ Menu"
    person = telegram(language=language)
    [message] = sent(await person.say("/groupsettings"))
    assert says in message.text
    buttons = list(buttons_of(message.reply_markup))
    assert [b.text for b in buttons] == [add, menu]
    assert buttons[0].url == f"https://t.me/{BOT_USERNAME}?startgroup=groupsettings"
    await person.press(menu)
    assert len(person.live_buttons()) > 1  # the menu


@pytest.mark.parametrize(
    ("command", "link"),
    [
        ("/test", "test"),
        ("/library phishing", "library"),
        ("/join ABCDEF123", "ABCDEF123"),  # the campaign's own link: one tap joins it
        ("/join", "join"),
        ("/campaign results ABCDEF123", "campaign"),
        ("/deleteme", "go"),  # never the erasure one tap away
    ],
)
async def test_a_private_command_in_a_group_gets_a_hint_and_a_link(
    telegram: Callable[..., ChatDriver], command: str, link: str
) -> None:
    pupil = telegram(user_id=PUPIL, chat_id=GROUP, chat_type="supergroup")
    [hint] = sent(await pupil.say(command))
    name = command.split()[0]
    assert hint.chat_id == GROUP
    assert hint.text == f"💬 {name} works in a private chat with me."
    [button] = buttons_of(hint.reply_markup)
    assert (button.text, button.url) == ("Open a private chat", LINK + link)


async def test_the_hints_link_opens_the_command_in_the_private_chat(
    telegram: Callable[..., ChatDriver],
) -> None:
    person = telegram(user_id=PUPIL)
    for command in ("test", "library", "campaign"):
        await person.say(f"/{command}")
        direct = person.last_text
        await person.say(f"/start {command}")  # what the hint's button sends
        assert person.last_text == direct
    await person.say("/start deleteme")  # not by a link: the welcome
    assert "I'm pixbot" in person.last_text


async def test_the_hint_is_in_the_members_language_and_once_a_minute(
    telegram: Callable[..., ChatDriver], clock: FakeClock
) -> None:
    pupils = [
        telegram(user_id=PUPIL + n, chat_id=GROUP, chat_type="supergroup", language="fr")
        for n in range(1, 21)
    ]
    hints = []
    for pupil in pupils:  # a whole class types /test at once
        hints += sent(await pupil.say("/test"))
    assert [h.text for h in hints] == [
        "💬 /test fonctionne dans une conversation privée avec moi."
    ]
    assert [b.text for b in buttons_of(hints[0].reply_markup)] == [
        "Ouvrir une conversation privée"
    ]
    assert len(sent(await pupils[0].say("/library"))) == 1  # another command: its own hint
    clock.now += timedelta(minutes=1)
    assert len(sent(await pupils[1].say("/test"))) == 1


async def test_a_command_the_bot_does_not_have_stays_silent_in_a_group(
    telegram: Callable[..., ChatDriver],
) -> None:
    """Another bot's command, or a typo: nothing to hint at (a class group hears enough)."""
    pupil = telegram(user_id=PUPIL, chat_id=GROUP, chat_type="supergroup")
    assert sent(await pupil.say("/weather")) == []
