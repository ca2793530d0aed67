"""Telegram as real bot processes see it, on 127.0.0.1: the Bot API they call, and in webhook mode
updates POSTed to their workers the way Telegram does (with the secret header, retried on another
worker until one answers 200). People in chats only see messages and press buttons."""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import re
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

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
        self.base = ""

    def chat(self, chat_id: int) -> Chat:
        return self.chats.setdefault(chat_id, Chat(chat_id))

    # --- the Bot API -------------------------------------------------------------------

    async def api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"].lower()
        data: dict[str, Any] = dict(await request.post()) if request.can_read_body else {}
        result: Any = True
        if method == "getme":
            result = {"id": 42, "is_bot": True, "first_name": "Pixbot", "username": "pixbot_bot"}
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


@asynccontextmanager
async def bot_api_server(
    handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
) -> AsyncIterator[str]:
    """``handler`` answers every Bot API method on 127.0.0.1 (a free port); yields the base URL
    to give pixbot as TELEGRAM_API_BASE."""
    app = web.Application()
    app.router.add_post("/bot{token}/{method}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


@asynccontextmanager
async def fake_telegram(connections: int = 40) -> AsyncIterator[FakeTelegram]:
    """Serve the Bot API and deliver updates with ``connections`` parallel POSTs (Telegram's
    ``max_connections`` default)."""
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
