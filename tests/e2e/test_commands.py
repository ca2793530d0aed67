"""The pixbot commands as a newcomer runs them: chat through stdin, run against a local Bot API
server, webhook secrets, and a clear error without a token."""

from __future__ import annotations

import asyncio
import json
import re
import signal
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.adapters.telegram import build_dispatcher, create_bot
from bot.adapters.telegram.server import webhook_app, webhook_secret
from bot.core.dialogue import Conversation
from tests.conftest import TOKEN
from tests.fake_telegram import bot_api_server
from tests.processes import env, pixbot, start_run
from tests.telegram import RecordingSession


async def test_chat_through_stdin_completes_a_test_and_prints_a_level(tmp_path: Path) -> None:
    # Take a test, area 4, competence 4.1, then always the last button (Skip).
    script = "1\n4\n1\n" + "3\n" * 10 + "/profile\n"
    code, out, err = await pixbot(
        "chat",
        "--db",
        str(tmp_path / "chat.db"),
        cwd=tmp_path,
        environ=env(tmp_path),
        stdin=script.encode(),
    )
    assert code == 0, err
    assert "Test finished: 4.1 Securing the digital environment" in out
    assert "Level 0 · 0 pix" in out
    assert "] 🎯 Another competence" in out and "] 💾 Save" in out
    assert "4.1 Securing the digital environment — level 0 · 0 pix" in out


async def test_chat_speaks_french_when_asked(tmp_path: Path) -> None:
    code, out, _ = await pixbot(
        "chat", "--lang", "fr", cwd=tmp_path, environ=env(tmp_path), stdin=b""
    )
    assert code == 0
    assert "Bonjour ! Je suis pixbot." in out and "[1] 🎯 Passer un test" in out


@pytest.mark.parametrize("token", [None, "not-a-token"])
async def test_run_without_a_valid_token_is_one_clear_line(
    tmp_path: Path, token: str | None
) -> None:
    extra = {"BOT_TOKEN": token} if token else {}
    code, _, err = await pixbot("run", cwd=tmp_path, environ=env(tmp_path, **extra))
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "BOT_TOKEN" in lines[0] and "pixbot chat" in lines[0]
    assert "Traceback" not in err


class FakeBotApi:
    """A local Bot API server: one /start update, then empty long polls; records what it gets."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.delivered = False
        self.got_reply = asyncio.Event()

    async def handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        data: dict[str, Any] = dict(await request.post()) if request.can_read_body else {}
        self.calls.append((method, data))
        if method == "getMe":
            result: Any = {
                "id": 42,
                "is_bot": True,
                "first_name": "Pixbot",
                "username": "pixbot_test_bot",
            }
        elif method == "getUpdates":
            if not self.delivered:
                self.delivered = True
                result = [
                    {
                        "update_id": 1,
                        "message": {
                            "message_id": 1,
                            "date": 1764000000,
                            "chat": {"id": 777, "type": "private"},
                            "from": {
                                "id": 777,
                                "is_bot": False,
                                "first_name": "Lin",
                                "language_code": "fr",
                            },
                            "text": "/start",
                        },
                    }
                ]
            else:
                await asyncio.sleep(0.2)
                result = []
        elif method == "sendMessage":
            self.got_reply.set()
            result = {
                "message_id": 5,
                "date": 1764000001,
                "chat": {"id": 777, "type": "private"},
                "text": data.get("text", ""),
            }
        else:
            result = True
        return web.json_response({"ok": True, "result": result})


@pytest.fixture
async def fake_api() -> AsyncIterator[tuple[FakeBotApi, str]]:
    api = FakeBotApi()
    async with bot_api_server(api.handle) as base:
        yield api, base


async def test_run_serves_a_learner_through_a_local_bot_api_and_stops_on_sigterm(
    tmp_path: Path, fake_api: tuple[FakeBotApi, str]
) -> None:
    api, base = fake_api
    process = await start_run(tmp_path, TELEGRAM_API_BASE=base, POLLING_TIMEOUT="25")
    try:
        await asyncio.wait_for(api.got_reply.wait(), timeout=30)
    finally:
        process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(process.wait(), timeout=20)
    assert code == 0
    [reply] = [data for method, data in api.calls if method == "sendMessage"]
    assert "Bonjour Lin ! Je suis pixbot." in reply["text"]
    assert (
        json.loads(reply["reply_markup"])["inline_keyboard"][0][0]["text"] == "🎯 Passer un test"
    )
    polls = [data for method, data in api.calls if method == "getUpdates"]
    assert polls and all(int(p["timeout"]) == 25 for p in polls)  # real long polling
    assert (tmp_path / "bot.db").exists()  # migrated at start


async def test_webhook_refuses_requests_without_the_secret(conversation: Conversation) -> None:
    bot = create_bot(TOKEN, session=RecordingSession())
    app = webhook_app(build_dispatcher(conversation), bot, "s3cret-token", "/telegram")
    async with TestClient(TestServer(app)) as client:
        update = {
            "update_id": 9,
            "message": {
                "message_id": 1,
                "date": 1764000000,
                "chat": {"id": 5, "type": "private"},
                "from": {"id": 5, "is_bot": False, "first_name": "Eve"},
                "text": "/start",
            },
        }
        missing = await client.post("/telegram", json=update)
        wrong = await client.post(
            "/telegram", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "guess"}
        )
        right = await client.post(
            "/telegram", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"}
        )
    assert (missing.status, wrong.status, right.status) == (401, 401, 200)


async def test_db_upgrade_creates_the_schema(tmp_path: Path) -> None:
    code, out, err = await pixbot("db", "upgrade", cwd=tmp_path, environ=env(tmp_path))
    assert code == 0, err
    assert "database is up to date" in out
    import sqlite3

    with sqlite3.connect(tmp_path / "bot.db") as db:
        tables = {
            row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
    assert {"users", "assessments", "attempts", "answers", "knowledge_elements"} <= tables


async def test_run_with_an_unreachable_database_is_one_clear_line(tmp_path: Path) -> None:
    url = "postgresql+asyncpg://pixbot:hunter2@127.0.0.1:1/nowhere"
    code, _, err = await pixbot(
        "run", cwd=tmp_path, environ=env(tmp_path, BOT_TOKEN=TOKEN, DATABASE_URL=url)
    )
    assert code == 1
    assert "cannot open the database postgresql+asyncpg://pixbot:***@127.0.0.1:1/nowhere" in err
    assert "hunter2" not in err and "Traceback" not in err


async def test_health_and_metrics_endpoints(
    conversation: Conversation, database: AsyncEngine, session: RecordingSession
) -> None:
    from aiogram.types import Chat, Message, Update, User

    from bot.adapters.telegram.metrics import Metrics, RequestMetrics, routes
    from storage.database import create_engine

    metrics = Metrics()
    bot = create_bot(TOKEN, session=session)
    bot.session.middleware(RequestMetrics(metrics))
    dispatcher = build_dispatcher(conversation, metrics=metrics)
    user = User(id=5, is_bot=False, first_name="Eve")
    message = Message(
        message_id=1,
        date=datetime.now(UTC),
        chat=Chat(id=5, type="private"),
        from_user=user,
        text="/start",
    )
    await dispatcher.feed_update(bot, Update(update_id=1, message=message))

    app = web.Application()
    routes(app, metrics, database)
    async with TestClient(TestServer(app)) as client:
        health = await client.get("/healthz")
        scrape = await (await client.get("/metrics")).text()
    assert health.status == 200
    assert 'pixbot_updates_total{type="message"} 1.0' in scrape
    assert "pixbot_handler_seconds_count 1.0" in scrape
    assert "pixbot_messages_sent_total 1.0" in scrape
    assert "pixbot_delivery_queue_depth 0.0" in scrape

    broken = create_engine("postgresql+asyncpg://nobody@127.0.0.1:1/none")
    app = web.Application()
    routes(app, metrics, broken)
    async with TestClient(TestServer(app)) as client:
        assert (await client.get("/healthz")).status == 503
    await broken.dispose()


def test_every_worker_derives_the_same_webhook_secret_from_the_token() -> None:
    secret = webhook_secret(TOKEN)
    assert secret == webhook_secret(TOKEN)  # two processes agree without configuration
    assert secret != webhook_secret(TOKEN.replace("Q", "R"))
    assert TOKEN not in secret and re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret)  # Bot API rule
