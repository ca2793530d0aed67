"""`pixbot calibrate` reads stored answers, stores fitted parameters, and the bank uses them."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.engines.irt import parameters
from bot.core.ports import Attempt, User
from bot.lab.calibrate import calibrate_bank
from content.bank import ContentBank
from storage.calibration import load_overrides, load_responses, save_fits
from storage.database import session_factory
from storage.repository import SqlStore
from tests.processes import env, pixbot

NOW = datetime(2026, 11, 25, tzinfo=UTC)


async def store_answers(database: AsyncEngine, bank: ContentBank, learners: int) -> None:
    """Learners of random ability answer the three 4.1 challenges; gamma-3a is much harder
    than its level says (nobody gets it right)."""
    rng = random.Random(5)
    async with session_factory(database)() as session:
        store = SqlStore(session)
        for learner in range(learners):
            await store.add_user(User(learner + 1, "en"), NOW)
            assessment = await store.add_assessment(learner + 1, "4.1", "irt", 1, NOW)
            ability = rng.gauss(2.0, 1.0)
            for position, challenge_id in enumerate(["gamma-1a", "gamma-2a", "gamma-3a"], 1):
                attempt = await store.add_attempt(
                    Attempt(
                        0,
                        f"tok{learner:05d}{position}",
                        assessment.id,
                        learner + 1,
                        challenge_id,
                        position,
                        "en",
                    ),
                    NOW,
                )
                level = bank.challenges[challenge_id].level
                correct = challenge_id != "gamma-3a" and rng.random() < 1 / (
                    1 + 2.7 ** (level - ability)
                )
                await store.record_answer(attempt, "x", correct, False, NOW)
        await store.commit()


async def test_calibration_is_stored_and_used_by_the_engine(
    database: AsyncEngine, bank: ContentBank
) -> None:
    await store_answers(database, bank, learners=80)
    async with session_factory(database)() as session:
        responses = await load_responses(session)
        assert len(responses) == 240
        results = calibrate_bank(bank, responses, min_answers=30)
        fits = {f.item: f for f in results["4.1"]}
        assert "never answered right" in fits["gamma-3a"].flags
        assert (
            fits["gamma-1a"].difficulty < fits["gamma-2a"].difficulty < fits["gamma-3a"].difficulty
        )
        await save_fits(session, results["4.1"], NOW)
        await session.commit()
        overrides = await load_overrides(session)
    calibrated = bank.with_irt(overrides)
    assert parameters(calibrated.challenges["gamma-3a"])[1] == overrides["gamma-3a"][0]
    assert parameters(bank.challenges["gamma-3a"])[1] == 2.5  # the original bank is untouched


async def test_calibrate_command_reports_suspicious_items(
    tmp_path: Path, bank: ContentBank
) -> None:
    from storage.database import create_engine, upgrade

    database = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    await upgrade(database)
    await store_answers(database, bank, learners=60)
    await database.dispose()
    code, out, err = await pixbot(
        "calibrate", "--json", "--min-answers", "30", cwd=tmp_path, environ=env(tmp_path)
    )
    assert code == 0, err
    report = json.loads(out)
    assert report["answers"] == 180 and report["competences"]["4.1"]["items"] == 3
    [suspicious] = report["competences"]["4.1"]["suspicious"]
    assert suspicious["id"] == "gamma-3a" and "never answered right" in suspicious["flags"]
