"""Who administers a group is what Telegram says, not who happened to add the bot."""

from __future__ import annotations

from collections.abc import Callable

from aiogram.methods import GetChatMember
from aiogram.types import Chat

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


async def test_an_anonymous_administrator_is_an_administrator_and_a_channel_is_not(
    telegram: Callable[..., ChatDriver],
    session: RecordingSession,
) -> None:
    """ "Remain anonymous": the group itself sends the administrator's messages (sender_chat),
    from a placeholder user Telegram would call a plain member. A linked channel's post (or
    someone posting as their channel) administers nothing."""
    in_group = telegram(user_id=ADMIN, chat_id=GROUP, chat_type="supergroup")
    session.admins.add((GROUP, ADMIN))
    await in_group.feed(membership(in_group, joined=True))

    requests = await in_group.say("/groupsettings", sender_chat=in_group.chat)
    [panel] = sent_texts(requests)
    assert "Group settings" in panel
    assert not [r for r in requests if isinstance(r, GetChatMember)]  # nobody to ask about
    await in_group.press("🔕 Tip: off")  # a press comes from the person, anonymous or not
    await in_group.press("🕗 08:00")
    await in_group.press("09:00")
    assert "Daily tip: on, at 09:00" in in_group.last_text

    channel = Chat(id=GROUP - 7, type="channel", title="School news")
    requests = await in_group.say("/groupsettings", sender_chat=channel)
    assert sent_texts(requests) == ["Only the group's administrators can do that."]
    assert not [r for r in requests if isinstance(r, GetChatMember)]


async def test_anonymous_administrators_of_different_groups_are_not_one_flooder(
    telegram: Callable[..., ChatDriver],
    session: RecordingSession,
) -> None:
    """Telegram's placeholder user is the same in every group: the flood guard counts each
    group's anonymous administrator apart, so a school's groups set up at once all answer."""
    groups = [
        telegram(user_id=ADMIN, chat_id=GROUP - n, chat_type="supergroup", pace=0)
        for n in range(1, 13)
    ]
    answered = 0
    for in_group in groups:
        answered += len(sent_texts(await in_group.say("/groupsettings", in_group.chat)))
    assert answered == len(groups)
