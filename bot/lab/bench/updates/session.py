"""The Bot API, answered locally: what the learners see of the bot's replies, and what a
flood run's Bot API saw of the messages and edits sent to each chat."""

from __future__ import annotations

import itertools
import json
import time
from collections import Counter, defaultdict
from collections.abc import AsyncGenerator, Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Final

from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.methods import (
    EditMessageReplyMarkup,
    EditMessageText,
    GetMe,
    SendDocument,
    SendMessage,
    SendPhoto,
    TelegramMethod,
)
from aiogram.methods.base import TelegramType
from aiogram.types import InlineKeyboardMarkup, InputFile

TOKEN: Final = "123456789:" + "B" * 35
BOT_ID: Final = 123456789
BOT_USERNAME: Final = "pixbot_bench_bot"
THROTTLE_EVERY: Final = 5  # in a flood run, every 5th message or edit is answered 429...
RETRY_AFTER: Final = 1  # ...retry after this many seconds
CHAT_BURST: Final = 3  # Telegram's per-chat rate: at most 3 messages within any...
CHAT_WINDOW: Final = 3.0  # ...3 seconds (1/s sustained)


@dataclass
class Screen:
    """One message as the learner sees it after a send or an edit."""

    message_id: int
    text: str
    buttons: list[tuple[str, str]]  # (label, callback data)


@dataclass
class Inbox:
    """What the bot did in one chat while one update was handled."""

    requests: int = 0
    screens: list[Screen] = field(default_factory=list)
    throttled: int = 0  # 429s answered
    throttled_s: float = 0.0  # seconds from each 429 to the next request (its retry)
    throttled_at: float | None = None  # when the last 429 was answered, until the retry
    slept: float = 0.0  # seconds the bot slept for it (the limiter's waits, a 429's pause)


# The learner whose update is being handled: each learner is its own task, so its inbox is
# in that task's context and the session finds it without keeping anything itself.
CURRENT_INBOX: ContextVar[Inbox | None] = ContextVar("pixbot_bench_inbox", default=None)


def _buttons(markup: Any) -> list[tuple[str, str]]:
    if not isinstance(markup, InlineKeyboardMarkup):
        return []
    return [
        (button.text, button.callback_data)
        for row in markup.inline_keyboard
        for button in row
        if button.callback_data
    ]


SENDS: Final = (SendMessage, SendPhoto, SendDocument, EditMessageText, EditMessageReplyMarkup)
NEW_MESSAGES: Final = (SendMessage, SendPhoto, SendDocument)


def _plain(value: Any) -> str:
    """A request's value in its fingerprint: a file by its name (a retry makes a new one)."""
    if isinstance(value, InputFile):
        return f"file:{value.filename}"
    return repr(value)


def beyond_rate(times: Sequence[float]) -> int:
    """Messages beyond Telegram's per-chat rate: each one that is the last of CHAT_BURST + 1
    consecutive messages sent within less than CHAT_WINDOW seconds."""
    return sum(
        1
        for index in range(CHAT_BURST, len(times))
        if times[index] - times[index - CHAT_BURST] < CHAT_WINDOW
    )


def tightest_span(times: Sequence[float]) -> float | None:
    """The shortest time over which CHAT_BURST + 1 consecutive messages went (None: fewer)."""
    spans = [times[index] - times[index - CHAT_BURST] for index in range(CHAT_BURST, len(times))]
    return min(spans) if spans else None


@dataclass
class Ledger:
    """What a flood run's Bot API saw of the messages and edits sent to chats: which were
    attempted and which arrived (a request and its retries have the same fingerprint), and when
    each new message arrived in each chat."""

    throttle_every: int = 0  # every n-th message or edit answered 429 (0: none)
    sends: int = 0  # messages and edits requested, 429s included
    throttled: int = 0  # 429s answered
    attempted: set[tuple[int, str]] = field(default_factory=set)  # (chat, fingerprint)
    delivered: set[tuple[int, str]] = field(default_factory=set)
    messages: defaultdict[int, list[float]] = field(default_factory=lambda: defaultdict(list))
    edits: Counter[int] = field(default_factory=Counter)  # edits that arrived, per chat
    first: float = 0.0  # when the first message or edit was requested, and the last
    last: float = 0.0

    def per_second(self) -> float:
        """Messages and edits requested per second, 429s included."""
        return self.sends / (self.last - self.first) if self.last > self.first else 0.0

    def lost(self, chats: Callable[[int], bool] = lambda chat: True) -> int:
        """Messages and edits attempted in ``chats`` that never arrived."""
        return sum(1 for chat, _ in self.attempted - self.delivered if chats(chat))


class LocalSession(BaseSession):
    """A Bot API session without a network. Each request is encoded the way aiogram's aiohttp
    session encodes it, and the answer is a JSON body parsed by aiogram's own ``check_response``,
    so the client's work per request is the production one, less the HTTP round trip. Nothing
    is kept but a counter: a learner's replies go to its inbox (a context variable). Given a
    ``ledger`` (a flood run), it also answers every ``ledger.throttle_every``-th message or edit
    with a 429 and records what arrived where."""

    def __init__(self, ledger: Ledger | None = None) -> None:
        super().__init__()
        self.requests = 0
        self.ledger = ledger
        self._message_ids = itertools.count(1)

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 - BaseSession's signature
    ) -> TelegramType:
        now = time.monotonic()
        self.requests += 1
        inbox = CURRENT_INBOX.get()
        if inbox is not None and inbox.throttled_at is not None:  # the retry of a 429
            inbox.throttled_s += now - inbox.throttled_at
            inbox.throttled_at = None
        files: dict[str, InputFile] = {}
        dump = method.model_dump(warnings=False)
        for value in dump.values():
            self.prepare_value(value, bot=bot, files=files)
        sent: tuple[int, str] | None = None
        if self.ledger is not None and isinstance(method, SENDS) and method.chat_id is not None:
            sent = self._attempt(bot, self.ledger, method, dump, now)
        result = self._result(method)
        if inbox is not None:
            inbox.requests += 1
            screen = self._screen(method, result)
            if screen is not None:
                inbox.screens.append(screen)
        body = self.json_dumps({"ok": True, "result": result})
        response = self.check_response(bot=bot, method=method, status_code=200, content=body)
        if self.ledger is not None and sent is not None:
            chat_id = sent[0]
            self.ledger.delivered.add(sent)
            if isinstance(method, NEW_MESSAGES):
                self.ledger.messages[chat_id].append(now)
            else:
                self.ledger.edits[chat_id] += 1
        return response.result  # type: ignore[return-value]

    def _attempt(
        self,
        bot: Bot,
        ledger: Ledger,
        method: TelegramMethod[Any],
        dump: dict[str, Any],
        now: float,
    ) -> tuple[int, str]:
        """Record a message or edit; raise aiogram's TelegramRetryAfter when it is a 429's
        turn (parsed from the Bot API's error body, as from the network)."""
        chat_id = int(dump["chat_id"])
        fingerprint = method.__api_method__ + json.dumps(dump, sort_keys=True, default=_plain)
        key = (chat_id, fingerprint)
        ledger.attempted.add(key)
        ledger.sends += 1
        ledger.first = ledger.first or now
        ledger.last = now
        if ledger.throttle_every and ledger.sends % ledger.throttle_every == 0:
            ledger.throttled += 1
            inbox = CURRENT_INBOX.get()
            if inbox is not None:
                inbox.throttled += 1
                inbox.throttled_at = now
            body = self.json_dumps(
                {
                    "ok": False,
                    "error_code": 429,
                    "description": f"Too Many Requests: retry after {RETRY_AFTER}",
                    "parameters": {"retry_after": RETRY_AFTER},
                }
            )
            self.check_response(bot=bot, method=method, status_code=429, content=body)
            raise AssertionError("check_response accepted a 429")  # pragma: no cover
        return key

    def _result(self, method: TelegramMethod[Any]) -> Any:
        if isinstance(method, GetMe):
            return {"id": BOT_ID, "is_bot": True, "first_name": "Pixbot", "username": BOT_USERNAME}
        if isinstance(method, SendMessage | SendPhoto | SendDocument):
            text = method.text if isinstance(method, SendMessage) else method.caption
            return {
                "message_id": next(self._message_ids),
                "date": int(time.time()),
                "chat": {"id": int(method.chat_id), "type": "private"},
                "from": {"id": BOT_ID, "is_bot": True, "first_name": "Pixbot"},
                "text": text or "",
            }
        return True  # edits of a chat message (the API answers True for inline ones), answers

    @staticmethod
    def _screen(method: TelegramMethod[Any], result: Any) -> Screen | None:
        if isinstance(method, SendMessage):
            return Screen(result["message_id"], method.text, _buttons(method.reply_markup))
        if isinstance(method, SendPhoto | SendDocument):
            caption = method.caption or ""
            return Screen(result["message_id"], caption, _buttons(method.reply_markup))
        if isinstance(method, EditMessageText) and method.message_id is not None:
            return Screen(method.message_id, method.text or "", _buttons(method.reply_markup))
        if isinstance(method, EditMessageReplyMarkup) and method.message_id is not None:
            return Screen(method.message_id, "", _buttons(method.reply_markup))
        return None

    async def close(self) -> None:
        pass

    async def stream_content(  # pragma: no cover - nothing is downloaded
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,  # noqa: ASYNC109 - BaseSession's signature
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        raise NotImplementedError
        yield b""  # an async generator, like the sessions aiogram ships
