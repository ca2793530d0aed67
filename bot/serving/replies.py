"""Replies: the core's Outcome to one chat through a :class:`Transport`, every message in order,
within Telegram's limits, whatever Telegram answers.

- Each request waits for the shared limiter (replies to a person are urgent: they go before the
  group deliveries), so replies and deliveries together stay within Telegram's rates.
- A 429 pauses the chat's sends for ``retry_after``, then the same request goes again and the
  rest of the Outcome follows in order.
- A 403 (blocked, kicked) or a chat that no longer exists marks the chat gone (no reminders, no
  group sends) with one INFO line; nothing else is tried in it.
- A network or server error is retried a few times, then the rest of the Outcome is dropped
  with a warning: a challenge that never arrived is shown again at the learner's next message
  (the core scores no typed answer against a challenge whose message was not recorded).
- A request Telegram refuses (a 400 that is not "chat gone"): an edit is let go (too old,
  deleted, unchanged), a message drops the rest of the Outcome with a warning.

Nothing here raises to the runtime: the update was handled and committed, so the person is
never told "something went wrong" about work that in fact succeeded.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Final, TypeVar

from bot.core.chat import Edit, Event, Message, Outcome
from bot.core.conversation import Conversation
from bot.delivery.errors import DeliveryError, Forbidden, Migrated, Rejected, RetryAfter
from bot.delivery.limiter import Limiter
from bot.serving.transport import CAPTION_LIMIT, MESSAGE_LIMIT, NOTICE_LIMIT, Transport
from bot.serving.turns import Turns
from storage.outage import log_failure

T = TypeVar("T")
# How long the replies of the update being handled in this context waited for Telegram's rates
# (the bench reads it, as it reads the wait for a turn); set to 0 when an update arrives.
RATE_WAITED: ContextVar[float] = ContextVar("pixbot_reply_rate_waited", default=0.0)
log = logging.getLogger(__name__)

ATTEMPTS: Final = 6  # tries of one request (429s waited out, network errors retried)
BACKOFF: Final = (0.5, 1.0, 2.0, 4.0, 8.0)  # seconds before retrying after a network error


class ChatGone(Exception):
    """Telegram will not deliver to this chat any more (blocked, kicked, deleted)."""


class Undelivered(Exception):
    """A request could not be made to go through; the rest of the Outcome is dropped."""


@dataclass(frozen=True)
class Pressed:
    """The press an Outcome answers: its id (answered at once) and the message it was on."""

    id: str
    message_id: int | None


def split_text(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split at paragraph breaks (core texts never open a tag across one) to fit the limit."""
    if len(text) <= limit:
        return [text]
    chunks: list[str] = []
    current = ""
    for paragraph in text.split("\n\n"):
        candidate = f"{current}\n\n{paragraph}" if current else paragraph
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            chunks.append(current)
        while len(paragraph) > limit:  # a single huge paragraph: cut at a line break
            cut = paragraph.rfind("\n", 0, limit)
            cut = cut if cut > 0 else limit
            chunks.append(paragraph[:cut])
            paragraph = paragraph[cut:].lstrip("\n")
        current = paragraph
    if current:
        chunks.append(current)
    return chunks


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
        transport: Transport,
        chat_id: int | None,
        outcome: Outcome,
        press: Pressed | None = None,
        urgent: bool = True,
    ) -> bool:
        """Send ``outcome`` to ``chat_id``; ``press``: the press it answers (answered at once,
        whatever follows). ``urgent``: someone is waiting for it (a reply, not a reminder).
        True when all of it arrived."""
        if press is not None:
            await self.answer_press(transport, press.id, outcome.notice)
        if chat_id is None:
            return True
        pressed = press.message_id if press is not None else None
        try:
            for edit in outcome.edits:
                await self._edit(transport, chat_id, edit, pressed, urgent)
            for message in outcome.messages:
                await self._send(transport, chat_id, message, urgent)
        except ChatGone as error:
            log.info("chat %s is gone (%s): nothing more is sent to it", chat_id, error)
            await self._forget_chat(chat_id)
            return False
        except Undelivered as error:
            log.warning("a reply to chat %s was not delivered: %s", chat_id, error)
            return False
        return True

    async def answer_press(self, transport: Transport, press_id: str, notice: str | None) -> None:
        """Stop the press's spinner (not a message: outside the chat's rate)."""
        try:
            await transport.answer_press(press_id, (notice or "")[:NOTICE_LIMIT] or None)
        except DeliveryError as error:  # too old (15 s), or Telegram is away: harmless
            log.info("could not answer a press: %s", error)

    async def _edit(
        self, transport: Transport, chat_id: int, edit: Edit, pressed: int | None, urgent: bool
    ) -> None:
        message_id = edit.message_id or pressed
        if message_id is None:
            return

        def call() -> Awaitable[None]:
            if edit.text is None:
                return transport.edit_buttons(chat_id, message_id, edit.buttons)
            return transport.edit_text(chat_id, message_id, split_text(edit.text)[0], edit.buttons)

        try:
            await self._request(chat_id, call, urgent, edit=True)
        except Rejected as error:  # too old to edit, deleted, or unchanged
            log.info("could not edit message %s in chat %s: %s", message_id, chat_id, error)

    async def _send(
        self, transport: Transport, chat_id: int, message: Message, urgent: bool
    ) -> None:
        try:
            await self._send_parts(transport, chat_id, message, urgent)
        except Rejected as error:
            raise Undelivered(f"refused: {error}") from error

    async def _send_parts(
        self, transport: Transport, chat_id: int, message: Message, urgent: bool
    ) -> None:
        buttons = message.buttons
        sent_id: int | None = None
        if message.file is not None:
            file = message.file
            document_id = await self._request(
                chat_id,
                lambda: transport.send_document(
                    chat_id, file.data, file.name, message.text[:CAPTION_LIMIT], buttons
                ),
                urgent,
            )
            await self._sent(message, document_id)
            return
        chunks: Sequence[str] = split_text(message.text)
        if message.image is not None:
            image = message.image
            fits = len(message.text) <= CAPTION_LIMIT
            photo = await self._request(
                chat_id,
                lambda: transport.send_photo(
                    chat_id, image, message.text if fits else None, buttons if fits else ()
                ),
                urgent,
            )
            sent_id = photo.message_id
            await self._photo_sent(message, photo.file_id)
            if fits:
                chunks = ()
        for index, chunk in enumerate(chunks):
            last = index == len(chunks) - 1
            sent_id = await self._request(
                chat_id,
                lambda chunk=chunk, last=last: transport.send_text(  # type: ignore[misc]
                    chat_id, chunk, buttons if last else ()
                ),
                urgent,
            )
        if sent_id is not None:
            await self._sent(message, sent_id)

    async def _sent(self, message: Message, message_id: int) -> None:
        """Record where a challenge was shown (its typed answer is scored only then)."""
        if message.track is None:
            return
        try:
            async with self.turns():
                await self.conversation.message_sent(message.track, message_id)
        except Exception as error:  # the message arrived; at worst the challenge is shown again
            log_failure(log, f"recording message {message_id} of challenge {message.track}", error)

    async def _photo_sent(self, message: Message, file_id: str | None) -> None:
        """Report a photo's file id to the core (a share sends it again in inline mode)."""
        if message.photo_key is None or file_id is None:
            return
        try:
            async with self.turns():
                await self.conversation.photo_sent(message.photo_key, file_id)
        except Exception as error:  # the photo arrived; at worst it cannot be shared inline
            log_failure(log, f"recording the photo of {message.photo_key}", error)

    async def _request(
        self,
        chat_id: int,
        call: Callable[[], Awaitable[T]],
        urgent: bool,
        edit: bool = False,
    ) -> T:
        """One Bot API request within the limits, 429s waited out and network errors retried.
        ``edit``: not a new message, so outside the rates (429s still obeyed). Raises ChatGone,
        Undelivered, or Rejected for the caller to judge."""
        for attempt in range(ATTEMPTS):
            if not edit:  # an edit is no new message: Telegram's rates count messages sent
                arrived = time.perf_counter()
                await self.limiter.acquire(chat_id, urgent)
                RATE_WAITED.set(RATE_WAITED.get() + time.perf_counter() - arrived)
            try:
                return await call()
            except RetryAfter as error:
                # The chat waits as Telegram asks (the limiter keeps the bot's total rate, so a
                # 429 on a reply is the chat's own flood control: the others need not wait).
                log.info("flood control in chat %s: waiting %s s", chat_id, error.seconds)
                self.limiter.pause(error.seconds, chat_id)
                if edit:  # edits do not go through the limiter: wait here
                    await self.sleep(error.seconds)
            except Forbidden as error:
                raise ChatGone(str(error)) from error
            except Migrated as error:
                # A group became a supergroup: its settings follow; this reply is lost with it.
                await self._migrated(chat_id, error.new_chat_id)
                raise Undelivered(f"the group moved to {error.new_chat_id}") from error
            except Rejected:
                raise
            except DeliveryError as error:  # network, server errors
                if attempt + 1 >= ATTEMPTS:
                    raise Undelivered(f"network: {error}") from error
                await self.sleep(BACKOFF[min(attempt, len(BACKOFF) - 1)])
        raise Undelivered(f"still under flood control after {ATTEMPTS} tries")

    async def _forget_chat(self, chat_id: int) -> None:
        try:
            await self.conversation.chat_gone(chat_id)
        except Exception as error:
            log_failure(log, f"marking chat {chat_id} gone", error)

    async def _migrated(self, old_chat_id: int, new_chat_id: int) -> None:
        try:
            await self.conversation.chat_migrated(old_chat_id, new_chat_id)
        except Exception as error:
            log_failure(log, f"moving group {old_chat_id} to {new_chat_id}", error)
