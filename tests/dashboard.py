"""What the dashboard's tests share: initData signed as Telegram signs it, a seeded class (an
educator, their campaign with five participants in every status, a class group they
administer), and the dashboard's aiohttp app built as `pixbot run` builds it."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.campaigns.ports import Campaign
from bot.core.groups.ports import GroupSettings
from bot.core.i18n import Catalogs
from bot.core.library.ports import GroupAdmins
from bot.core.ports import User
from bot.core.scoring import Knowledge, Source
from bot.core.scoring import Status as Known
from bot.dashboard.api import Dashboard
from bot.dashboard.app import add_dashboard
from bot.dashboard.auth import signature
from content.bank import ContentBank
from storage.database import session_factory
from storage.repository import SqlStore, store_factory

EDUCATOR = 1
OTHER_EDUCATOR = 2
LEARNER = 13  # Bo, who shared
GROUP = -1001234
OTHER_GROUP = -1005678  # where the educator was seen administering, but is no longer
CODE = "ABCDEF123"
PATH = "/dashboard"
SEEDED_AT = datetime(2026, 11, 25, 9, tzinfo=UTC)


def init_data(
    user_id: int,
    token: str,
    signed_at: float | None = None,
    language: str = "en",
    first_name: str = "Grace",
) -> str:
    """initData as Telegram hands it to a Mini App: the fields, and their hash under the
    bot's token."""
    fields = {
        "query_id": "AAHdF6IQAAAAAN0XohDhrOrc",
        "user": json.dumps(
            {"id": user_id, "first_name": first_name, "language_code": language},
            separators=(",", ":"),
            ensure_ascii=False,
        ),
        "auth_date": str(int(time.time() if signed_at is None else signed_at)),
    }
    fields["hash"] = signature(fields, token)
    return urlencode(fields)


def known(outcomes: dict[str, bool]) -> dict[str, Knowledge]:
    return {
        skill: Knowledge(skill, Known.VALIDATED if ok else Known.INVALIDATED, Source.DIRECT)
        for skill, ok in outcomes.items()
    }


async def finish(
    store: SqlStore, participation: Any, competence: str, level: int, outcomes: dict[str, bool]
) -> None:
    assessment = await store.add_assessment(participation.user_id, competence, "irt", 1, SEEDED_AT)
    await store.link_campaign_assessment(participation, assessment.id, competence)
    assessment.level, assessment.pix = level, level * 8 + 3
    await store.finish_assessment(assessment, known(outcomes), SEEDED_AT)


async def seed(database: AsyncEngine) -> Campaign:
    """Ms Grey's campaign 5B on 1.1 and 4.1: Léa joined, Sam started, Ana finished without
    sharing, "Bo <b>" (student S-13) and Cy shared; another educator; a class group Ms Grey
    administers (in French) and one where she no longer does."""
    async with session_factory(database)() as session:
        store = SqlStore(session)
        await store.add_user(User(EDUCATOR, "en", "Ms Grey", timezone="Europe/Paris"), SEEDED_AT)
        await store.add_educator(EDUCATOR, SEEDED_AT)
        await store.add_user(User(OTHER_EDUCATOR, "en", "Mr Brown"), SEEDED_AT)
        await store.add_educator(OTHER_EDUCATOR, SEEDED_AT)
        campaign = await store.add_campaign(
            CODE, "5B <web>", EDUCATOR, ["1.1", "4.1"], SEEDED_AT, "Student number"
        )
        assert campaign is not None
        people = {}
        names = [(10, "Léa"), (11, "Sam"), (12, "Ana"), (LEARNER, "Bo <b>"), (14, "Cy")]
        for user_id, name in names:
            await store.add_user(User(user_id, "en", name), SEEDED_AT)
            people[name] = await store.add_participation(campaign.id, user_id, SEEDED_AT)
        await store.set_participation_identifier(people["Bo <b>"].id, "S-13")
        started = await store.add_assessment(11, "1.1", "irt", 1, SEEDED_AT)
        await store.link_campaign_assessment(people["Sam"], started.id, "1.1")
        for name in ("Ana", "Bo <b>", "Cy"):
            await finish(store, people[name], "1.1", 2, {"@alpha1": True, "@alpha2": False})
            await finish(store, people[name], "4.1", 1, {"@gamma1": True, "@gamma2": False})
        await finish(store, people["Bo <b>"], "1.1", 3, {"@alpha2": True, "@alpha3": False})
        for name in ("Bo <b>", "Cy"):
            await store.share_participation(people[name].id, SEEDED_AT + timedelta(hours=1))
        for chat_id, title in ((GROUP, "5B families"), (OTHER_GROUP, "Old class")):
            await store.save_group(
                GroupSettings(chat_id, title, language="fr", timezone="Europe/Paris"), SEEDED_AT
            )
            await store.record_group_admin(chat_id, EDUCATOR, SEEDED_AT)
        await store.commit()
        return campaign


def admins_of(pairs: Iterable[tuple[int, int]]) -> GroupAdmins:
    """Telegram's answer to "does this person administer that group?", for ``pairs``."""
    known_pairs = set(pairs)

    async def check(chat_id: int, user_id: int) -> bool:
        return (chat_id, user_id) in known_pairs

    return GroupAdmins(check)


def dashboard_app(
    database: AsyncEngine,
    bank: ContentBank,
    catalogs: Catalogs,
    token: str,
    admins: GroupAdmins | None = None,
) -> web.Application:
    dashboard = Dashboard(
        store_factory(session_factory(database)),
        bank,
        catalogs,
        admins or admins_of([(GROUP, EDUCATOR)]),
        lambda: datetime.now(UTC),
        max_level=6,
    )
    app = web.Application()
    add_dashboard(app, dashboard, token, PATH)
    return app
