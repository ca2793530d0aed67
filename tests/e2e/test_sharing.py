"""📣 Sharing a result or the profile picture: the learner gets the picture with "📤 Send to a
chat", and the inline query that button types answers, for its owner only, with the photo
Telegram already holds and a link that brings a friend to the same test."""

from __future__ import annotations

import itertools
import struct
from collections.abc import Callable
from typing import Any

from aiogram.methods import AnswerCallbackQuery, AnswerInlineQuery, SendPhoto
from aiogram.types import InlineQuery, InlineQueryResultCachedPhoto, Update

from bot.core.conversation import Conversation
from bot.core.sharing.callbacks import ShareProfile, ShareResult
from bot.core.sharing.card import HEIGHT_PX, WIDTH_PX, CardText, result_card
from content.bank import ContentBank
from tests.e2e.solver import finish
from tests.e2e.test_own_data import my_data
from tests.telegram import BOT_USERNAME, ChatDriver, assert_valid_html, buttons_of

_inline_ids = itertools.count(1)


def spaced(text: str | None) -> str:
    """French text with plain spaces (its typography puts narrow no-break ones before : ! ?)."""
    return (text or "").replace("\u202f", " ").replace("\u00a0", " ")


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


async def finished_test(learner: ChatDriver, bank: ContentBank, conversation: Conversation) -> int:
    """Take the 1.1 test to its end (right below level 3); the assessment's id."""
    await learner.say("/start")
    await learner.press("Take a test")
    await learner.press("1 ·")
    await learner.press("1.1")
    await finish(learner, bank, right_below=3)
    async with conversation.stores() as store:
        return (await store.latest_results(learner.user.id))["1.1"].assessment_id


async def press(learner: ChatDriver, data: str) -> list[Any]:
    return await learner.press_data(data, max(learner.messages))


def sent_photo(requests: list[Any]) -> SendPhoto:
    [photo] = [r for r in requests if isinstance(r, SendPhoto)]
    return photo


async def inline(driver: ChatDriver, query: str) -> AnswerInlineQuery:
    update = Update(
        update_id=next(_inline_ids) + 970000,
        inline_query=InlineQuery(
            id=str(next(_inline_ids)), from_user=driver.user, query=query, offset=""
        ),
    )
    [answer] = [r for r in await driver.feed(update) if isinstance(r, AnswerInlineQuery)]
    return answer


def share_query(photo: SendPhoto) -> str:
    """The inline query "📤 Send to a chat" types, from the photo's buttons."""
    [send, menu] = list(buttons_of(photo.reply_markup))
    assert send.text == "📤 Send to a chat" and send.switch_inline_query
    assert menu.text == "⬅️ Menu" and menu.callback_data == "menu"
    return send.switch_inline_query


async def test_a_result_is_shared_through_inline_mode_by_its_owner_only(
    telegram: Callable[..., ChatDriver], bank: ContentBank, conversation: Conversation
) -> None:
    learner = telegram(user_id=2101)
    assessment = await finished_test(learner, bank, conversation)
    async with conversation.stores() as store:
        result = (await store.latest_results(learner.user.id))["1.1"]

    # The button under the result (the test's own message, its data naming the assessment).
    assert learner.find_button("📣 Share my result")[1] == ShareResult(assessment).pack()
    photo = sent_photo(await learner.press("📣 Share my result"))
    assert photo.caption == "📣 Your result card: send it to a chat with the button below."
    assert_valid_html(photo.caption)
    assert png_size(photo.photo.data) == (WIDTH_PX, HEIGHT_PX)  # type: ignore[union-attr]
    query = share_query(photo)
    assert query.startswith("share:")

    answer = await inline(learner, query)
    [card] = answer.results
    assert isinstance(card, InlineQueryResultCachedPhoto)
    sent_id = learner.session.results[id(photo)].message_id
    assert card.photo_file_id == f"photo-{sent_id}"  # the largest size Telegram answered with
    assert card.caption == (
        f"🏅 I reached <b>level {result.level}</b> in <b>1.1 Searching and monitoring "
        f"information</b> on @{BOT_USERNAME}!"
    )
    [link] = list(buttons_of(card.reply_markup))
    assert link.text == "🎯 Take the test"
    assert link.url == f"https://t.me/{BOT_USERNAME}?start=test-1-1"
    assert answer.is_personal

    # Anyone else typing the same query, a forged token, a garbled one: nothing.
    friend = telegram(user_id=2102)
    assert (await inline(friend, query)).results == []
    assert (await inline(learner, "share:AAAAAAAAAAA")).results == []
    assert (await inline(learner, "share:<b>")).results == []
    # Other queries still search the library.
    assert (await inline(learner, "phish")).results


async def test_another_learners_result_or_an_unfinished_test_is_a_closed_button(
    telegram: Callable[..., ChatDriver], bank: ContentBank, conversation: Conversation
) -> None:
    owner = telegram(user_id=2201)
    assessment = await finished_test(owner, bank, conversation)
    other = telegram(user_id=2202)
    await other.say("/start")
    requests = await press(other, ShareResult(assessment).pack())
    assert not [r for r in requests if isinstance(r, SendPhoto)]
    assert [r.text for r in requests if isinstance(r, AnswerCallbackQuery)] == [
        "This question is closed."
    ]
    await other.press("Take a test")
    await other.press("1 ·")
    await other.press("1.1")  # started, not finished
    async with conversation.stores() as store:
        started = await store.active_assessment(other.user.id)
    assert started is not None
    requests = await press(other, ShareResult(started.id).pack())
    assert not [r for r in requests if isinstance(r, SendPhoto)]
    requests = await press(other, ShareResult(2**31 - 1).pack())  # no such test
    assert not [r for r in requests if isinstance(r, SendPhoto)]


async def test_the_profile_picture_is_shared_the_same_way(
    telegram: Callable[..., ChatDriver], bank: ContentBank, conversation: Conversation
) -> None:
    await finished_test(telegram(user_id=2301), bank, conversation)
    learner = telegram(user_id=2301, language="fr")  # Telegram's language is followed
    await learner.say("/start")
    async with conversation.stores() as store:
        pix = sum(r.pix for r in (await store.latest_results(learner.user.id)).values())
    photo = sent_photo(await press(learner, ShareProfile().pack()))
    assert spaced(photo.caption) == (
        "📣 Votre image de profil : envoyez-la dans une conversation avec le bouton ci-dessous."
    )
    assert png_size(photo.photo.data)[0] > 0  # type: ignore[union-attr]
    [send, menu] = list(buttons_of(photo.reply_markup))
    assert send.text == "📤 Choisir une discussion" and menu.text == "⬅️ Menu"

    answer = await inline(learner, send.switch_inline_query or "")
    [card] = answer.results
    assert isinstance(card, InlineQueryResultCachedPhoto)
    assert spaced(card.caption) == (
        f"📊 Mon profil de compétences numériques sur @{BOT_USERNAME} : <b>{pix}</b> pix."
    )
    [link] = list(buttons_of(card.reply_markup))
    assert link.url == f"https://t.me/{BOT_USERNAME}"
    assert (await inline(telegram(user_id=2302), send.switch_inline_query or "")).results == []


async def test_a_share_goes_with_its_owner(
    telegram: Callable[..., ChatDriver], bank: ContentBank, conversation: Conversation
) -> None:
    assessment = await finished_test(telegram(user_id=2401), bank, conversation)
    learner = telegram(user_id=2401, language="sv")
    await learner.say("/start")
    photo = sent_photo(await press(learner, ShareResult(assessment).pack()))
    query = share_query_any(photo)
    [card] = (await inline(learner, query)).results
    assert "nivå" in (card.caption or "")  # type: ignore[union-attr]
    [share] = (await my_data(learner))["shares"]
    assert (share["kind"], share["competence"], share["token"]) == ("result", "1.1", query[6:])
    await learner.say("/deleteme")
    await learner.press("🗑")
    assert (await inline(learner, query)).results == []


def share_query_any(photo: SendPhoto) -> str:
    [send, _menu] = list(buttons_of(photo.reply_markup))
    assert send.switch_inline_query
    return send.switch_inline_query


def test_the_card_is_a_png_of_the_size_chats_preview() -> None:
    long_name = "Protecting devices and their owners against the threats of the internet " * 2
    for level, link in ((0, ""), (3, f"t.me/{BOT_USERNAME}"), (6, "t.me/x")):
        card = CardText(
            "4.1", long_name, level, 6, f"Level {level} of 6", "24 pix", "x " * 90, link
        )
        assert png_size(result_card(card)) == (WIDTH_PX, HEIGHT_PX)
