"""The dashboard's "send these tutorials to my group" on each runtime, wired as `pixbot run`
wires it (bot.serving.process.add_dashboard on the runtime's conversation): Telegram is asked
whether the educator administers the group when they press Send (getChatMember), the post goes
through the delivery engine to the group, and a teacher who no longer administers it is
refused with nothing queued."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from aiogram.methods import SendMessage
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.conversation import Conversation
from bot.serving.admins import AdminCache
from bot.serving.process import add_dashboard
from bot.settings import Settings
from storage.database import session_factory
from storage.delivery import DeliveryRow
from tests.conftest import TOKEN, FakeClock
from tests.dashboard import CODE, EDUCATOR, GROUP, init_data, seed
from tests.e2e.test_groups import deliver_due
from tests.telegram import ChatDriver, RecordingSession, api_bot

DASHBOARD_URL = "https://bot.example.org/dashboard"


async def test_tutorials_go_to_the_group_through_the_runtime_and_the_delivery_engine(
    telegram: Callable[..., ChatDriver],
    session: RecordingSession,
    conversation: Conversation,
    database: AsyncEngine,
    settings: Settings,
    clock: FakeClock,
) -> None:
    await seed(database)
    educator = telegram(user_id=EDUCATOR, chat_id=GROUP, chat_type="supergroup")
    # The admin check as the runtime connects it at start, asking Telegram each time.
    conversation.admins.connect(partial(AdminCache(ttl=0).is_admin, api_bot(educator)))
    session.admins.add((GROUP, EDUCATOR))
    app = web.Application()
    served = settings.model_copy(update={"dashboard_url": DASHBOARD_URL})
    assert add_dashboard(app, served, conversation, TOKEN)
    assert not add_dashboard(web.Application(), settings, conversation, TOKEN)  # unset: none

    async with TestClient(TestServer(app)) as client:

        async def send(competence: str) -> tuple[int, dict[str, str]]:
            signed = init_data(EDUCATOR, TOKEN, clock.now.timestamp())
            response = await client.post(
                f"/dashboard/api/campaigns/{CODE}/send",
                headers={"Authorization": f"tma {signed}"},
                json={"group": GROUP, "competence": competence},
            )
            return response.status, await response.json()

        assert await send("1.1") == (200, {"result": "sent", "group": "5B families"})
        posted = [
            r for r in await deliver_due(educator, conversation, database, clock)
            if isinstance(r, SendMessage)
        ]  # fmt: skip
        assert [p.chat_id for p in posted] == [GROUP]
        assert "À travailler ensemble\u202f: 1.1" in posted[0].text  # the group's language

        # No longer an administrator: Telegram is asked again, nothing is queued.
        session.admins.discard((GROUP, EDUCATOR))
        assert await send("4.1") == (403, {"result": "not_admin", "group": "5B families"})
    async with session_factory(database)() as db:
        rows = (await db.scalars(select(DeliveryRow))).all()
    assert [(row.chat_id, row.kind) for row in rows] == [(GROUP, "tutorials")]
