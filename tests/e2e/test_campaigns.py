"""Campaigns, as the chats see them: an educator creates one, learners join by link or code,
take the targeted competences, stop and come back, share; the educator reads the results."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable

import pytest
from aiogram.methods import SendDocument, SendMessage, SendPhoto
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from content.bank import ContentBank
from storage import campaigns as tables
from storage.base import Base
from storage.database import session_factory
from tests.e2e.solver import answer, challenge_on_screen
from tests.telegram import BOT_USERNAME, ChatDriver, sent_texts

CODE = re.compile(r"<code>([A-Z]{6}[0-9]{3})</code>")
LEVEL = re.compile(r"Level <b>(\d+)</b> of 6 · <b>(\d+)</b> of 48 pix")


async def register(educator: ChatDriver) -> None:
    intro = sent_texts(await educator.say("/educator"))[0]
    assert "create campaigns" in intro and "choose to share" in intro
    await educator.press("Register as an educator")
    assert "You are registered as an educator" in educator.last_text


async def create(educator: ChatDriver, name: str, competences: list[str]) -> str:
    asked = sent_texts(await educator.say("/campaign new"))
    assert "campaign's name" in asked[0]
    await educator.say(name)
    for code in competences:
        await educator.press(code)
    screen = educator.last_text
    for code in competences:
        assert f"✅ {code} " in screen
    await educator.press("Create")
    created = educator.last_text
    found = CODE.search(created)
    assert found is not None, created
    return found.group(1)


async def take(learner: ChatDriver, bank: ContentBank, right_below: int = 9) -> tuple[int, int]:
    """Answer until the test ends; the level and pix it gave."""
    for _ in range(40):
        seen = len(learner.sent)
        challenge = challenge_on_screen(bank, learner)
        await answer(bank, learner, right=challenge.level < right_below)
        for text in sent_texts(learner.sent[seen:]):
            if "Test finished" in text:
                found = LEVEL.search(text)
                assert found is not None
                return int(found.group(1)), int(found.group(2))
    raise AssertionError("the test did not finish")


def spaced(code: str) -> str:
    """How people type a code: lowercase, in pieces."""
    return f"{code[:3].lower()} {code[3:6].lower()} {code[6:]}"


@pytest.mark.usefixtures("engine")
async def test_a_whole_campaign_from_creation_to_the_csv_export(
    telegram: Callable[..., ChatDriver], bank: ContentBank
) -> None:
    educator = telegram(user_id=5001, first_name="Grace")
    await register(educator)
    code = await create(educator, "Class 5B <web & safety>", ["1.1", "4.1"])
    created = educator.last_text
    assert "Campaign created: Class 5B &lt;web &amp; safety&gt;" in created
    assert f"https://t.me/{BOT_USERNAME}?start={code}" in created
    assert f"/join {code}" in created

    # A learner opens the link: name, educator, competences, then consent.
    ada = telegram(user_id=5002, first_name="Ada")
    intro = sent_texts(await ada.say(f"/start {code}"))[0]
    assert "Class 5B &lt;web &amp; safety&gt;" in intro and "By Grace" in intro
    assert "1.1 Searching and monitoring information" in intro
    assert "4.1 Securing the digital environment" in intro
    assert "Grace sees your first name and whether you have started or finished" in intro
    assert "levels and pix per competence only if you choose to share them" in intro
    await ada.press("I agree")
    assert any("Test: 1.1" in text for text in ada.texts())
    first = challenge_on_screen(bank, ada)

    # She answers one challenge, leaves for the menu, and comes back with the typed code.
    await answer(bank, ada, right=True)
    await ada.say("/start")
    back = sent_texts(await ada.say(f"/join {spaced(code)}"))
    assert "0 competences done out of 2" in back[0]
    assert challenge_on_screen(bank, ada) != first  # the pending challenge, not a new test
    assert "Challenge 2 · " in ada.last_text
    ada_11 = await take(ada, bank)
    assert "Next: 4.1 Securing the digital environment" in ada.last_text
    assert "1 competence done out of 2" in ada.last_text
    await ada.press("Start 4.1")
    assert any("Test: 4.1" in text for text in ada.texts()[-3:])
    ada_41 = await take(ada, bank, right_below=2)
    assert "Share your results with Grace?" in ada.last_text
    assert f"level {ada_11[0]} · {ada_11[1]} pix" in ada.last_text

    # "Not now" first; /join brings the question back; then she shares.
    await ada.press("Not now")
    assert f"/join {code}" in ada.last_text
    await ada.say(f"/join {code}")
    assert "Share your results" in ada.last_text
    await ada.press("Share")
    assert "Your results are shared with Grace" in ada.last_text
    await ada.say(f"/join {code}")
    assert "shared your results" in ada.last_text

    # A second learner joins by typing the code, takes 1.1 and stops there.
    bea = telegram(user_id=5003, first_name="=Bea")
    intro = sent_texts(await bea.say(f"/join {spaced(code)}"))[0]
    assert "By Grace" in intro
    await bea.press("I agree")
    await take(bea, bank, right_below=0)
    assert "Next: 4.1" in bea.last_text

    # The educator's list, summary and CSV, in the educator's time zone.
    await educator.say("/settings")
    await educator.press("Time zone")
    await educator.say("UTC+2")
    listed = sent_texts(await educator.say("/campaign list"))[0]
    assert code in listed and "2 participants" in listed and "open" in listed
    requests = await educator.say(f"/campaign results {code.lower()}")
    texts = sent_texts(requests)
    # Who is where, one line each with its status; the levels of the one who shared.
    assert "2 participants — ⚪ 0 · ⏳ 1 · 🏁 0 · ✅ 1" in texts[0]
    assert "✅ 1. Ada" in texts[0] and "⏳ 2. =Bea (1/2)" in texts[0]
    educator.find_button("🔔 Remind 1")  # Bea has not finished
    levels = texts[1]
    assert "Among the 1 learner who shared their results." in levels
    assert f"level {ada_11[0]}: 1 — mean <b>{ada_11[0]}.0</b>" in levels
    assert str(ada_41[0]) not in levels.split("4.1 Securing")[0].split("1.1 Searching")[0]
    photos = [r for r in requests if isinstance(r, SendPhoto)]
    assert len(photos) == 1 and "Levels of the 1 learner who shared" in str(photos[0].caption)
    [document] = [r for r in requests if isinstance(r, SendDocument)]
    upload = document.document
    assert upload.filename == f"campaign-{code}.csv"  # type: ignore[union-attr]
    data: bytes = upload.data  # type: ignore[union-attr]
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data[3:].decode("utf-8")), delimiter=";"))
    skills = [s.name for c in ("1.1", "4.1") for s in bank.competence_skills(c)]
    assert rows[0] == [
        "Campaign code",
        "Campaign name",
        "Participant",
        "Started at (UTC+02:00)",
        "Progress %",
        "Shared (Y/N)",
        "Shared at (UTC+02:00)",
        "1.1 level",
        "1.1 pix",
        "4.1 level",
        "4.1 pix",
        *(f"'{skill}" for skill in skills),  # "@..." kept as text, not a formula
    ]
    assert len(rows) == 3  # one row per participant
    ada_row, bea_row = rows[1], rows[2]
    assert ada_row[:3] == [code, "Class 5B <web & safety>", "Ada #1"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", ada_row[3])
    assert ada_row[3].startswith("2026-11-25 11:")  # the clock's 09:00 UTC, in UTC+2
    assert ada_row[4:6] == ["100", "Y"] and ada_row[6]
    assert ada_row[7:11] == [str(ada_11[0]), str(ada_11[1]), str(ada_41[0]), str(ada_41[1])]
    # Per skill, like Pix Orga: she got 4.1's level-1 skill only (right below level 2).
    outcomes = dict(zip(skills, ada_row[11:], strict=True))
    assert outcomes["@gamma1"] == "validated" and outcomes["@gamma2"] == "failed"
    assert set(outcomes.values()) <= {"validated", "failed", "not reached"}
    # Not shared: progress only; a name that looks like a formula stays text.
    assert bea_row[2] == "'=Bea #2"
    assert bea_row[4:] == ["50", "N", "", "", "", "", ""] + [""] * len(skills)
    assert "5002" not in data.decode("utf-8-sig") and "5003" not in data.decode("utf-8-sig")


@pytest.mark.usefixtures("engine")
async def test_refusals_and_bad_input_get_clear_answers(
    telegram: Callable[..., ChatDriver], bank: ContentBank
) -> None:
    learner = telegram(user_id=6001, first_name="Lin")
    assert "Send /educator" in sent_texts(await learner.say("/campaign new"))[0]
    assert "/educator" in sent_texts(await learner.say("/campaign"))[0]
    assert "ABCDEF123" in sent_texts(await learner.say("/join 12"))[0]
    assert (
        "No campaign has the code <code>ZZZZZZ999</code>"
        in (sent_texts(await learner.say("/join zzz zzz 999"))[0])
    )
    assert "No campaign has the code" in sent_texts(await learner.say("/start QQQQQQ111"))[0]
    assert "Hello Lin" in sent_texts(await learner.say("/start not-a-code"))[0]
    assert "/join" in sent_texts(await learner.say("/join"))[0]

    educator = telegram(user_id=6002, first_name="Grace")
    await register(educator)
    assert "registered" in sent_texts(await educator.say("/educator"))[0]
    assert "/campaign new" in sent_texts(await educator.say("/campaign"))[0]
    assert "no campaign yet" in sent_texts(await educator.say("/campaign list"))[0]

    # A name too long is asked again; Create without a competence is refused.
    await educator.say("/campaign new")
    assert "1 to 100 characters" in sent_texts(await educator.say("x" * 101))[0]
    await educator.say("Week 48")
    requests = await educator.press("Create")
    assert any(getattr(r, "text", None) == "Tick at least one competence first." for r in requests)
    await educator.press("1.1")
    await educator.press("1.1")  # ticked, then unticked
    assert "✅" not in educator.last_text
    await educator.press("4.1")
    await educator.press("Create")
    code = CODE.search(educator.last_text).group(1)  # type: ignore[union-attr]

    # Someone else's results, or closing it, are refused.
    other = telegram(user_id=6003, first_name="Mallory")
    await register(other)
    assert (
        "Only the educator who created"
        in (sent_texts(await other.say(f"/campaign results {code}"))[0])
    )
    assert (
        "Only the educator who created"
        in sent_texts(await other.say(f"/campaign close {code}"))[0]
    )
    assert "6 letters and 3 digits" in sent_texts(await other.say("/campaign results nope"))[0]

    # A learner starts, then the campaign closes: she can finish, newcomers cannot join.
    await learner.say(f"/join {code}")
    await learner.press("I agree")
    await learner.say("/start")
    await learner.say("/join")
    await learner.press("Continue: Week 48")
    assert "0 competences done out of 1" in learner.texts()[-2]
    assert "is closed" in sent_texts(await educator.say(f"/campaign close {code}"))[0]
    assert "closed already" in sent_texts(await educator.say(f"/campaign close {code}"))[0]
    late = telegram(user_id=6004, first_name="Tom")
    assert "accepts no new participants" in sent_texts(await late.say(f"/join {code}"))[0]
    await take(learner, bank)
    assert "Share your results with Grace?" in learner.last_text
    await learner.press("Share")
    listed = sent_texts(await educator.say("/campaign list"))[0]
    assert "1 participant" in listed and "closed" in listed


async def test_stale_buttons_and_cancel(telegram: Callable[..., ChatDriver]) -> None:
    educator = telegram(user_id=7001, first_name="Grace")
    await register(educator)
    await educator.say("/campaign new")
    requests = await educator.press("Cancel")
    assert "Campaign creation cancelled." in sent_texts(requests)
    # The typed text after cancelling is not taken as a name.
    await educator.say("Not a name")
    assert "Tick the competences" not in educator.last_text
    latest = max(educator.messages)
    requests = await educator.press_data("cmp:t.1.1", message_id=latest)
    assert not [r for r in requests if isinstance(r, SendMessage)]
    assert "no longer valid" in str(requests[0])
    requests = await educator.press_data("cmp:go.AAAAAA000", message_id=latest)
    assert "No campaign has the code" in sent_texts(requests)[0]


@pytest.mark.usefixtures("engine")
async def test_erasing_learners_and_educators(
    telegram: Callable[..., ChatDriver], bank: ContentBank, database: AsyncEngine
) -> None:
    educator = telegram(user_id=8001, first_name="Grace")
    await register(educator)
    code = await create(educator, "To erase", ["1.1"])
    learners = [telegram(user_id=8002 + i, first_name=f"L{i}") for i in range(2)]
    for learner in learners:
        await learner.say(f"/start {code}")
        await learner.press("I agree")
        await answer(bank, learner, right=True)

    async def count(table: type[Base]) -> int:
        async with session_factory(database)() as session:
            return int(await session.scalar(select(func.count()).select_from(table)) or 0)

    assert await count(tables.ParticipationRow) == 2
    assert await count(tables.ParticipationAssessmentRow) == 2

    data = await learners[0].say("/mydata")
    [document] = [r for r in data if isinstance(r, SendDocument)]
    assert b'"participations"' in document.document.data  # type: ignore[union-attr]

    await learners[0].say("/deleteme")
    await learners[0].press("Yes, erase everything")
    assert await count(tables.ParticipationRow) == 1
    assert await count(tables.ParticipationAssessmentRow) == 1

    await educator.say("/deleteme")
    await educator.press("Yes, erase everything")
    assert await count(tables.CampaignRow) == 0
    assert await count(tables.ParticipationRow) == 0
    assert await count(tables.EducatorRow) == 0
    # The remaining learner keeps her own test; the campaign is gone for her.
    assert "No campaign has the code" in sent_texts(await learners[1].say(f"/join {code}"))[0]
