"""Two real `pixbot run` webhook workers share one database behind a fake Telegram; learners
answer concurrently, and one worker is killed with SIGKILL in the middle. No answer a learner saw
acknowledged is lost, every test still reaches its result, and the survivor serves everyone."""

from __future__ import annotations

import asyncio
import random
import signal
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text

from content.bank import ContentBank
from content.models import ChallengeType
from storage.database import create_engine
from tests.conftest import DATABASES
from tests.fake_telegram import Chat, FakeTelegram, Shown, fake_telegram
from tests.processes import fresh_database, worker

LEARNERS = 16
KILL_AFTER = 25  # acknowledged answers before worker A dies
VERDICTS = ("✅", "❌", "⏭")  # how a correction starts


class Learner:
    """Takes one test by pressing what is on screen; when nothing comes back for a while,
    does what a person does: /start, then Continue."""

    def __init__(self, telegram: FakeTelegram, chat_id: int, bank: ContentBank) -> None:
        self.telegram, self.chat_id, self.bank = telegram, chat_id, bank
        self.chat: Chat = telegram.chat(chat_id)
        self.rng = random.Random(chat_id)
        self.done: set[tuple[int, int]] = set()  # (message id, version) already acted on
        self.answered: set[int] = set()  # challenge messages already answered
        self.acknowledged: list[str] = []  # challenge ids whose correction came back
        self.awaiting_ack: tuple[int, str] | None = None
        self.recoveries = 0
        self.finished = False

    def _challenge_id(self, shown: Shown) -> str | None:
        for challenge in self.bank.challenges.values():
            if challenge.text("en").prompt in shown.text:
                return challenge.id
        return None

    def _screen(self, chat: Chat) -> Shown | None:
        if not chat.messages:
            return None
        latest = chat.latest()
        if self.awaiting_ack is not None and any(
            shown.id > self.awaiting_ack[0] and shown.text.startswith(VERDICTS)
            for shown in chat.messages.values()
        ):  # the correction came: the learner saw the answer acknowledged
            self.acknowledged.append(self.awaiting_ack[1])
            self.awaiting_ack = None
        if (latest.id, latest.version) in self.done:
            return None
        return latest

    def _press(self, shown: Shown, prefix: str) -> bool:
        for label, data in shown.buttons:
            # A competence already tested shows its level: a person whose result message was
            # lost with the worker (it is in the database) picks one not yet tested.
            if data.startswith(prefix) and not (prefix == "comp:" and "level" in label):
                self.telegram.press(self.chat_id, shown, data)
                return True
        return False

    async def run(self, seconds: float) -> None:
        self.telegram.say(self.chat_id, "/test")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while loop.time() < deadline:
            shown = await self.chat.wait(self._screen, 6)
            if shown is None:  # nothing new: the bot may have died before answering
                self.recoveries += 1
                self.done.clear()
                self.telegram.say(self.chat_id, "/start")
                continue
            self.done.add((shown.id, shown.version))
            if "Test finished" in shown.text:
                self.finished = True
                return
            if self._press(shown, "area:") or self._press(shown, "comp:"):
                continue
            if self._press(shown, "resume") or self._press(shown, "test"):
                continue  # the welcome: Continue the test, or start one if none is open
            challenge_id = self._challenge_id(shown)
            if challenge_id is not None and shown.id not in self.answered:
                self.answered.add(shown.id)
                await self._answer(shown, challenge_id)

    async def _answer(self, shown: Shown, challenge_id: str) -> None:
        challenge = self.bank.challenges[challenge_id]
        self.awaiting_ack = (shown.id, challenge_id)
        options = [data for _, data in shown.buttons if data.startswith("opt:")]
        if challenge.type is ChallengeType.SINGLE:
            self.telegram.press(self.chat_id, shown, self.rng.choice(options))
        elif challenge.type is ChallengeType.MULTIPLE:
            before = shown.version
            self.telegram.press(self.chat_id, shown, self.rng.choice(options))
            ticked = await self.chat.wait(lambda c: c.messages[shown.id].version > before, 6)
            if ticked:
                self.telegram.press(self.chat_id, shown, "sub:" + options[0].split(":")[1])
        elif challenge.type is ChallengeType.TEXT:
            self.telegram.say(self.chat_id, self.rng.choice(["no idea", "maybe", "42"]))
        else:
            fields = challenge.text("en").fields
            self.telegram.say(self.chat_id, "\n".join("0" for _ in fields))


async def _until(condition: Callable[[], bool], seconds: float) -> None:
    for _ in range(int(seconds * 10)):
        if condition():
            return
        await asyncio.sleep(0.1)


@pytest.mark.parametrize("kind", DATABASES)
async def test_a_worker_killed_under_load_loses_no_acknowledged_answer(
    kind: str, tmp_path: Path, bank: ContentBank
) -> None:
    database_url = await fresh_database(kind, tmp_path)
    async with (
        fake_telegram() as telegram,
        worker(telegram, tmp_path, database_url, "a") as doomed,
        worker(telegram, tmp_path, database_url, "b") as survivor,
    ):
        learners = [Learner(telegram, 500 + index, bank) for index in range(LEARNERS)]
        runs = [asyncio.create_task(learner.run(120)) for learner in learners]
        await _until(lambda: sum(len(x.acknowledged) for x in learners) >= KILL_AFTER, 60)
        doomed.send_signal(signal.SIGKILL)
        await doomed.wait()
        killed_at = sum(len(x.acknowledged) for x in learners)
        telegram.dead.add(telegram.workers[0])
        await asyncio.gather(*runs)
        assert survivor.returncode is None

    survivor_log = (tmp_path / "b.log").read_text()
    assert survivor.returncode == 0, survivor_log
    assert "Traceback" not in survivor_log
    assert doomed.returncode == -signal.SIGKILL
    acknowledged = sum(len(x.acknowledged) for x in learners)
    assert killed_at >= KILL_AFTER and acknowledged > killed_at  # served before and after
    stuck_learners = [
        (x.chat_id, x.recoveries, x.chat.latest().text[:80], x.chat.latest().buttons[:3])
        for x in learners
        if not x.finished
    ]
    assert stuck_learners == []  # no test left stuck

    engine = create_engine(database_url)
    async with engine.connect() as connection:
        answered = (
            await connection.execute(text("SELECT user_id, challenge_id FROM answers"))
        ).all()
        stuck = (
            await connection.execute(text("SELECT id FROM assessments WHERE status = 'started'"))
        ).all()
        handled = set(
            (await connection.execute(text("SELECT update_id FROM processed_updates"))).scalars()
        )
    await engine.dispose()
    # Telegram forgets an update once a worker answers 200: each of those was handled.
    assert telegram.delivered and telegram.delivered <= handled
    assert telegram.refused == {}  # both workers accept the secret (derived from the token)
    assert all(update_id in telegram.delivered for update_id in telegram.deliveries)
    recorded = {(user, challenge) for user, challenge in answered}
    lost = [
        (x.chat_id, challenge)
        for x in learners
        for challenge in x.acknowledged
        if (x.chat_id, challenge) not in recorded
    ]
    assert lost == []
    assert stuck == []
