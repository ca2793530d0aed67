"""Who administers a group is what Telegram says, not who happened to add the bot."""

from __future__ import annotations

from collections.abc import Callable

from bot.core.conversation import Conversation
from tests.e2e.test_groups import membership
from tests.telegram import ChatDriver, RecordingSession, sent_texts

GROUP = -1001234567811
MEMBER, ADMIN = 611, 612


async def test_a_plain_member_who_adds_the_bot_is_not_recorded_as_administrator(
    telegram: Callable[..., ChatDriver],
    session: RecordingSession,
    conversation: Conversation,
) -> None:
    in_group = telegram(user_id=MEMBER, chat_id=GROUP, chat_type="supergroup")
    await in_group.feed(membership(in_group, joined=True))  # a plain member adds the bot

    member = telegram(user_id=MEMBER)
    await member.say("/start tip_ph-urgency")
    [none] = sent_texts(await member.press("Send to my group"))
    assert "no group that you administer" in none


async def test_an_administrator_who_adds_the_bot_can_send_to_the_group(
    telegram: Callable[..., ChatDriver],
    session: RecordingSession,
) -> None:
    in_group = telegram(user_id=ADMIN, chat_id=GROUP, chat_type="supergroup")
    session.admins.add((GROUP, ADMIN))
    await in_group.feed(membership(in_group, joined=True))

    admin = telegram(user_id=ADMIN)
    await admin.say("/start tip_ph-urgency")
    [choose] = sent_texts(await admin.press("Send to my group"))
    assert "to which group?" in choose
