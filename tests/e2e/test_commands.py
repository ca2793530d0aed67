"""The pixbot commands as a newcomer runs them: chat through stdin, run against a local Bot API
server on either Telegram library (TELEGRAM_LIBRARY), webhook secrets, and a clear error
without a token or with a setting that is not one."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiogram import Dispatcher
from aiogram.types import Chat, Message, Update, User
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.adapters.telegram import build_dispatcher, create_bot
from bot.adapters.telegram.handlers import build_router
from bot.adapters.telegram.metrics import RequestMetrics
from bot.cli import main
from bot.core.conversation import Conversation
from bot.delivery.redis_limiter import limiter_prefix
from bot.serving.metrics import Metrics, routes
from bot.serving.process import bot_id, webhook_secret
from content.bank import ContentBank
from tests.conftest import REDIS_URL, TOKEN
from tests.fake_telegram import Learner, fake_telegram, free_port
from tests.processes import env, health, pixbot, start_run
from tests.telegram import ChatDriver, PtbDispatcher, RecordingRequest, RecordingSession

ROOT = Path(__file__).resolve().parents[2]
# What each runtime's Bot API client says it is (its requests' User-Agent).
CLIENTS = {"aiogram": "aiogram/", "ptb": "python-telegram-bot v"}


async def test_chat_through_stdin_completes_a_test_and_prints_a_level(tmp_path: Path) -> None:
    # Take a test, area 4, competence 4.1, then press the highest buttons first: a number
    # beyond the buttons is typed text (an answer, or "use the buttons"), so each challenge is
    # skipped or answered wrong within a few lines, whatever its kind.
    script = "1\n4\n1\n" + "6\n5\n4\n3\n" * 16 + "/profile\n"
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
    assert re.search(r"Level \d of 6 · \d+ of 48 pix", out), out[-3000:]
    assert "] 🎯 Another competence" in out and "] 💾 Save" in out
    # Each challenge became the challenge with its answer and its correction.
    assert "✎" in out and ("Your answer: " in out or "You skipped this one." in out)
    assert re.search(r"4\.1 Securing the digital environment — level \d of 6 · \d+ pix", out)


async def test_chat_speaks_french_when_asked(tmp_path: Path) -> None:
    code, out, _ = await pixbot(
        "chat", "--lang", "fr", cwd=tmp_path, environ=env(tmp_path), stdin=b""
    )
    assert code == 0
    assert "Bonjour\u202f! Je suis pixbot." in out and "[1] 🎯 Passer un test" in out


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


def test_run_help_names_the_telegram_library(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["run", "--help"])
    assert exit_.value.code == 0
    shown = " ".join(capsys.readouterr().out.split())
    assert "TELEGRAM_LIBRARY" in shown and "aiogram" in shown and "ptb" in shown


@pytest.mark.parametrize("value", ["telethon", "", "aiogram ptb"])
def test_run_with_an_unknown_telegram_library_is_one_clear_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    value: str,
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_LIBRARY", value)
    assert main(["run"]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"pixbot: TELEGRAM_LIBRARY={value!r}: ")
    assert "'aiogram' or 'ptb'" in line and TOKEN not in line


@pytest.mark.parametrize("value", ["ptb", "PTB", " Ptb "])
def test_the_telegram_library_is_read_in_any_case(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    from bot.settings import Settings

    monkeypatch.setenv("TELEGRAM_LIBRARY", value)
    assert Settings(_env_file=None).telegram_library == "ptb"


def test_pixbot_run_on_python_telegram_bot_never_loads_aiogram() -> None:
    """Importing aiogram alone costs ~165 MB resident (python-telegram-bot ~34 MB) and seconds of
    CPU: `pixbot run` imports only the library TELEGRAM_LIBRARY names. (Checking the other way
    round would cost this suite aiogram's import in one more process.)"""
    code = (
        "import sys, bot.cli, bot.bootstrap\n"
        "bot.bootstrap.runtime_server('ptb')\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'aiogram', 'telegram'}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "['telegram']"


def said(words: str) -> Callable[[Any], bool]:
    return lambda chat: any(words in shown.text for shown in chat.messages.values())


async def test_run_serves_learners_by_long_polling_and_stops_on_sigterm(
    tmp_path: Path, bank: ContentBank, runtime: str
) -> None:
    operations = free_port()
    async with fake_telegram(connections=0) as telegram:
        process = await start_run(
            tmp_path,
            TELEGRAM_LIBRARY=runtime,
            TELEGRAM_API_BASE=telegram.base,
            POLLING_TIMEOUT="25",
            METRICS_PORT=str(operations),
            WEBHOOK_HOST="127.0.0.1",  # where the operations server listens too
            **({"REDIS_URL": REDIS_URL} if REDIS_URL else {}),
        )
        try:
            telegram.say(777, "/start")
            assert await telegram.chat(777).wait(said("I'm pixbot"), 30)
            learner = Learner(telegram, 778, bank)
            # A test: an area, a competence, a challenge answered and corrected (a whole test
            # would spend its seconds on the chat's rate of a message a second).
            await learner.run(30, answers=1)
            assert len(learner.acknowledged) == 1, learner.chat.latest().text
            assert await health(f"http://127.0.0.1:{operations}") == (200, "ok\n")
            if REDIS_URL:  # the replies went through the limits the bot's processes share
                assert await shared_limiter_keys(delete=True)
            async with (
                aiohttp.ClientSession() as client,
                client.get(f"http://127.0.0.1:{operations}/metrics") as scrape,
            ):
                metrics = await scrape.text()
        finally:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
            _, raw = await asyncio.wait_for(process.communicate(), timeout=20)
    err = raw.decode()
    assert process.returncode == 0, err
    assert "Traceback" not in err
    assert telegram.user_agents and all(
        CLIENTS[runtime] in agent for agent in telegram.user_agents
    )
    polls = telegram.called("getUpdates")
    # Real long polling (python-telegram-bot confirms the last updates at stop with a 0 s poll),
    # for the kinds of update the handlers take, after the webhook is gone (keeping updates).
    assert 25 in {int(poll["timeout"]) for poll in polls} <= {25, 0}
    kinds = {"message", "callback_query", "my_chat_member", "poll_answer", "inline_query"}
    assert all(set(json.loads(poll["allowed_updates"])) == kinds for poll in polls)
    [dropped] = [call.get("drop_pending_updates") for call in telegram.called("deleteWebhook")]
    assert dropped in (None, "false", "False")
    assert (tmp_path / "bot.db").exists()  # migrated at start
    assert 'pixbot_updates_total{type="message"}' in metrics
    assert 'pixbot_updates_total{type="callback_query"}' in metrics


async def shared_limiter_keys(delete: bool = False) -> list[bytes]:
    """The keys of the test bot's rate limits in REDIS_URL's Redis (``delete``: then gone)."""
    from redis.asyncio import Redis

    client = Redis.from_url(REDIS_URL)
    try:
        pattern = limiter_prefix(bot_id(TOKEN)) + "*"
        keys = [key async for key in client.scan_iter(match=pattern)]
        if keys and delete:
            await client.delete(*keys)
        return keys
    finally:
        await client.aclose()


def test_both_runtimes_ask_telegram_for_the_same_updates() -> None:
    from bot.adapters.ptb.application import ALLOWED_UPDATES

    dispatcher = Dispatcher()
    dispatcher.include_router(build_router())
    assert sorted(ALLOWED_UPDATES) == sorted(dispatcher.resolve_used_update_types())


UPDATE = {
    "update_id": 9,
    "message": {
        "message_id": 1,
        "date": 1764000000,
        "chat": {"id": 5, "type": "private"},
        "from": {"id": 5, "is_bot": False, "first_name": "Eve"},
        "text": "/start",
    },
}


def webhook_of(runtime: str, driver: ChatDriver, secret: str, path: str) -> web.Application:
    """The runtime's webhook server on the driver's dispatcher and recording session."""
    if runtime == "ptb":
        from bot.adapters.ptb.server import webhook_app as ptb_webhook_app

        assert isinstance(driver.dispatcher, PtbDispatcher)
        return ptb_webhook_app(driver.dispatcher.runtime, secret, path)
    from bot.adapters.telegram.server import webhook_app

    assert isinstance(driver.dispatcher, Dispatcher)
    return webhook_app(driver.dispatcher, driver.bot, secret, path)


async def test_the_webhook_takes_only_updates_with_the_secret(
    telegram: Callable[..., ChatDriver],
    session: RecordingSession,
    runtime: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    driver = telegram(user_id=5)
    app = webhook_of(runtime, driver, "s3cret-token", "/telegram")
    header = "X-Telegram-Bot-Api-Secret-Token"
    async with TestClient(TestServer(app)) as client:
        missing = await client.post("/telegram", json=UPDATE)
        wrong = await client.post("/telegram", json=UPDATE, headers={header: "guess"})
        unicode = await client.post("/telegram", json=UPDATE, headers={header: "s3cret-tökén"})
        refused = (missing.status, wrong.status, unicode.status)
        session.take()  # what the app's start sent (aiogram sets the command menus)
        bad = [
            await client.post("/telegram", data=body, headers={header: "s3cret-token"})
            for body in (b"{not json", b"\xff\xfe", b"[1, 2]", b'"update"', b'{"update_id": "x"}')
        ]
        untouched = session.take()
        right = await client.post("/telegram", json=UPDATE, headers={header: "s3cret-token"})
        # The answer comes once the update is handled: its reply is already sent.
        replies = [r for r in session.take() if type(r).__name__ == "SendMessage"]
        again = await client.post("/telegram", json=UPDATE, headers={header: "s3cret-token"})
        repeated = [r for r in session.take() if type(r).__name__ == "SendMessage"]
    assert refused == (401, 401, 401)
    assert [response.status for response in bad] == [400] * 5
    assert untouched == []
    assert len([r for r in caplog.records if "not an update" in r.getMessage()]) == 5
    assert "Traceback" not in caplog.text
    assert right.status == 200 and [r.chat_id for r in replies] == [5]
    assert again.status == 200 and repeated == []  # Telegram's redelivery counts once


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
    environ = env(tmp_path, BOT_TOKEN=TOKEN, DATABASE_URL=url, TELEGRAM_LIBRARY="aiogram")
    code, _, err = await pixbot("run", cwd=tmp_path, environ=environ)
    assert code == 1
    assert "cannot open the database postgresql+asyncpg://pixbot:***@127.0.0.1:1/nowhere" in err
    assert "hunter2" not in err and "Traceback" not in err


def test_run_on_python_telegram_bot_with_an_unreachable_database_is_one_clear_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same line from the python-telegram-bot runtime (in this process: the line is the
    command's, the database opened by the runtime's server)."""
    from bot.bootstrap import run_bot

    monkeypatch.chdir(tmp_path)
    for name, value in env(
        tmp_path,
        BOT_TOKEN=TOKEN,
        TELEGRAM_LIBRARY="ptb",
        DATABASE_URL="postgresql+asyncpg://pixbot:hunter2@127.0.0.1:1/nowhere",
        TELEGRAM_API_BASE="http://127.0.0.1:9",  # never reached: the database comes first
    ).items():
        monkeypatch.setenv(name, value)
    assert run_bot() == 1
    err = capsys.readouterr().err
    [line] = [line for line in err.splitlines() if line.startswith("pixbot:")]
    assert "cannot open the database postgresql+asyncpg://pixbot:***@127.0.0.1:1/nowhere" in line
    assert "hunter2" not in err and "Traceback" not in err


async def fed_with_metrics(
    runtime: str, conversation: Conversation, session: RecordingSession, metrics: Metrics
) -> Callable[[Update], Awaitable[None]]:
    """How the runtime takes an update, counted in ``metrics`` as `pixbot run` counts them."""
    bot = create_bot(TOKEN, session=session)
    if runtime == "ptb":
        from bot.adapters.ptb import build_application
        from bot.serving.wiring import serving

        ptb = build_application(
            TOKEN, serving(conversation, metrics=metrics), request=RecordingRequest(session, bot)
        )
        await ptb.application.initialize()
        return partial(PtbDispatcher(ptb).feed_update, bot)
    bot.session.middleware(RequestMetrics(metrics))
    dispatcher = build_dispatcher(conversation, metrics=metrics)
    return partial(dispatcher.feed_update, bot)


async def test_health_and_metrics_endpoints(
    conversation: Conversation, database: AsyncEngine, session: RecordingSession, runtime: str
) -> None:
    from storage.database import create_engine

    metrics = Metrics()
    feed = await fed_with_metrics(runtime, conversation, session, metrics)
    user = User(id=5, is_bot=False, first_name="Eve")
    message = Message(
        message_id=1,
        date=datetime.now(UTC),
        chat=Chat(id=5, type="private"),
        from_user=user,
        text="/start",
    )
    await feed(Update(update_id=1, message=message))

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


async def test_a_port_taken_is_one_clear_line() -> None:
    """METRICS_PORT or WEBHOOK_PORT in use: `pixbot run` says so (it said "cannot open the
    database", the OSError's usual meaning there)."""
    from bot.serving.process import start_site

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(SystemExit) as exit_:
            await start_site(web.Application(), "127.0.0.1", port)
    assert str(exit_.value).startswith(f"pixbot: cannot listen on 127.0.0.1:{port}: ")
    assert "\n" not in str(exit_.value)


def test_every_worker_derives_the_same_webhook_secret_from_the_token() -> None:
    secret = webhook_secret(TOKEN)
    assert secret == webhook_secret(TOKEN)  # two processes agree without configuration
    assert secret != webhook_secret(TOKEN.replace("Q", "R"))
    assert TOKEN not in secret and re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret)  # Bot API rule
