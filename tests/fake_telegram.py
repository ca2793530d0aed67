"""Telegram as real bot processes see it, on 127.0.0.1: the Bot API they call, and updates either
POSTed to their webhook workers the way Telegram does (with the secret header, retried on another
worker until one answers 200) or handed to a long poll (getUpdates, confirmed by its offset).
People in chats only see messages and press buttons; a Learner takes a test that way."""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import random
import re
import socket
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from bot.lab.bench.updates.start import bot_api_server
from content.bank import ContentBank
from content.models import ChallengeType

TAG = re.compile(r"<[^>]+>")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Shown:
    """A message as the person sees it now (edits applied)."""

    id: int
    text: str  # tags removed, entities unescaped
    buttons: list[tuple[str, str]]  # (label, callback data)
    version: int


@dataclass
class Chat:
    id: int
    messages: dict[int, Shown] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)  # answerCallbackQuery texts
    version: int = 0
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def touch(self) -> int:
        self.version += 1
        self.changed.set()
        return self.version

    def latest(self) -> Shown:
        return self.messages[max(self.messages)]

    async def wait(self, ready: Callable[[Chat], Any], seconds: float) -> Any:
        """The first truthy ``ready(self)`` within ``seconds``, else None."""
        deadline = time.monotonic() + seconds
        while not (found := ready(self)):
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self.changed.clear()
            try:
                await asyncio.wait_for(self.changed.wait(), left)
            except TimeoutError:
                return None
        return found


def _plain(text: str) -> str:
    return html.unescape(TAG.sub("", text))


def _buttons(markup: str | None) -> list[tuple[str, str]]:
    if not markup:
        return []
    rows = json.loads(markup).get("inline_keyboard", [])
    return [(b["text"], b["callback_data"]) for row in rows for b in row if "callback_data" in b]


class FakeTelegram:
    def __init__(self) -> None:
        self.secret = ""  # the last setWebhook's secret_token
        self.chats: dict[int, Chat] = {}
        self.workers: list[str] = []  # webhook URLs, tried in turn
        self.dead: set[str] = set()
        self.webhooks_set = 0
        self.deliveries: dict[int, int] = {}  # update id -> POST attempts
        self.delivered: set[int] = set()  # update ids a worker answered 200 for
        self.refused: dict[int, int] = {}  # HTTP status -> count, for answers other than 200
        self._message_ids = itertools.count(1000)
        self._update_ids = itertools.count(1)
        self._turn = itertools.count()
        self._queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._fetched: list[dict[str, Any]] = []  # polled, not yet confirmed by an offset
        self.calls: list[tuple[str, dict[str, Any]]] = []  # (method, parameters) as received
        self.user_agents: set[str] = set()  # the Bot API clients that called (their library)
        self.base = ""

    def chat(self, chat_id: int) -> Chat:
        return self.chats.setdefault(chat_id, Chat(chat_id))

    # --- the Bot API -------------------------------------------------------------------

    async def api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"].lower()
        data: dict[str, Any] = dict(await request.post()) if request.can_read_body else {}
        self.calls.append((method, data))
        self.user_agents.add(request.headers.get("User-Agent", ""))
        result: Any = True
        if method == "getme":
            result = {"id": 42, "is_bot": True, "first_name": "Pixbot", "username": "pixbot_bot"}
        elif method == "getupdates":
            # Held at most half a second, not the poll's timeout: a bot stopping mid-poll then
            # leaves no request behind for long (Telegram may answer early; bots poll again).
            wait = min(float(data.get("timeout") or 0), 0.5)
            result = await self._poll(int(data.get("offset") or 0), wait)
        elif method == "setwebhook":
            self.webhooks_set += 1
            self.secret = str(data.get("secret_token", ""))  # sent back with each update
        elif method in ("sendmessage", "sendphoto", "senddocument"):
            chat = self.chat(int(data["chat_id"]))
            message_id = next(self._message_ids)
            text = str(data.get("text") or data.get("caption") or "")
            chat.messages[message_id] = Shown(
                message_id, _plain(text), _buttons(data.get("reply_markup")), chat.touch()
            )
            result = {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": {"id": chat.id, "type": "private"},
                "text": text,
            }
        elif method in ("editmessagetext", "editmessagereplymarkup"):
            chat = self.chat(int(data["chat_id"]))
            shown = chat.messages.get(int(data["message_id"]))
            if shown is not None:
                if "text" in data:
                    shown.text = _plain(str(data["text"]))
                shown.buttons = _buttons(data.get("reply_markup"))
                shown.version = chat.touch()
        elif method == "answercallbackquery":
            chat_id = int(str(data["callback_query_id"]).split("-")[0])
            chat = self.chat(chat_id)
            chat.notices.append(str(data.get("text", "")))
            chat.touch()
        return web.json_response({"ok": True, "result": result})

    def called(self, method: str) -> list[dict[str, Any]]:
        """The parameters of each call of ``method`` (any case: "getUpdates")."""
        return [data for name, data in self.calls if name == method.lower()]

    async def _poll(self, offset: int, wait: float) -> list[dict[str, Any]]:
        """Updates from ``offset`` on (older ones are confirmed and forgotten), waiting up to
        ``wait`` seconds for one as Telegram's long polling does."""
        self._fetched = [u for u in self._fetched if u["update_id"] >= offset]
        while not self._queue.empty():
            self._fetched.append(self._queue.get_nowait())
        if not self._fetched and wait > 0:
            try:
                self._fetched.append(await asyncio.wait_for(self._queue.get(), wait))
            except TimeoutError:
                return []
        return self._fetched[:100]

    # --- people -------------------------------------------------------------------------

    def _person(self, chat_id: int) -> dict[str, Any]:
        return {"id": chat_id, "is_bot": False, "first_name": f"L{chat_id}", "language_code": "en"}

    def say(self, chat_id: int, text: str) -> None:
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"},
            "from": self._person(chat_id),
            "text": text,
        }
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        self._queue.put_nowait({"update_id": next(self._update_ids), "message": message})

    def press(self, chat_id: int, message: Shown, data: str) -> None:
        update_id = next(self._update_ids)
        self._queue.put_nowait(
            {
                "update_id": update_id,
                "callback_query": {
                    "id": f"{chat_id}-{update_id}",
                    "from": self._person(chat_id),
                    "chat_instance": str(chat_id),
                    "data": data,
                    "message": {
                        "message_id": message.id,
                        "date": int(time.time()),
                        "chat": {"id": chat_id, "type": "private"},
                        "text": message.text,
                    },
                },
            }
        )

    # --- webhook delivery ----------------------------------------------------------------

    async def _deliver(self, session: aiohttp.ClientSession) -> None:
        while True:
            update = await self._queue.get()
            while True:
                alive = [url for url in self.workers if url not in self.dead]
                if not alive:
                    await asyncio.sleep(0.1)
                    continue
                url = alive[next(self._turn) % len(alive)]
                attempts = self.deliveries.get(update["update_id"], 0)
                self.deliveries[update["update_id"]] = attempts + 1
                try:
                    async with session.post(
                        url,
                        json=update,
                        headers={"X-Telegram-Bot-Api-Secret-Token": self.secret},
                        timeout=aiohttp.ClientTimeout(total=20),
                    ) as response:
                        if response.status == 200:
                            self.delivered.add(update["update_id"])
                            break
                        self.refused[response.status] = self.refused.get(response.status, 0) + 1
                except (aiohttp.ClientError, TimeoutError):
                    pass
                await asyncio.sleep(0.2)  # Telegram tries again, maybe another worker


VERDICTS = ("✅", "❌", "⏭")  # how a correction's line starts


class Learner:
    """Takes one test by pressing what is on screen; when nothing comes back for a while,
    does what a person does: /start, then Continue."""

    def __init__(self, telegram: FakeTelegram, chat_id: int, bank: ContentBank) -> None:
        self.telegram, self.chat_id, self.bank = telegram, chat_id, bank
        self.chat: Chat = telegram.chat(chat_id)
        self.rng = random.Random(chat_id)
        self.done: set[tuple[int, int]] = set()  # (message id, version) already acted on
        self.answered: set[int] = set()  # challenge messages already answered
        self.acknowledged: list[str] = []  # challenge ids whose correction came back
        self.awaiting_ack: tuple[int, str] | None = None
        self.recoveries = 0
        self.finished = False

    def _challenge_id(self, shown: Shown) -> str | None:
        for challenge in self.bank.challenges.values():
            if challenge.text("en").prompt in shown.text:
                return challenge.id
        return None

    def _screen(self, chat: Chat) -> Shown | None:
        if not chat.messages:
            return None
        latest = chat.latest()
        answered = None if self.awaiting_ack is None else chat.messages.get(self.awaiting_ack[0])
        if answered is not None and any(
            line.startswith(VERDICTS) for line in answered.text.splitlines()
        ):  # the challenge became its correction: the learner saw the answer acknowledged
            self.acknowledged.append(self.awaiting_ack[1])
            self.awaiting_ack = None
        if (latest.id, latest.version) in self.done:
            return None
        return latest

    def _press(self, shown: Shown, prefix: str) -> bool:
        for label, data in shown.buttons:
            # A competence already tested shows its level ("1.1 · Level 0 · Search"): a person
            # whose result message was lost with the worker (it is in the database) picks one
            # not yet tested.
            if data.startswith(prefix) and not (prefix == "comp:" and "level" in label.lower()):
                self.telegram.press(self.chat_id, shown, data)
                return True
        return False

    async def run(self, seconds: float, answers: int | None = None) -> None:
        """Take a test until its result (or, given ``answers``, until that many answers came
        back corrected), for at most ``seconds``."""
        self.telegram.say(self.chat_id, "/test")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while loop.time() < deadline:
            shown = await self.chat.wait(self._screen, 6)
            if answers is not None and len(self.acknowledged) >= answers:
                return
            if shown is None:  # nothing new: the bot may have died before answering
                self.recoveries += 1
                self.done.clear()
                self.telegram.say(self.chat_id, "/start")
                continue
            self.done.add((shown.id, shown.version))
            if "Test finished" in shown.text:
                self.finished = True
                return
            if shown.id in self.answered:  # a challenge become its correction: the next follows
                continue
            if self._press(shown, "area:") or self._press(shown, "comp:"):
                continue
            if self._press(shown, "resume") or self._press(shown, "test"):
                continue  # the welcome: Continue the test, or start one if none is open
            challenge_id = self._challenge_id(shown)
            if challenge_id is not None and shown.id not in self.answered:
                self.answered.add(shown.id)
                await self._answer(shown, challenge_id)

    async def _answer(self, shown: Shown, challenge_id: str) -> None:
        challenge = self.bank.challenges[challenge_id]
        self.awaiting_ack = (shown.id, challenge_id)
        options = [data for _, data in shown.buttons if data.startswith("opt:")]
        if challenge.type is ChallengeType.SINGLE:
            self.telegram.press(self.chat_id, shown, self.rng.choice(options))
        elif challenge.type is ChallengeType.MULTIPLE:
            before = shown.version
            self.telegram.press(self.chat_id, shown, self.rng.choice(options))
            ticked = await self.chat.wait(lambda c: c.messages[shown.id].version > before, 6)
            if ticked:
                self.telegram.press(self.chat_id, shown, "sub:" + options[0].split(":")[1])
        elif challenge.type is ChallengeType.TEXT:
            self.telegram.say(self.chat_id, self.rng.choice(["no idea", "maybe", "42"]))
        else:
            fields = challenge.text("en").fields
            self.telegram.say(self.chat_id, "\n".join("0" for _ in fields))


@asynccontextmanager
async def fake_telegram(connections: int = 40) -> AsyncIterator[FakeTelegram]:
    """Serve the Bot API and deliver updates to webhook workers with ``connections`` parallel
    POSTs (Telegram's ``max_connections`` default), or, with ``connections`` 0, to long polls
    only."""
    telegram = FakeTelegram()
    async with bot_api_server(telegram.api) as base, aiohttp.ClientSession() as session:
        telegram.base = base
        posters = [asyncio.create_task(telegram._deliver(session)) for _ in range(connections)]
        try:
            yield telegram
        finally:
            for poster in posters:
                poster.cancel()
            await asyncio.gather(*posters, return_exceptions=True)
