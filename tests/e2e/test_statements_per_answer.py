"""What an answer costs the database (issue 19: each statement is a round trip and most of a
worker's CPU): the update that records an answer reads the test in one query and writes the
answer (with a first failure's review card: one statement on PostgreSQL) and the next
challenge; where the next challenge was shown is written apart, as one statement with no
transaction around it."""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine

from content.bank import ContentBank
from tests.e2e.solver import answer
from tests.e2e.test_assessment import start_test
from tests.telegram import ChatDriver


class Transactions:
    """The statements ``engine`` sends, grouped by transaction, and its commits."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine.sync_engine
        self.sent: list[list[str]] = []
        event.listen(self.engine, "begin", self._begin)
        event.listen(self.engine, "before_cursor_execute", self._statement)
        event.listen(self.engine, "commit", self._commit)

    def _begin(self, _connection: Any) -> None:
        self.sent.append([])

    def _commit(self, _connection: Any) -> None:
        self.sent[-1].append("COMMIT")

    def _statement(self, _c: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if not statement.startswith("BEGIN"):
            self.sent[-1].append(" ".join(statement.split()[:3]))

    def close(self) -> None:
        event.remove(self.engine, "begin", self._begin)
        event.remove(self.engine, "before_cursor_execute", self._statement)
        event.remove(self.engine, "commit", self._commit)


async def test_an_answer_reads_the_test_once_and_writes_what_changed(
    learner: ChatDriver, bank: ContentBank, database: AsyncEngine, engine: str
) -> None:
    await start_test(learner)
    answers: list[list[list[str]]] = []
    for right in itertools.cycle([False, True]):
        recorded = Transactions(database)
        try:
            await answer(bank, learner, right=right)
        finally:
            recorded.close()
        if "Test finished" in learner.last_text:
            break
        answers.append(recorded.sent)
    assert len(answers) >= 2  # answers with a next challenge, wrong then right
    # The update's claim and the learner: one statement on either database.
    claim = ["INSERT INTO processed_updates"]
    if database.dialect.name == "postgresql":
        claim = ["WITH claim AS"]
    for number, sent in enumerate(answers):
        *_, recording, shown = sent  # a choice's ticks come before, each its own update
        wrong = number % 2 == 0
        # The day's first answer also keeps the learner's streak.
        assert recording.pop() == "COMMIT"
        body = [statement for statement in recording if statement != "UPDATE users SET"]
        # The update's claim and the learner, then the test with its attempts.
        assert body[: len(claim)] == claim, recording
        assert body[len(claim)] == "SELECT assessments.id AS", recording
        body = body[len(claim) + 1 :]
        assert body[-1] == "INSERT INTO attempts", recording  # the next challenge
        # Between them: the answer, a wrong one's review card (inserted with the answer, in one
        # statement on PostgreSQL; read, then moved, when the skill has one already) and a typed
        # one's rejected answer counted for the authors.
        answers = {"INSERT INTO answers", "WITH answer AS"}
        assert sum(body.count(statement) for statement in answers) == 1, recording
        extra = {"INSERT INTO review_cards", "SELECT review_cards.id, review_cards.user_id,"}
        if wrong:
            extra.add("INSERT INTO rejected_answers")
        assert set(body[:-1]) <= {*answers, *extra}, recording
        if number == 0:  # a skill's first failure: its review card inserted, nothing read
            if database.dialect.name == "postgresql":
                assert "WITH answer AS" in body and "INSERT INTO review_cards" not in body
            else:
                assert "INSERT INTO review_cards" in body, recording
            assert not any(statement.startswith("SELECT review_cards") for statement in body)
        # Where it was shown: one statement, on its own (no BEGIN nor COMMIT round trip).
        assert shown == ["UPDATE attempts SET"]


async def test_a_test_started_before_the_upgrade_goes_on(
    learner: ChatDriver, bank: ContentBank, database: AsyncEngine
) -> None:
    """A test started by a version that did not record what the learner had met (migration
    0012) reads it from the answers, as before."""
    await start_test(learner)
    async with database.begin() as connection:
        await connection.execute(text("UPDATE assessments SET seen_before = NULL"))
    recorded = Transactions(database)
    try:
        await answer(bank, learner, right=True)
    finally:
        recorded.close()
    assert "Challenge 2 ·" in learner.last_text or "Test finished" in learner.last_text
    assert "SELECT attempts.challenge_id FROM" in recorded.sent[-2]
