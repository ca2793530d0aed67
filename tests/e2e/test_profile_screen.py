"""/profile as the chat sees it, in each language: a new learner is invited to a first test
(no empty picture); a learner with results gets the picture with its Share button, then the
tested competences by area with their level of the open 6, the untested ones in one line,
and the total."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from aiogram.methods import SendMessage, SendPhoto

from bot.core.i18n import Catalogs
from bot.core.ports import CompetenceResult
from bot.core.profile.screens import ProfileScreens
from bot.core.screens import CommonScreens
from bot.core.sharing.callbacks import ShareProfile
from content.bank import ContentBank
from content.loader import load_bank
from tests.e2e.solver import finish
from tests.e2e.test_assessment import start_test
from tests.telegram import ChatDriver, buttons_of

CAPTION_LIMIT = 1024
TEXT_LIMIT = 4096
LABEL_LIMIT = 30  # characters a phone shows of a button
ROW_LIMIT = 3

# What each language's profile says, French spaces before punctuation as plain spaces.
SAYS: dict[str, dict[str, str]] = {
    "en": {
        "title": "📊 <b>Your profile</b>",
        "invitation": "You have not taken a test yet.",
        "take": "🎯 Take a test",
        "menu": "⬅️ Menu",
        "share": "📣 Share",
        "caption": "Your profile: {pix} pix",
        "level": "1.1 Searching and monitoring information — level {level} of 6 · {pix} pix",
        "untested": "15 competences not tested yet: 1.2, 1.3, 2.1,",
        "total": "Total: <b>{pix}</b> pix · 1 of 16 competences tested",
        "areas": "Choose an area",
    },
    "fr": {
        "title": "📊 <b>Votre profil</b>",
        "invitation": "Vous n'avez pas encore passé de test.",
        "take": "🎯 Passer un test",
        "menu": "⬅️ Menu",
        "share": "📣 Partager",
        "caption": "Votre profil : {pix} pix",
        "level": "1.1 Mener une recherche et une veille d&#x27;information — niveau {level} "
        "sur 6 · {pix} pix",
        "untested": "15 compétences pas encore testées : 1.2, 1.3, 2.1,",
        "total": "Total : <b>{pix}</b> pix · 1 compétence testée sur 16",
        "areas": "Choisissez un domaine",
    },
    "sv": {
        "title": "📊 <b>Din profil</b>",
        "invitation": "Du har inte gjort något test än.",
        "take": "🎯 Gör ett test",
        "menu": "⬅️ Meny",
        "share": "📣 Dela",
        "caption": "Din profil: {pix} pix",
        "level": "1.1 Söka och bevaka information — nivå {level} av 6 · {pix} pix",
        "untested": "15 kompetenser inte testade än: 1.2, 1.3, 2.1,",
        "total": "Totalt: <b>{pix}</b> pix · 1 av 16 kompetenser testade",
        "areas": "Välj ett område",
    },
}


def plain(text: str) -> str:
    """French typography's narrow no-break spaces as the plain spaces the tests write."""
    return text.replace("\u202f", " ").replace("\u00a0", " ")


def labels(request: Any) -> list[str]:
    return [button.text for button in buttons_of(request.reply_markup)]


def assert_phone_sized(requests: list[Any]) -> None:
    """Every keyboard: labels a phone shows whole, at most three buttons a row."""
    for request in requests:
        markup = getattr(request, "reply_markup", None)
        for row in getattr(markup, "inline_keyboard", None) or []:
            assert len(row) <= ROW_LIMIT, [b.text for b in row]
            assert all(len(button.text) <= LABEL_LIMIT for button in row), row


@pytest.mark.parametrize("language", ["en", "fr", "sv"])
async def test_a_new_learner_is_invited_to_a_first_test_without_a_picture(
    telegram: Callable[..., ChatDriver], language: str
) -> None:
    says = SAYS[language]
    person = telegram(language=language)
    requests = await person.say("/profile")
    assert not [r for r in requests if isinstance(r, SendPhoto)]
    (invitation,) = [r for r in requests if isinstance(r, SendMessage)]
    text = plain(invitation.text)
    assert text.startswith(says["title"] + "\n\n" + says["invitation"])
    assert "\n" not in text.split("\n\n", 1)[1]  # one short paragraph, no list of competences
    assert labels(invitation) == [says["take"], says["menu"]]
    assert_phone_sized(requests)

    await person.press(says["take"])
    assert says["areas"] in plain(person.last_text)
    await person.say("/profile")
    await person.press(says["menu"])  # the menu, in place of the invitation
    assert says["take"] in person.live_buttons()


@pytest.mark.parametrize("language", ["en", "fr", "sv"])
async def test_one_result_shows_the_picture_to_share_and_the_untested_in_one_line(
    telegram: Callable[..., ChatDriver], bank: ContentBank, language: str
) -> None:
    says = SAYS[language]
    tester = telegram(language="en")
    await start_test(tester)
    await finish(tester, bank, right_below=3)
    found = re.search(r"Level <b>(\d)</b> of 6 · <b>(\d+)</b>", tester.last_text)
    assert found is not None, tester.last_text
    level, pix = found.groups()

    person = telegram(language=language)  # the same learner, their Telegram now in `language`
    requests = await person.say("/profile")
    (picture,) = [r for r in requests if isinstance(r, SendPhoto)]
    assert picture.photo.data.startswith(b"\x89PNG")
    assert plain(picture.caption or "").startswith(says["caption"].format(pix=pix))
    assert len(picture.caption or "") <= CAPTION_LIMIT
    assert [(b.text, b.callback_data) for b in buttons_of(picture.reply_markup)] == [
        (says["share"], ShareProfile().pack())
    ]

    (profile,) = [r for r in requests if isinstance(r, SendMessage)]
    text = plain(profile.text)
    assert len(profile.text) <= TEXT_LIMIT
    assert text.startswith(says["title"] + "\n\n<b>1 · ")
    assert says["level"].format(level=level, pix=pix) in text
    assert says["untested"] in text
    # The untested competences in that one line only: no area without a result, no line each.
    assert [line for line in text.splitlines() if "1.2" in line or "5.2" in line] == [
        next(line for line in text.splitlines() if says["untested"] in line)
    ]
    assert "<b>2 · " not in text
    assert says["total"].format(pix=pix) in text
    assert labels(profile) == [says["take"], says["menu"]]
    assert_phone_sized(requests)

    await person.press(says["menu"])
    assert says["take"] in person.live_buttons()


@pytest.mark.parametrize("language", ["en", "fr", "sv"])
def test_a_full_profile_fits_one_message(catalogs: Catalogs, language: str) -> None:
    """Every competence tested, with the shipped framework's longest names and a streak."""
    bank = load_bank()
    screens = ProfileScreens(bank, catalogs, CommonScreens(catalogs))
    when = datetime(2026, 11, 25, tzinfo=UTC)
    results = {code: CompetenceResult(code, 48, 6, when) for code in bank.competences}
    message = screens.profile(language, results, streak=365)
    assert len(message.text) <= TEXT_LIMIT
    assert sum(" — " in line for line in message.text.splitlines()) == len(results) == 16
    assert len(screens.caption(language, results, streak=365)) <= CAPTION_LIMIT
