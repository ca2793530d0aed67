"""Property-based: random and odd updates through the real runtime (aiogram's dispatcher,
python-telegram-bot's application) never crash a handler and get at most one reply each (issue
#7's robustness goal; FUZZ_EXAMPLES sets the count)."""

from __future__ import annotations

import logging
import os
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from aiogram import Bot
from aiogram.methods import SendMessage
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.conversation import Conversation
from tests.telegram import PACE, RecordingSession
from tests.virtual_time import VirtualTime

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10000"))
NOW = int(datetime(2026, 11, 25, tzinfo=UTC).timestamp())

# A text at Telegram's length limit, repeated from a short random one: drawing 4,000 characters
# one by one cost hypothesis more than the update's whole handling (8 ms an example).
long_text = st.builds(
    lambda unit, length: (unit * length)[:length],
    st.text(min_size=1, max_size=16),
    st.integers(4000, 4096),
)
odd_text = st.one_of(
    st.text(max_size=50),
    long_text,
    st.sampled_from(
        [
            "/start",
            "/start tip_pw-one",
            "/start ABCDEF123",
            "/join abc",
            "/library phish",
            "/campaign results X",
            "/groupsettings",
            "/leaderboard hide",
            "/review",
            "/deleteme",
            "/mydata",
            "/settings",
            "/test@other_bot",
            "/",
            "\u200b",
            "مرحبا",
            "😀" * 30,
            "UTC+2",
            "Paris",
            "12\n3.5",
            "answer1",
        ]
    ),
)
callback_data = st.one_of(
    st.text(max_size=70),
    st.sampled_from(
        [
            "menu",
            "test",
            "again",
            "area:1",
            "comp:1.1",
            "comp:4.1",
            "opt:AAAAAAAAAAA:0",
            "skip:AAAAAAAAAAA",
            "lang:fr",
            "zones",
            "tz:99",
            "hour:25",
            "remind:on",
            "erase:yes",
            "grp:tip",
            "grp:tz.99",
            "lib:v.2ex.1",
            "lib:zz",
            "cmp:new",
            "page:9",
            "save:abc",
            "useful:0123456789",
            "review",
            "tutorials",
            "tip",
            "resume",
            "improve:1.1",
        ]
    ),
)
users = st.builds(
    lambda uid, name, lang: {
        "id": uid,
        "is_bot": False,
        "first_name": name,
        "language_code": lang,
    },
    st.integers(1, 2**40),
    st.text(min_size=1, max_size=64),
    st.sampled_from([None, "en", "fr-FR", "sv", "pt-BR", "zz"]),
)
chats = st.builds(
    lambda cid, kind: {"id": cid if kind == "private" else -abs(cid) - 1, "type": kind},
    st.integers(1, 2**40),
    st.sampled_from(["private", "group", "supergroup", "channel"]),
)


@st.composite
def updates(draw: Any) -> dict[str, Any]:
    kind = draw(
        st.sampled_from(
            [
                "message",
                "edited_message",
                "channel_post",
                "callback_query",
                "poll_answer",
                "inline_query",
                "sticker",
            ]
        )
    )
    user, chat = draw(users), draw(chats)
    message = {"message_id": draw(st.integers(1, 2**31)), "date": NOW, "chat": chat}
    if kind == "channel_post":
        return {kind: {**message, "text": draw(odd_text)}}
    if kind in ("message", "edited_message"):
        return {kind: {**message, "from": user, "text": draw(odd_text)}}
    if kind == "sticker":
        sticker = {
            "file_id": "s",
            "file_unique_id": "s",
            "type": "regular",
            "width": 1,
            "height": 1,
            "is_animated": False,
            "is_video": False,
        }
        return {"message": {**message, "from": user, "sticker": sticker}}
    if kind == "callback_query":
        query: dict[str, Any] = {
            "id": "q",
            "from": user,
            "chat_instance": "c",
            "data": draw(callback_data),
        }
        if draw(st.booleans()):
            query["message"] = {**message, "text": "x"}
        return {kind: query}
    if kind == "poll_answer":
        return {
            kind: {
                "poll_id": draw(st.text(max_size=20)),
                "user": user,
                "option_ids": draw(st.lists(st.integers(0, 11), max_size=2)),
                "option_persistent_ids": [],
            }
        }
    return {
        kind: {
            "id": "i",
            "from": user,
            "query": draw(st.text(max_size=300)),
            "offset": draw(st.sampled_from(["", "10", "x", "-5", "99999"])),
        }
    }


@pytest.fixture
async def fuzz_target(
    conversation: Conversation,
    make_runtime: Callable[..., Awaitable[Any]],
    bot: Bot,
    session: RecordingSession,
    caplog: pytest.LogCaptureFixture,
) -> tuple[Any, Bot, RecordingSession]:
    caplog.set_level(logging.ERROR)  # once for all the examples (each setting costs a little)
    return await make_runtime(conversation), bot, session


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same examples on every run: CI is reproducible
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(update=updates(), update_id=st.integers(1, 2**40))
async def test_random_updates_never_crash_and_get_at_most_one_reply(
    fuzz_target: tuple[Any, Bot, RecordingSession],
    limits_time: VirtualTime,
    caplog: pytest.LogCaptureFixture,
    update: dict[str, Any],
    update_id: int,
) -> None:
    """The update as the Bot API sends it (JSON), parsed by the runtime as its polling and its
    webhook parse it; a person's pace apart, so none is dropped as a flood."""
    dispatcher, bot, session = fuzz_target
    caplog.clear()
    limits_time.now += PACE
    await dispatcher.feed_raw_update(bot, {"update_id": update_id, **update})
    requests = session.take()
    assert len([r for r in requests if isinstance(r, SendMessage)]) <= 1, update
    # A failed handling (the serving path's log line) or a handler that raised past it (the
    # runtime's own error log: aiogram's, python-telegram-bot's).
    failures = [
        r
        for r in caplog.records
        if "failed" in r.getMessage() or r.name.startswith(("aiogram", "telegram"))
    ]
    assert not failures, (update, failures[0].getMessage())
