"""The Bot API, answered locally and whatever the runtime: what each learner sees of the bot's
replies, and what a flood run's Bot API saw of the messages and edits sent to each chat. A
runtime's client reaches it through its own front (``session.LocalSession`` for aiogram,
``request.LocalRequest`` for python-telegram-bot), each encoding and parsing as its library
does over the network; this module imports neither library."""

from __future__ import annotations

import itertools
import json
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Final

TOKEN: Final = "123456789:" + "B" * 35
BOT_ID: Final = 123456789
BOT_USERNAME: Final = "pixbot_bench_bot"
THROTTLE_EVERY: Final = 5  # in a flood run, every 5th message or edit is answered 429...
RETRY_AFTER: Final = 1  # ...retry after this many seconds
CHAT_BURST: Final = 3  # Telegram's per-chat rate: at most 3 messages within any...
CHAT_WINDOW: Final = 3.0  # ...3 seconds (1/s sustained)
NEW_MESSAGES: Final = frozenset({"sendMessage", "sendPhoto", "sendDocument"})
SENDS: Final = NEW_MESSAGES | {"editMessageText", "editMessageReplyMarkup"}
EDITS_TEXT: Final = frozenset({"editMessageText", "editMessageReplyMarkup"})


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
    queued: float = 0.0  # seconds in the runtime's own queue before any handling (PTB's)


# The learner whose update is being handled: each learner is its own task, so its inbox is
# in that task's context and the Bot API finds it without keeping anything itself.
CURRENT_INBOX: ContextVar[Inbox | None] = ContextVar("pixbot_bench_inbox", default=None)


def buttons(markup: Any) -> list[tuple[str, str]]:
    """(label, callback data) of an inline keyboard as the Bot API receives it (a mapping)."""
    if not isinstance(markup, Mapping):
        return []
    return [
        (button["text"], button["callback_data"])
        for row in markup.get("inline_keyboard") or ()
        for button in row
        if button.get("callback_data")
    ]


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


@dataclass(frozen=True)
class Answer:
    """The Bot API's answer to one request: ``body`` its JSON, ``status`` 200 or 429; the
    front parses it with its library's own code and then calls ``arrived``."""

    status: int
    body: bytes
    sent: tuple[int, str] | None = None  # (chat, fingerprint) of a flood run's message or edit
    method: str = ""
    at: float = 0.0


THROTTLED: Final = json.dumps(
    {
        "ok": False,
        "error_code": 429,
        "description": f"Too Many Requests: retry after {RETRY_AFTER}",
        "parameters": {"retry_after": RETRY_AFTER},
    }
).encode()


class LocalApi:
    """The Bot API without a network, for any runtime's client: ``answer`` takes a method's
    name (``sendMessage``) and its parameters as the client would post them, decoded (a markup
    is a mapping), and gives the JSON body Telegram would. Nothing is kept but counters: a
    learner's replies go to its inbox (a context variable). Given a ``ledger`` (a flood run),
    every ``ledger.throttle_every``-th message or edit is answered 429 and what arrived where
    is recorded."""

    def __init__(self, ledger: Ledger | None = None) -> None:
        self.requests = 0
        self.ledger = ledger
        self._message_ids = itertools.count(1)

    def answer(
        self, method: str, params: Mapping[str, Any], fingerprint: Callable[[], str]
    ) -> Answer:
        """``fingerprint()``: the request's identity, the same for its retries (flood runs)."""
        now = time.monotonic()
        self.requests += 1
        inbox = CURRENT_INBOX.get()
        if inbox is not None and inbox.throttled_at is not None:  # the retry of a 429
            inbox.throttled_s += now - inbox.throttled_at
            inbox.throttled_at = None
        sent: tuple[int, str] | None = None
        ledger = self.ledger
        if ledger is not None and method in SENDS and params.get("chat_id") is not None:
            sent = (int(params["chat_id"]), method + fingerprint())
            ledger.attempted.add(sent)
            ledger.sends += 1
            ledger.first = ledger.first or now
            ledger.last = now
            if ledger.throttle_every and ledger.sends % ledger.throttle_every == 0:
                ledger.throttled += 1
                if inbox is not None:
                    inbox.throttled += 1
                    inbox.throttled_at = now
                return Answer(429, THROTTLED)
        result = self._result(method, params)
        if inbox is not None:
            inbox.requests += 1
            screen = self._screen(method, params, result)
            if screen is not None:
                inbox.screens.append(screen)
        body = json.dumps({"ok": True, "result": result}).encode()
        return Answer(200, body, sent, method, now)

    def arrived(self, answer: Answer) -> None:
        """The client took the answer: a flood run's message or edit arrived."""
        if self.ledger is None or answer.sent is None:
            return
        self.ledger.delivered.add(answer.sent)
        if answer.method in NEW_MESSAGES:
            self.ledger.messages[answer.sent[0]].append(answer.at)
        else:
            self.ledger.edits[answer.sent[0]] += 1

    def _result(self, method: str, params: Mapping[str, Any]) -> Any:
        if method == "getMe":
            return {"id": BOT_ID, "is_bot": True, "first_name": "Pixbot", "username": BOT_USERNAME}
        if method in NEW_MESSAGES:
            text = params.get("text") if method == "sendMessage" else params.get("caption")
            return {
                "message_id": next(self._message_ids),
                "date": int(time.time()),
                "chat": {"id": int(params["chat_id"]), "type": "private"},
                "from": {"id": BOT_ID, "is_bot": True, "first_name": "Pixbot"},
                "text": text or "",
            }
        return True  # edits of a chat message (the API answers True for inline ones), answers

    @staticmethod
    def _screen(method: str, params: Mapping[str, Any], result: Any) -> Screen | None:
        markup = params.get("reply_markup")
        if method == "sendMessage":
            return Screen(result["message_id"], params.get("text") or "", buttons(markup))
        if method in NEW_MESSAGES:
            return Screen(result["message_id"], params.get("caption") or "", buttons(markup))
        message_id = params.get("message_id")
        if method in EDITS_TEXT and message_id is not None:
            return Screen(int(message_id), params.get("text") or "", buttons(markup))
        return None
