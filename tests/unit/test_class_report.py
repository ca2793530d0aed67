"""The class report (issue 21) on a seeded store, SQLite and PostgreSQL: each participant's
status, levels and skills only once shared, the spread per competence and the skills the class
failed most, read in a few queries whatever the class's size."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.campaigns.ports import Campaign, CompetenceScore
from bot.core.campaigns.report import Status, class_report
from bot.core.ports import User
from bot.core.scoring import Knowledge, Source
from bot.core.scoring import Status as Known
from content.bank import ContentBank
from storage.database import session_factory
from storage.repository import SqlStore

NOW = datetime(2026, 11, 25, 9, tzinfo=UTC)
EDUCATOR = 1


def known(outcomes: dict[str, bool]) -> dict[str, Knowledge]:
    """Direct outcomes; a skill written "~@x" is inferred (no challenge asked it)."""
    return {
        skill.lstrip("~"): Knowledge(
            skill.lstrip("~"),
            Known.VALIDATED if ok else Known.INVALIDATED,
            Source.INFERRED if skill.startswith("~") else Source.DIRECT,
        )
        for skill, ok in outcomes.items()
    }


async def finish(
    store: SqlStore,
    participation: Any,
    competence: str,
    level: int,
    outcomes: dict[str, bool],
) -> None:
    assessment = await store.add_assessment(participation.user_id, competence, "irt", 1, NOW)
    await store.link_campaign_assessment(participation, assessment.id, competence)
    assessment.level, assessment.pix = level, level * 8 + 3
    await store.finish_assessment(assessment, known(outcomes), NOW)


async def seed(store: SqlStore) -> Campaign:
    """Léa joined; Sam started 1.1; Ana finished without sharing; Bo and Cy shared, Bo after
    taking 1.1 twice (his first try's skills are replaced)."""
    await store.add_user(User(EDUCATOR, "en", "Ms Grey"), NOW)
    await store.add_educator(EDUCATOR, NOW)
    campaign = await store.add_campaign(
        "ABCDEF123", "5B", EDUCATOR, ["1.1", "4.1"], NOW, "Student number"
    )
    assert campaign is not None
    people = {}
    for user_id, name in [(10, "Léa"), (11, "Sam"), (12, "Ana"), (13, "Bo"), (14, "Cy")]:
        await store.add_user(User(user_id, "en", name), NOW)
        people[name] = await store.add_participation(campaign.id, user_id, NOW)
    await store.set_participation_identifier(people["Bo"].id, "S-13")
    started = await store.add_assessment(11, "1.1", "irt", 1, NOW)
    await store.link_campaign_assessment(people["Sam"], started.id, "1.1")
    for name in ("Ana", "Bo", "Cy"):
        await finish(
            store, people[name], "1.1", 2, {"@alpha1": True, "@alpha2": False, "~@alpha4": False}
        )
        await finish(store, people[name], "4.1", 1, {"@gamma1": True, "@gamma2": False})
    await finish(  # Bo again: level 3, and @alpha2 validated this time
        store,
        people["Bo"],
        "1.1",
        3,
        {"@alpha1": True, "@alpha2": True, "@alpha3": False, "~@alpha4": False, "@beta1": False},
    )
    for name in ("Bo", "Cy"):
        assert await store.share_participation(people[name].id, NOW + timedelta(hours=1))
    assert not await store.set_participation_identifier(people["Cy"].id, "too late")
    await store.commit()
    return campaign


async def test_the_class_report_shows_status_to_all_and_levels_only_once_shared(
    database: AsyncEngine, bank: ContentBank
) -> None:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    async with session_factory(database)() as session:
        store = SqlStore(session)
        campaign = await seed(store)
        campaign = await store.campaign_by_code("ABCDEF123")
        assert campaign is not None and campaign.identifier_label == "Student number"
        event.listen(database.sync_engine, "before_cursor_execute", count)
        try:
            report = await class_report(store, bank, campaign, "en")
        finally:
            event.remove(database.sync_engine, "before_cursor_execute", count)

    assert len(statements) == 3  # the people, their tests, the shared skills: none per learner
    rows = {row.name: row for row in report.learners}
    assert [row.number for row in report.learners] == [1, 2, 3, 4, 5]
    assert {name: row.status for name, row in rows.items()} == {
        "Léa": Status.JOINED,
        "Sam": Status.IN_PROGRESS,
        "Ana": Status.FINISHED,
        "Bo": Status.SHARED,
        "Cy": Status.SHARED,
    }
    assert rows["Bo"].identifier == "S-13" and rows["Léa"].identifier is None
    for name in ("Léa", "Sam", "Ana"):  # nothing of theirs beyond a status
        assert rows[name].levels == {} and rows[name].skills == {}
    assert rows["Ana"].done == 2 and rows["Sam"].done == 0
    assert rows["Bo"].levels == {"1.1": CompetenceScore(3, 27), "4.1": CompetenceScore(1, 11)}
    assert rows["Bo"].skills == {
        "@alpha1": True,
        "@alpha2": True,
        "@alpha3": False,
        "@alpha4": False,  # inferred: in his skills (and the CSV), not among those asked
        "@beta1": False,
        "@gamma1": True,
        "@gamma2": False,
    }
    assert rows["Bo"].asked == frozenset(rows["Bo"].skills) - {"@alpha4"}
    assert rows["Bo"].shared_at is not None and rows["Ana"].shared_at is None

    spreads = {spread.code: spread for spread in report.spreads}
    assert [spread.code for spread in report.spreads] == ["1.1", "4.1"]
    assert spreads["1.1"].counts == (0, 0, 1, 1, 0, 0, 0)  # Cy at 2, Bo at 3; Ana not shared
    assert spreads["1.1"].mean == 2.5
    assert spreads["4.1"].counts == (0, 2, 0, 0, 0, 0, 0)

    work = report.to_work["1.1"]
    # @alpha2 failed by Cy only (Bo validated it on his second try); @alpha3 and @beta1 by Bo:
    # one each, the lower level first (what is taught first). @alpha4, failed by both but
    # only by inference, is no skill a challenge asked: it is left out.
    assert [(s.skill, s.failed, s.tried) for s in work] == [
        ("@beta1", 1, 1),
        ("@alpha2", 1, 2),
        ("@alpha3", 1, 1),
    ]
    assert [t.id for t in work[1].tutorials] == ["tut-alpha-en"]
    assert [(s.skill, s.failed, s.tried) for s in report.to_work["4.1"]] == [("@gamma2", 2, 2)]


async def test_an_empty_campaign_has_a_report(database: AsyncEngine, bank: ContentBank) -> None:
    async with session_factory(database)() as session:
        store = SqlStore(session)
        await store.add_user(User(EDUCATOR, "en", "Ms Grey"), NOW)
        campaign = await store.add_campaign("ABCDEF124", "5C", EDUCATOR, ["4.1"], NOW)
        assert campaign is not None and campaign.identifier_label is None
        report = await class_report(store, bank, campaign, "fr")
    assert report.learners == ()
    assert report.spreads[0].counts == (0,) * 7 and report.spreads[0].mean is None
    assert report.to_work == {"4.1": ()}
