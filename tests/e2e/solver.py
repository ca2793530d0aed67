"""Answer the challenge on screen the way an outside tester would: find it in the bank by its
prompt (as `pixbot content export` allows), then press or type the right or a wrong answer."""

from __future__ import annotations

from bot.core.text import rich
from content.bank import ContentBank
from content.models import Challenge, ChallengeType
from tests.telegram import ChatDriver, buttons_of


def challenge_on_screen(bank: ContentBank, driver: ChatDriver, language: str = "en") -> Challenge:
    for text in reversed(driver.texts()):
        for challenge in bank.challenges.values():
            if rich(challenge.text(language).prompt) in text:  # the prompt as the bot shows it
                return challenge
    raise AssertionError("no challenge on screen")


async def answer(
    bank: ContentBank, driver: ChatDriver, right: bool, language: str = "en"
) -> Challenge:
    challenge = challenge_on_screen(bank, driver, language)
    text = challenge.text(language)
    if challenge.type is ChallengeType.SINGLE:
        index = min(challenge.right_indexes)
        if not right:
            index = next(i for i in range(len(text.options)) if i not in challenge.right_indexes)
        await driver.press(option_button(driver, challenge, index, language))
    elif challenge.type is ChallengeType.MULTIPLE:
        chosen = (
            sorted(challenge.right_indexes)
            if right
            else [i for i in range(len(text.options)) if i not in challenge.right_indexes]
        )
        for index in chosen:
            await driver.press(option_button(driver, challenge, index, language))
        await press_submit(driver)
    elif challenge.type is ChallengeType.TEXT:
        await driver.say(text.accept[0] if right else "certainly not this")
    else:
        values = [field.accept[0] for field in text.fields] if right else ["0"] * len(text.fields)
        await driver.say("\n".join(values))
    return challenge


async def press_submit(driver: ChatDriver) -> None:
    """The multiple choice's Submit, whatever the interface's language calls it."""
    for message_id in sorted(driver.messages, reverse=True):
        for button in buttons_of(driver.messages[message_id]["markup"]):
            if (button.callback_data or "").startswith("sub:"):
                await driver.press_data(button.callback_data, message_id)
                return
    raise AssertionError("no Submit button")


def option_button(driver: ChatDriver, challenge: Challenge, index: int, language: str) -> str:
    """The label of option ``index``'s button: the option itself, or its letter when the
    options are too long for buttons and listed in the message ("B) ...")."""
    text = challenge.text(language)
    shown = next(
        message["text"]
        for _, message in sorted(driver.messages.items(), reverse=True)
        if text.prompt in message["text"]
    )
    for line in shown.splitlines():
        letter, listed, option = line.partition(") ")
        if listed and option == rich(text.options[index]):
            return letter
    return text.options[index]


async def finish(
    learner: ChatDriver, bank: ContentBank, right_below: int, language: str = "en"
) -> list[str]:
    """Answer until the test (or review) ends: right below level ``right_below``, wrong from
    it on; ``language``: the content's. Returns the skills asked."""
    asked = []
    for _ in range(40):
        if (
            learner.last_text.startswith(("🏁", "🔁 <b>"))
            and "\nChallenge" not in learner.last_text
        ):
            return asked
        challenge = challenge_on_screen(bank, learner, language)
        asked.append(challenge.skill)
        await answer(bank, learner, right=challenge.level < right_below, language=language)
    raise AssertionError("the test did not finish")
