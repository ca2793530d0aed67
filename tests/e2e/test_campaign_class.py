"""An educator's class in the chat (issue 21): the identifier a campaign asks each learner
for, reminders to those who have not finished and the join link posted in a group, both
through the delivery engine, and presses on someone else's campaign refused with no data."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import timedelta
from functools import partial

import pytest
from aiogram.methods import EditMessageText, SendDocument, SendMessage, SendPhoto
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.conversation import Conversation
from bot.serving.admins import AdminCache
from content.bank import ContentBank
from storage.database import session_factory
from storage.delivery import DeliveryRow
from tests.conftest import FakeClock
from tests.e2e.solver import answer
from tests.e2e.test_campaigns import create, register, take
from tests.e2e.test_groups import deliver_due, membership
from tests.e2e.test_library import button
from tests.telegram import (
    BOT_USERNAME,
    ChatDriver,
    RecordingSession,
    answered_notices,
    api_bot,
    buttons_of,
    sent_texts,
)

GROUP = -1001234567890
NOT_OWNER = "Only the educator who created this campaign can do that."


async def deliveries(database: AsyncEngine) -> list[DeliveryRow]:
    async with session_factory(database)() as db:
        return list((await db.scalars(select(DeliveryRow).order_by(DeliveryRow.id))).all())


async def create_asking(educator: ChatDriver, name: str, label: str) -> str:
    """A campaign on 1.1 that asks each learner for ``label``."""
    await educator.say("/campaign new")
    await educator.say(name)
    await educator.press("1.1")
    assert "Optional: ask each learner for an identifier" in educator.last_text
    asked = sent_texts(await educator.press("Ask for an identifier"))[0]
    assert "What should each learner type when they join?" in asked
    assert "1 to 64 characters" in sent_texts(await educator.say("x" * 65))[0]
    draft = sent_texts(await educator.say(f"  {label} "))[0]
    assert f"Each learner is asked for: <b>{label}</b>" in draft
    assert "✅ 1.1 " in draft  # the competence ticked before stays
    created = sent_texts(await educator.press("Create"))[0]
    assert f"Each learner is asked for: <b>{label}</b>" in created
    code = created.split("<code>")[1][:9]
    return code


@pytest.mark.usefixtures("engine")
async def test_a_campaign_asks_each_learner_for_an_identifier(
    telegram: Callable[..., ChatDriver], bank: ContentBank
) -> None:
    educator = telegram(user_id=9101, first_name="Grace")
    await register(educator)
    # The identifier is optional: asked, then dropped, in the draft.
    await educator.say("/campaign new")
    await educator.say("Draft")
    await educator.press("Ask for an identifier")
    assert "Optional: ask each learner" in sent_texts(await educator.press("Skip"))[0]
    await educator.press("Cancel")
    code = await create_asking(educator, "5B", "Student number")

    ada = telegram(user_id=9102, first_name="Ada")
    intro = sent_texts(await ada.say(f"/join {code}"))[0]
    # Before agreeing, she knows what the educator sees of her, and when.
    assert (
        "Grace sees your first name, your <b>Student number</b> and whether you have started "
        "or finished (how many competences); your levels and pix per competence only if you "
        "choose to share them at the end."
    ) in intro
    asked = sent_texts(await ada.press("I agree"))[0]
    assert "Grace asks you for: <b>Student number</b>. Type it below." in asked
    assert not any("Test: 1.1" in text for text in ada.texts())  # not before the identifier
    assert "1 to 64 characters" in sent_texts(await ada.say("   "))[0]
    assert "1 to 64 characters" in sent_texts(await ada.say("9" * 65))[0]
    started = sent_texts(await ada.say("  <b>S-42</b> "))
    assert started[0] == "✅ Saved: &lt;b&gt;S-42&lt;/b&gt;"
    assert any("Test: 1.1" in text for text in started)

    # Stopping and coming back asks nothing again; she can change it until she shares.
    await ada.say("/start")
    back = sent_texts(await ada.say(f"/join {code}"))
    assert "asks you for" not in back[0] and "0 competences done out of 1" in back[0]
    await take(ada, bank)
    assert "Share your results with Grace?" in ada.last_text
    again = sent_texts(await ada.press("My identifier"))[0]
    assert "Now: &lt;b&gt;S-42&lt;/b&gt;" in again
    typed = sent_texts(await ada.say("S-43"))
    assert typed[0] == "✅ Saved: S-43" and "Share your results" in typed[-1]
    await ada.press("Share")
    # Shared: the educator has it; a forged press to change it is turned away.
    requests = await ada.press_data(f"cmp:id.{code}", max(ada.messages))
    assert "shared your results" in sent_texts(requests)[0]
    await ada.say("S-44")  # not taken as an identifier
    bea = telegram(user_id=9103, first_name="Bea")
    await bea.say(f"/join {code}")
    await bea.press("I agree")  # joined, identifier not typed yet

    requests = await educator.say(f"/campaign results {code}")
    listed = sent_texts(requests)[0]
    assert "Identifier: Student number" in listed
    assert "✅ 1. Ada · S-43" in listed and "⚪ 2. Bea" in listed
    [document] = [r for r in requests if isinstance(r, SendDocument)]
    data: bytes = document.document.data  # type: ignore[union-attr]
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Campaign code", "Campaign name", "Participant", "Student number"]
    assert rows[1][2:4] == ["Ada #1", "S-43"] and rows[2][2:4] == ["Bea #2", ""]


async def test_reminders_reach_those_who_have_not_finished_once_a_day(
    telegram: Callable[..., ChatDriver],
    bank: ContentBank,
    conversation: Conversation,
    database: AsyncEngine,
    clock: FakeClock,
) -> None:
    educator = telegram(user_id=9201, first_name="Grace")
    await register(educator)
    code = await create(educator, "Week 48", ["1.1", "4.1"])
    ann = telegram(user_id=9202, first_name="Ann")
    await ann.say(f"/join {code}")
    await ann.press("I agree")
    await answer(bank, ann, right=True)
    ben = telegram(user_id=9203, first_name="Ben", language="fr")
    await ben.say(f"/join {code}")
    await ben.press("J'accepte")

    await educator.say(f"/campaign results {code}")
    message_id, remind = educator.find_button("🔔 Remind 2")
    requests = await educator.press_data(remind, message_id)
    assert answered_notices(requests) == ["🔔 Reminder on its way to 2 learners."]
    assert not sent_texts(requests)
    requests = await educator.press_data(remind, message_id)  # a second press the same day
    assert answered_notices(requests) == [
        "Your learners were reminded today already: one reminder a day."
    ]
    rows = await deliveries(database)
    assert [(r.chat_id, r.kind) for r in rows] == [(9202, "campaign"), (9203, "campaign")]
    assert rows[0].dedupe_key.startswith("remind:") and "2026-11-25" in rows[0].dedupe_key

    sent = [r for r in await deliver_due(educator, conversation, database, clock)]
    reminders = {r.chat_id: r for r in sent if isinstance(r, SendMessage)}
    assert set(reminders) == {9202, 9203}
    assert "Grace reminds you of the campaign <b>Week 48</b>." in reminders[9202].text
    assert "You have finished 0 competences out of 2." in reminders[9202].text
    assert "Grace vous rappelle la campagne <b>Week 48</b>." in reminders[9203].text
    [[resume]] = reminders[9202].reply_markup.inline_keyboard  # type: ignore[union-attr]
    assert resume.text == "▶️ Continue the campaign" and resume.callback_data == f"cmp:go.{code}"
    # The button brings Ann back to the challenge she left.
    back = sent_texts(await ann.press_data(resume.callback_data, max(ann.messages)))
    assert "0 competences done out of 2" in back[0] and "Challenge 2 · " in back[-1]

    # The next day, the teacher may remind again.
    clock.now += timedelta(days=1)
    requests = await educator.press_data(remind, message_id)
    assert answered_notices(requests) == ["🔔 Reminder on its way to 2 learners."]
    assert len(await deliveries(database)) == 4

    # Once the campaign is closed, nobody can go on with it: no button, and a press is refused.
    await educator.say(f"/campaign close {code}")
    requests = await educator.say(f"/campaign results {code}")
    labels = [b.text for r in requests for b in buttons_of(getattr(r, "reply_markup", None))]
    assert labels and not any(label.startswith("🔔") for label in labels)
    clock.now += timedelta(days=1)
    requests = await educator.press_data(remind, message_id)
    assert "The campaign <b>Week 48</b> was closed already." in sent_texts(requests)[0]
    assert len(await deliveries(database)) == 4


async def test_the_join_link_goes_to_a_group_the_educator_administers(
    telegram: Callable[..., ChatDriver],
    session: RecordingSession,
    conversation: Conversation,
    database: AsyncEngine,
    clock: FakeClock,
) -> None:
    admin_id = 9301
    in_group = telegram(user_id=admin_id, chat_id=GROUP, chat_type="supergroup")
    conversation.admins.connect(partial(AdminCache(ttl=0).is_admin, api_bot(in_group)))
    session.admins.add((GROUP, admin_id))
    await in_group.feed(membership(in_group, joined=True))

    educator = telegram(user_id=admin_id, first_name="Grace")
    await register(educator)
    code = await create(educator, "Week 48", ["1.1"])
    await educator.say(f"/campaign results {code}")
    [choose] = sent_texts(await educator.press("📣 Post the link"))
    assert "Post the link to join <b>Week 48</b> in which group?" in choose
    assert educator.live_buttons() == ["👥 Class 5B", "⬅️ Menu"]
    listed, data = educator.find_button("Class 5B")
    requests = await educator.press_data(data, listed)
    edits = [r for r in requests if isinstance(r, EditMessageText)]
    assert "The link will be posted in <b>Class 5B</b> in a moment." in edits[0].text
    requests = await educator.press_data(data, listed)  # a double tap
    assert answered_notices(requests) == ["The link was posted in this group today already."]
    [row] = await deliveries(database)
    assert (row.chat_id, row.kind) == (GROUP, "campaign")

    posted = [
        r
        for r in await deliver_due(educator, conversation, database, clock)
        if isinstance(r, SendMessage)
    ]
    assert [p.chat_id for p in posted] == [GROUP]
    assert "Grace invites you to the campaign <b>Week 48</b>." in posted[0].text
    assert f"<code>/join {code}</code>" in posted[0].text
    [[join]] = posted[0].reply_markup.inline_keyboard  # type: ignore[union-attr]
    assert join.url == f"https://t.me/{BOT_USERNAME}?start={code}"

    # No longer an administrator: Telegram is asked again at send time, nothing is planned.
    session.admins.discard((GROUP, admin_id))
    clock.now += timedelta(days=1)
    await educator.say(f"/campaign results {code}")
    await educator.press("📣 Post the link")
    requests = await educator.press("Class 5B")
    assert answered_notices(requests) == ["Only the group's administrators can do that."]
    assert len(await deliveries(database)) == 1
    # And with no group known, the educator learns how to add one.
    [none] = sent_texts(await educator.press_data(f"cmp:gl.{code}", max(educator.messages)))
    assert "I know no group that you administer yet." in none
    add = button(educator, "Add me to a group")
    assert add.url == f"https://t.me/{BOT_USERNAME}?startgroup=campaign"  # type: ignore[attr-defined]


async def test_presses_on_someone_elses_campaign_are_refused_with_no_data(
    telegram: Callable[..., ChatDriver],
    session: RecordingSession,
    conversation: Conversation,
    bank: ContentBank,
    database: AsyncEngine,
) -> None:
    educator = telegram(user_id=9401, first_name="Grace")
    await register(educator)
    code = await create(educator, "Week 48", ["1.1"])
    learner = telegram(user_id=9402, first_name="Lin")
    await learner.say(f"/join {code}")
    await learner.press("I agree")

    mallory = telegram(user_id=9403, first_name="Mallory")
    in_group = telegram(user_id=9403, chat_id=GROUP, chat_type="supergroup")
    conversation.admins.connect(partial(AdminCache(ttl=0).is_admin, api_bot(in_group)))
    session.admins.add((GROUP, 9403))
    await in_group.feed(membership(in_group, joined=True))
    await register(mallory)
    await mallory.say("/start")
    for data in (f"cmp:rm.{code}", f"cmp:gl.{code}", f"cmp:pl.{code}.{GROUP}"):
        for who in (mallory, learner):
            requests = await who.press_data(data, max(who.messages))
            assert answered_notices(requests) == [NOT_OWNER], data
            assert not [
                r for r in requests if isinstance(r, SendMessage | SendPhoto | SendDocument)
            ]
            assert not [r for r in requests if isinstance(r, EditMessageText)]
    assert await deliveries(database) == []
    # The learner's identifier for a campaign that asks for none: nothing to type.
    requests = await learner.press_data(f"cmp:id.{code}", max(learner.messages))
    assert answered_notices(requests) == ["This button is no longer valid."]
    # Data that is no campaign code at all: the usual stale answer.
    requests = await mallory.press_data("cmp:rm.abcdef123", max(mallory.messages))
    assert answered_notices(requests) == ["This button is no longer valid."]
