"""The commands when something is wrong around them: a terminal line that is not UTF-8, a Bot
API out of reach at start, the network dropping while polling. One clear line or a word to the
person, never a traceback, nothing stored from a line that could not be read."""

from __future__ import annotations

import asyncio
import io
import signal
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.adapters.terminal import TerminalChat
from bot.core.chat import Person
from bot.core.conversation import Conversation
from bot.lab.bench.updates.start import bot_api_server
from content.bank import ContentBank
from content.models import ChallengeType
from storage.database import session_factory
from storage.models import AttemptRow
from tests.conftest import TOKEN, FakeClock
from tests.e2e.test_assessment import start_test
from tests.e2e.test_chat_input import walk_to
from tests.fake_telegram import free_port
from tests.processes import env, pixbot, start_run
from tests.telegram import ChatDriver

UNREADABLE = b"\xff\xfe\n"


@pytest.mark.parametrize("encoding", [None, "utf-8:strict"])
async def test_chat_refuses_a_line_that_is_not_utf8_and_goes_on(
    tmp_path: Path, encoding: str | None
) -> None:
    extra = {"PYTHONIOENCODING": encoding} if encoding else {}
    code, out, err = await pixbot(
        "chat",
        cwd=tmp_path,
        environ=env(tmp_path, **extra),
        stdin=UNREADABLE + b"1\n" + b"\x00\n",
    )
    assert code == 0, err
    assert "Traceback" not in err
    assert out.count("I could not read that line (it is not UTF-8 text), so I ignored it.") == 2
    assert "5 · Digital environment" in out  # the next line was read as usual


async def test_chat_says_so_in_the_persons_language(tmp_path: Path) -> None:
    code, out, err = await pixbot(
        "chat", "--lang", "fr", cwd=tmp_path, environ=env(tmp_path), stdin=UNREADABLE
    )
    assert code == 0, err
    assert "Je n'ai pas pu lire cette ligne" in out


async def test_an_unreadable_line_leaves_a_half_typed_answer_as_it_was(
    telegram: Callable[..., ChatDriver],
    conversation: Conversation,
    bank: ContentBank,
    clock: FakeClock,
    database: AsyncEngine,
) -> None:
    learner = telegram(user_id=6060)
    await start_test(learner)
    await walk_to(learner, bank, ChallengeType.FIELDS, clock)
    await learner.say("first field")  # one field of several typed

    async def latest() -> tuple[int, list[str]]:
        async with session_factory(database)() as db:
            row = await db.scalar(
                select(AttemptRow)
                .where(AttemptRow.user_id == learner.user.id)
                .order_by(AttemptRow.id.desc())
                .limit(1)
            )
            assert row is not None
            return row.id, list(row.fields)

    before = await latest()
    assert before[1] == ["first field"]
    out = io.StringIO()
    terminal = TerminalChat(conversation, Person(learner.user.id, "Ada", "en"), out)
    terminal.expects_text = True  # the challenge waits for the next field
    for raw in (UNREADABLE, b"caf\xe9\n", b"\xed\xa0\x80\n", b"nul\x00\n"):
        await terminal.line(raw)
    assert await latest() == before
    assert out.getvalue().count("I could not read that line") == 4
    await terminal.line(b"second field\n")  # the next readable line is the next field
    after = await latest()
    assert after[0] != before[0] or after[1] == ["first field", "second field"]


@pytest.mark.parametrize(
    ("library", "mode", "level"),
    [
        ("aiogram", "polling", "WARNING"),
        ("aiogram", "polling", "INFO"),
        ("aiogram", "webhook", "WARNING"),
        ("aiogram", "webhook", "INFO"),
        # python-telegram-bot asks getMe first in either mode, before anything else is said (its
        # polling mode meets a Bot API that refuses the token below).
        ("ptb", "webhook", "WARNING"),
    ],
)
async def test_run_without_the_bot_api_is_one_clear_line(
    tmp_path: Path, library: str, mode: str, level: str
) -> None:
    extra = {
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE": "http://127.0.0.1:9",
        "LOG_LEVEL": level,
        "TELEGRAM_LIBRARY": library,
    }
    if mode == "webhook":
        port = str(free_port())
        extra |= {
            "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram",
            "WEBHOOK_HOST": "127.0.0.1",
            "WEBHOOK_PORT": port,
        }
    code, _, err = await pixbot("run", cwd=tmp_path, environ=env(tmp_path, **extra))
    assert code == 1
    assert "Traceback" not in err and TOKEN not in err
    lines = err.strip().splitlines()
    if level == "WARNING" and (library, mode) != ("aiogram", "webhook"):
        assert len(lines) == 1, err  # aiogram's webhook mode warns of the menus first
    assert len([line for line in lines if line.startswith("pixbot:")]) == 1, err
    line = lines[-1]
    assert line.startswith("pixbot: cannot reach the Telegram Bot API at 127.0.0.1:9 (")
    assert line.endswith("check the network or TELEGRAM_API_BASE")


async def test_run_with_a_token_telegram_refuses_is_one_clear_line(
    tmp_path: Path, runtime: str
) -> None:
    async def refuse(request: web.Request) -> web.Response:
        answer = {"ok": False, "error_code": 401, "description": "Unauthorized"}
        return web.json_response(answer, status=401)

    async with bot_api_server(refuse) as base:
        extra = {
            "BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE": base,
            "LOG_LEVEL": "WARNING",
            "TELEGRAM_LIBRARY": runtime,
        }
        code, _, err = await pixbot("run", cwd=tmp_path, environ=env(tmp_path, **extra))
    assert code == 2
    [line] = err.strip().splitlines()
    assert "refused BOT_TOKEN (Unauthorized)" in line and TOKEN not in line


async def test_run_with_a_bot_api_that_answers_not_found_is_one_clear_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    runtime: str,
) -> None:
    """A TELEGRAM_API_BASE that is not a Bot API (404 for getMe): in the same words on either
    library (in this process: the start up to the failure is the command's own)."""
    from bot.bootstrap import run_bot

    async def not_found(request: web.Request) -> web.Response:
        answer = {"ok": False, "error_code": 404, "description": "Not Found"}
        return web.json_response(answer, status=404)

    monkeypatch.chdir(tmp_path)
    async with bot_api_server(not_found) as base:
        extra = {"TELEGRAM_API_BASE": base, "LOG_LEVEL": "WARNING", "TELEGRAM_LIBRARY": runtime}
        for name, value in env(tmp_path, BOT_TOKEN=TOKEN, **extra).items():
            monkeypatch.setenv(name, value)
        code = await asyncio.to_thread(run_bot)  # its own event loop, this one serves the API
    assert code == 1
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"pixbot: the Telegram Bot API at {base.removeprefix('http://')} ")
    error = {"aiogram": "TelegramNotFound", "ptb": "InvalidToken"}[runtime]  # the library's name
    assert line.endswith(f"failed at start: {error}: Not Found") and TOKEN not in line


class FlakyBotApi:
    """A Bot API whose connection drops for a few long polls, then comes back with /start."""

    def __init__(self, drops: int) -> None:
        self.drops = drops
        self.polls = 0
        self.got_reply = asyncio.Event()

    async def handle(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        result: Any = True
        if method == "getMe":
            result = {"id": 42, "is_bot": True, "first_name": "Pixbot", "username": "pixbot_bot"}
        elif method == "getUpdates":
            self.polls += 1
            if 1 < self.polls <= 1 + self.drops:  # the network is gone
                assert request.transport is not None
                request.transport.close()
                return web.Response()
            result = []
            if self.polls == 2 + self.drops:
                chat = {"id": 888, "type": "private"}
                person = {"id": 888, "is_bot": False, "first_name": "Noor"}
                message = {"message_id": 1, "date": 1764000000, "chat": chat, "from": person}
                result = [{"update_id": 1, "message": message | {"text": "/start"}}]
            else:
                await asyncio.sleep(0.2)
        elif method == "sendMessage":
            self.got_reply.set()
            result = {"message_id": 5, "date": 1764000001, "chat": {"id": 888, "type": "private"}}
        return web.json_response({"ok": True, "result": result})


@pytest.fixture
async def flaky_api() -> AsyncIterator[tuple[FlakyBotApi, str]]:
    api = FlakyBotApi(drops=3)
    async with bot_api_server(api.handle) as base:
        yield api, base


async def test_polling_rides_out_a_network_drop_without_tracebacks(
    tmp_path: Path, flaky_api: tuple[FlakyBotApi, str], runtime: str
) -> None:
    api, base = flaky_api
    process = await start_run(
        tmp_path, TELEGRAM_API_BASE=base, POLLING_TIMEOUT="1", TELEGRAM_LIBRARY=runtime
    )
    try:
        await asyncio.wait_for(api.got_reply.wait(), timeout=45)
    finally:
        process.send_signal(signal.SIGTERM)
        _, raw = await asyncio.wait_for(process.communicate(), timeout=20)
    err = raw.decode()
    assert process.returncode == 0, err
    assert "Traceback" not in err
    failures = [line for line in err.splitlines() if "Failed to fetch updates" in line]
    assert len(failures) == 3, err  # one line a try, then polling goes on


@pytest.mark.parametrize(
    ("args", "setting"),
    [
        (("chat",), {"DEFAULT_LANGUAGE": "xx"}),
        (("db", "upgrade"), {"MAX_LEVEL": "abc"}),
        (("calibrate", "--dry-run"), {"ENGINE": "oracle"}),
    ],
)
def test_any_command_with_an_invalid_setting_is_one_clear_line(
    args: tuple[str, ...],
    setting: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Not a pydantic traceback: the variable, its value and what is wrong, exit 2."""
    from bot.cli import main

    monkeypatch.chdir(tmp_path)  # no developer's .env
    for name, value in setting.items():
        monkeypatch.setenv(name, value)
    assert main(list(args)) == 2
    err = capsys.readouterr().err.strip().splitlines()
    ((name, value),) = setting.items()
    assert err == [line for line in err if line.startswith(f"pixbot: {name}={value!r}: ")]
    assert len(err) == 1


def test_a_rule_between_settings_is_one_line_that_shows_no_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The dashboard and /metrics on one port in long polling: the rule's own words, exit 2,
    and never the settings' values (the token among them)."""
    from bot.cli import main

    monkeypatch.chdir(tmp_path)  # no developer's .env
    token = "123456:SECRET-token-value"
    monkeypatch.setenv("BOT_TOKEN", token)
    monkeypatch.setenv("DASHBOARD_URL", "https://bot.example.org/dashboard")
    monkeypatch.setenv("METRICS_PORT", "8081")
    assert main(["run"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "pixbot: DASHBOARD_PORT and METRICS_PORT are both 8081: give each a port of its own "
        "(the environment or .env)"
    ]
