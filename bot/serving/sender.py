"""The delivery worker's :class:`bot.delivery.worker.Sender` on a :class:`Transport`: a payload
row to a Bot API call (a text with buttons, or a quiz poll), whatever the runtime."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from bot.core.chat import Button, Keyboard
from bot.delivery.errors import Transient
from bot.serving.transport import MESSAGE_LIMIT, Quiz, SentPoll, Transport
from storage.outage import log_failure

log = logging.getLogger(__name__)
OnPoll = Callable[[int, SentPoll, Mapping[str, Any]], Awaitable[None]]
OnStopped = Callable[[str, tuple[int, ...]], Awaitable[None]]


def buttons(rows: Any) -> Keyboard:
    """``[[{"label", "data"} | {"label", "url"}]]`` to core buttons."""
    return tuple(
        tuple(
            Button(label=str(b["label"]), data=str(b.get("data", "")), url=str(b.get("url", "")))
            for b in row
        )
        for row in rows or ()
    )


def quiz(poll: Mapping[str, Any]) -> Quiz:
    return Quiz(
        question=str(poll["question"]),
        options=tuple(str(option) for option in poll["options"]),
        correct_option_ids=tuple(int(i) for i in poll["correct_option_ids"]),
        explanation=poll.get("explanation") or None,
        explanation_parse_mode=poll.get("explanation_parse_mode"),
        open_period=poll.get("open_period"),
        is_anonymous=bool(poll.get("is_anonymous", False)),
    )


class TransportSender:
    """Sends the delivery worker's rows through ``transport`` (its errors are already
    :mod:`bot.delivery.errors`).

    ``on_poll(chat_id, sent, payload)`` runs after a poll was sent (to remember the poll id
    for scoring answers), ``on_stopped(poll_id, votes)`` after the bot closed one (its final
    tally); their errors are logged, never turned into a resend.
    """

    def __init__(
        self,
        transport: Transport,
        *,
        on_poll: OnPoll | None = None,
        on_stopped: OnStopped | None = None,
    ) -> None:
        self.transport = transport
        self.on_poll = on_poll
        self.on_stopped = on_stopped

    async def send(self, chat_id: int, kind: str, payload: Mapping[str, Any]) -> int | None:
        stop = payload.get("stop_poll")
        if stop is not None:  # a quiz's chosen close: its final tally is kept
            message_id = int(stop["message_id"])
            votes = await self.transport.stop_poll(chat_id, message_id)
            if self.on_stopped is not None:
                try:
                    await self.on_stopped(str(stop["poll_id"]), votes)
                except Exception as error:
                    log_failure(log, f"recording the poll closed in chat {chat_id}", error)
            return message_id
        poll = payload.get("poll")
        if poll is not None:
            sent = await self.transport.send_quiz(chat_id, quiz(poll))
            if self.on_poll is not None:
                try:
                    await self.on_poll(chat_id, sent, payload)
                except Exception as error:
                    log_failure(log, f"recording the poll sent to chat {chat_id}", error)
            return sent.message_id
        text = str(payload["text"])
        if len(text) > MESSAGE_LIMIT:
            raise Transient(f"text longer than {MESSAGE_LIMIT} characters")
        return await self.transport.send_text(chat_id, text, buttons(payload.get("buttons")))
