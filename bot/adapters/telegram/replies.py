"""Replies: the core's Outcome to one chat through the Bot API, every message in order, within
Telegram's limits, whatever Telegram answers.

- Each request waits for the shared limiter (replies to a person are urgent: they go before the
  group deliveries), so replies and deliveries together stay within Telegram's rates.
- A 429 pauses every send for ``retry_after`` (Telegram's flood control is per bot), then the
  same request goes again and the rest of the Outcome follows in order.
- A 403 (blocked, kicked) or a chat that no longer exists marks the chat gone (no reminders, no
  group sends) with one INFO line; nothing else is tried in it.
- A network or server error is retried a few times, then the rest of the Outcome is dropped
  with a warning: a challenge that never arrived is shown again at the learner's next message
  (the core scores no typed answer against a challenge whose message was not recorded).

Nothing here raises to the dispatcher: the update was handled and committed, so the person is
never told "something went wrong" about work that in fact succeeded.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from contextvars import ContextVar
from typing import Final, TypeVar

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import BufferedInputFile, CallbackQuery

from bot.adapters.telegram.concurrency import Turns
from bot.adapters.telegram.render import (
    CAPTION_LIMIT,
    NOTICE_LIMIT,
    keyboard,
    split_text,
)
from bot.core.chat import Edit, Event, Message, Outcome
from bot.core.dialogue import Conversation
from bot.delivery.limiter import Limiter

T = TypeVar("T")
# How long the replies of the update being handled in this context waited for Telegram's rates
# (the bench reads it, as it reads the wait for a turn); set to 0 when an update arrives.
RATE_WAITED: ContextVar[float] = ContextVar("pixbot_reply_rate_waited", default=0.0)
log = logging.getLogger(__name__)

ATTEMPTS: Final = 6  # tries of one request (429s waited out, network errors retried)
BACKOFF: Final = (0.5, 1.0, 2.0, 4.0, 8.0)  # seconds before retrying after a network error
# A 400 that means the chat is gone for good, like a 403.
GONE: Final = ("chat not found", "user not found", "group chat was deactivated", "peer_id_invalid")


class ChatGone(Exception):
    """Telegram will not deliver to this chat any more (blocked, kicked, deleted)."""


class Undelivered(Exception):
    """A request could not be made to go through; the rest of the Outcome is dropped."""


def gone(error: TelegramBadRequest) -> bool:
    return any(reason in error.message.lower() for reason in GONE)


class Replies:
    """Handles an update's event in a turn, and delivers its Outcome outside it."""

    def __init__(
        self,
        conversation: Conversation,
        limiter: Limiter,
        turns: Turns,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.conversation = conversation
        self.limiter = limiter
        self.turns = turns
        self.sleep = sleep

    async def handle(self, event: Event) -> Outcome:
        """The core's answer to an event, computed in one of the process's turns."""
        async with self.turns():
            return await self.conversation.handle(event)

    async def deliver(
        self,
        bot: Bot,
        chat_id: int | None,
        outcome: Outcome,
        query: CallbackQuery | None = None,
        urgent: bool = True,
    ) -> bool:
        """Send ``outcome`` to ``chat_id``; ``query``: the press it answers (answered at once,
        whatever follows). ``urgent``: someone is waiting for it (a reply, not a reminder).
        True when all of it arrived."""
        if query is not None:
            await self.answer_press(query, outcome.notice)
        if chat_id is None:
            return True
        pressed = query.message.message_id if query and query.message else None
        try:
            for edit in outcome.edits:
                await self._edit(bot, chat_id, edit, pressed, urgent)
            for message in outcome.messages:
                await self._send(bot, chat_id, message, urgent)
        except ChatGone as error:
            log.info("chat %s is gone (%s): nothing more is sent to it", chat_id, error)
            await self._forget_chat(chat_id)
            return False
        except Undelivered as error:
            log.warning("a reply to chat %s was not delivered: %s", chat_id, error)
            return False
        return True

    async def answer_press(self, query: CallbackQuery, notice: str | None) -> None:
        """Stop the press's spinner (not a message: outside the chat's rate)."""
        try:
            await query.answer((notice or "")[:NOTICE_LIMIT] or None)
        except TelegramAPIError as error:  # too old (15 s), or Telegram is away: harmless
            log.info("could not answer a press: %s", error.message)

    async def _edit(
        self, bot: Bot, chat_id: int, edit: Edit, pressed: int | None, urgent: bool
    ) -> None:
        message_id = edit.message_id or pressed
        if message_id is None:
            return
        markup = keyboard(edit.buttons)

        def call() -> Awaitable[object]:
            if edit.text is None:
                return bot.edit_message_reply_markup(
                    chat_id=chat_id, message_id=message_id, reply_markup=markup
                )
            return bot.edit_message_text(
                text=split_text(edit.text)[0],
                chat_id=chat_id,
                message_id=message_id,
                reply_markup=markup,
            )

        try:
            await self._request(chat_id, call, urgent, edit=True)
        except TelegramBadRequest as error:  # too old to edit, deleted, or unchanged
            log.info("could not edit message %s in chat %s: %s", message_id, chat_id, error)

    async def _send(self, bot: Bot, chat_id: int, message: Message, urgent: bool) -> None:
        markup = keyboard(message.buttons)
        sent_id: int | None = None
        if message.file is not None:
            file = message.file
            document = await self._request(
                chat_id,
                lambda: bot.send_document(
                    chat_id,
                    BufferedInputFile(file.data, file.name),
                    caption=message.text[:CAPTION_LIMIT],
                    reply_markup=markup,
                ),
                urgent,
            )
            await self._sent(message, document.message_id)
            return
        chunks: Sequence[str] = split_text(message.text)
        if message.image is not None:
            image = message.image
            fits = len(message.text) <= CAPTION_LIMIT
            photo = await self._request(
                chat_id,
                lambda: bot.send_photo(
                    chat_id,
                    BufferedInputFile(image, "image.png"),
                    caption=message.text if fits else None,
                    reply_markup=markup if fits else None,
                ),
                urgent,
            )
            sent_id = photo.message_id
            if fits:
                chunks = ()
        for index, chunk in enumerate(chunks):
            last = index == len(chunks) - 1
            sent = await self._request(
                chat_id,
                lambda chunk=chunk, last=last: bot.send_message(  # type: ignore[misc]
                    chat_id, chunk, reply_markup=markup if last else None
                ),
                urgent,
            )
            sent_id = sent.message_id
        if sent_id is not None:
            await self._sent(message, sent_id)

    async def _sent(self, message: Message, message_id: int) -> None:
        """Record where a challenge was shown (its typed answer is scored only then)."""
        if message.track is None:
            return
        try:
            async with self.turns():
                await self.conversation.message_sent(message.track, message_id)
        except Exception:  # the message arrived; at worst the challenge is shown once more
            log.exception("could not record message %s of challenge %s", message_id, message.track)

    async def _request(
        self,
        chat_id: int,
        call: Callable[[], Awaitable[T]],
        urgent: bool,
        edit: bool = False,
    ) -> T:
        """One Bot API request within the limits, 429s waited out and network errors retried.
        ``edit``: not a new message, so outside the rates (429s still obeyed). Raises ChatGone,
        Undelivered, or TelegramBadRequest for the caller to judge."""
        for attempt in range(ATTEMPTS):
            if not edit:  # an edit is no new message: Telegram's rates count messages sent
                arrived = time.perf_counter()
                await self.limiter.acquire(chat_id, urgent)
                RATE_WAITED.set(RATE_WAITED.get() + time.perf_counter() - arrived)
            try:
                return await call()
            except TelegramRetryAfter as error:
                # The chat waits as Telegram asks (the limiter keeps the bot's total rate, so a
                # 429 on a reply is the chat's own flood control: the others need not wait).
                log.info("flood control in chat %s: waiting %s s", chat_id, error.retry_after)
                self.limiter.pause(error.retry_after, chat_id)
                if edit:  # edits do not go through the limiter: wait here
                    await self.sleep(error.retry_after)
            except TelegramForbiddenError as error:
                raise ChatGone(error.message) from error
            except TelegramMigrateToChat as error:
                # A group became a supergroup: its settings follow; this reply is lost with it.
                await self._migrated(chat_id, error.migrate_to_chat_id)
                raise Undelivered(f"the group moved to {error.migrate_to_chat_id}") from error
            except TelegramBadRequest as error:
                if gone(error):
                    raise ChatGone(error.message) from error
                raise
            except (TelegramNetworkError, TelegramServerError) as error:
                if attempt + 1 >= ATTEMPTS:
                    raise Undelivered(f"network: {error.message}") from error
                await self.sleep(BACKOFF[min(attempt, len(BACKOFF) - 1)])
            except TelegramAPIError as error:  # unauthorized, conflict, too large...
                raise Undelivered(error.message) from error
        raise Undelivered(f"still under flood control after {ATTEMPTS} tries")

    async def _forget_chat(self, chat_id: int) -> None:
        try:
            await self.conversation.chat_gone(chat_id)
        except Exception:
            log.exception("could not mark chat %s gone", chat_id)

    async def _migrated(self, old_chat_id: int, new_chat_id: int) -> None:
        try:
            await self.conversation.chat_migrated(old_chat_id, new_chat_id)
        except Exception:
            log.exception("could not move group %s to %s", old_chat_id, new_chat_id)
