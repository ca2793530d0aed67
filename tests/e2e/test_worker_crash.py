"""Two real `pixbot run` webhook workers share one database behind a fake Telegram; learners
answer concurrently, and one worker is killed with SIGKILL in the middle. No answer a learner saw
acknowledged is lost, every test still reaches its result, and the survivor serves everyone. The
two workers run on different Telegram libraries (TELEGRAM_LIBRARY), each killed once."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text

from content.bank import ContentBank
from storage.database import create_engine
from tests.conftest import DATABASES
from tests.fake_telegram import Learner, fake_telegram
from tests.processes import fresh_database, health, worker

LEARNERS = 16
KILL_AFTER = 25  # acknowledged answers before worker A dies


async def _until(condition: Callable[[], bool], seconds: float) -> None:
    for _ in range(int(seconds * 10)):
        if condition():
            return
        await asyncio.sleep(0.1)


# The Telegram library of the worker killed and of the one that survives it, on each database:
# each runtime is killed mid-update once and takes over the other's updates once (as while a
# deployment moves from one TELEGRAM_LIBRARY to the other), at the cost of two runs, not four.
RUNTIMES_ON = {"sqlite": ("ptb", "aiogram"), "postgresql": ("aiogram", "ptb")}
NAMES = {"aiogram": "aiogram", "ptb": "python-telegram-bot"}


@pytest.mark.parametrize(
    ("kind", "killed", "surviving"), [(kind, *RUNTIMES_ON[kind]) for kind in DATABASES]
)
async def test_a_worker_killed_under_load_loses_no_acknowledged_answer(
    kind: str, killed: str, surviving: str, tmp_path: Path, bank: ContentBank
) -> None:
    database_url = await fresh_database(kind, tmp_path)
    async with (
        fake_telegram() as telegram,
        worker(telegram, tmp_path, database_url, "a", TELEGRAM_LIBRARY=killed) as doomed,
        worker(telegram, tmp_path, database_url, "b", TELEGRAM_LIBRARY=surviving) as survivor,
    ):
        for url in telegram.workers:  # the webhook's port serves /healthz too
            assert await health(url.removesuffix("/telegram")) == (200, "ok\n")
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
    assert f"serving Telegram with {NAMES[surviving]}" in survivor_log
    assert f"serving Telegram with {NAMES[killed]}" in (tmp_path / "a.log").read_text()
    assert doomed.returncode == -signal.SIGKILL
    acknowledged = sum(len(x.acknowledged) for x in learners)
    assert killed_at >= KILL_AFTER and acknowledged > killed_at  # served before and after
    stuck_learners = [
        (x.chat_id, x.recoveries, x.chat.latest().text[:80], x.chat.latest().buttons[:3])
        for x in learners
        if not x.finished
    ]
    engine = create_engine(database_url)
    async with engine.connect() as connection:
        # What a stuck learner's tests are, for the failure message (a rare failure, seen
        # about once in ten runs this session, whose cause is still open).
        their_tests = [
            tuple(row)
            for x in learners
            if not x.finished
            for row in await connection.execute(
                text("SELECT id, competence, status FROM assessments WHERE user_id = :u"),
                {"u": x.chat_id},
            )
        ]
    assert stuck_learners == [], (their_tests, survivor_log[-3000:])  # no test left stuck

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
