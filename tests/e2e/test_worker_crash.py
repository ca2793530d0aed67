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
from sqlalchemy.ext.asyncio import AsyncEngine

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


async def _no_learner_stuck(engine: AsyncEngine, learners: list[Learner], logs: Path) -> None:
    """Every learner reached a result; else say what their tests are in the database, and
    what the survivor's log and tasks show (a rare failure whose cause is still open)."""
    stuck = [x for x in learners if not x.finished]
    if not stuck:
        return
    async with engine.connect() as connection:
        their_tests = [
            tuple(row)
            for x in stuck
            for row in await connection.execute(
                text("SELECT id, competence, status FROM assessments WHERE user_id = :u"),
                {"u": x.chat_id},
            )
        ]
    shown = {
        x.chat_id: [
            (m.id, m.version, m.text[:50], m.buttons[:2]) for m in x.chat.messages.values()
        ]
        for x in stuck
    }
    seen = [(x.chat_id, x.recoveries, x.chat.notices[-5:], shown[x.chat_id][-6:]) for x in stuck]
    log = (logs / "b.log").read_text()
    ids = tuple(str(x.chat_id) for x in stuck)
    about = [line for line in log.splitlines() if any(i in line for i in ids)]
    raise AssertionError((seen, their_tests, about[-40:], log.split(" tasks:\n")[-1][-6000:]))


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
        if any(not x.finished for x in learners):  # what the survivor's tasks wait on (USR1)
            survivor.send_signal(signal.SIGUSR1)
            await asyncio.sleep(1)

    survivor_log = (tmp_path / "b.log").read_text()
    assert survivor.returncode == 0, survivor_log
    assert "Traceback" not in survivor_log.split(" tasks:\n")[0]
    assert f"serving Telegram with {NAMES[surviving]}" in survivor_log
    assert f"serving Telegram with {NAMES[killed]}" in (tmp_path / "a.log").read_text()
    assert doomed.returncode == -signal.SIGKILL
    acknowledged = sum(len(x.acknowledged) for x in learners)
    assert killed_at >= KILL_AFTER and acknowledged > killed_at  # served before and after
    engine = create_engine(database_url)
    try:
        await _no_learner_stuck(engine, learners, tmp_path)
        async with engine.connect() as connection:
            answered = (
                await connection.execute(text("SELECT user_id, challenge_id FROM answers"))
            ).all()
            stuck = (
                await connection.execute(
                    text("SELECT id FROM assessments WHERE status = 'started'")
                )
            ).all()
            handled = set(
                (
                    await connection.execute(text("SELECT update_id FROM processed_updates"))
                ).scalars()
            )
    finally:
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
