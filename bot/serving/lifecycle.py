"""What runs beside the updates, whatever the runtime: the command menus at start, the daily
reminders, the groups' sends, the delivery worker, the heap's trim."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Final

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.chat import Outcome
from bot.core.conversation import Conversation
from bot.delivery.errors import DeliveryError
from bot.delivery.limiter import Limiter
from bot.delivery.worker import DeliveryWorker
from bot.memory import trim_loop
from bot.serving import diagnostics
from bot.serving.replies import Replies
from bot.serving.sender import TransportSender
from bot.serving.transport import MenuScope, SentPoll, Transport
from content.models import INTERFACE_LANGUAGES
from storage.outage import log_failure

REMINDER_INTERVAL: Final = 30.0  # seconds between looks at the due reminders
PLAN_INTERVAL: Final = 30.0  # seconds between plannings of the groups' daily sends
log = logging.getLogger(__name__)


async def set_commands(transport: Transport, conversation: Conversation) -> None:
    """Command menus in each interface language (English by default): learners' in private
    chats, the leaderboard in groups, the group settings for group administrators."""
    scopes: list[tuple[MenuScope, Callable[[str], list[tuple[str, str]]]]] = [
        (MenuScope.PRIVATE, conversation.views.commands),
        (MenuScope.GROUPS, lambda lang: conversation.group_views.commands(lang, False)),
        (MenuScope.GROUP_ADMINS, lambda lang: conversation.group_views.commands(lang, True)),
    ]
    for scope, commands in scopes:
        for language in (None, *INTERFACE_LANGUAGES):
            await transport.set_commands(scope, language, commands(language or "en"))


async def send_reminders(transport: Transport, replies: Replies) -> int:
    """Send the reminders that are due now (within the chats' rates, after the replies people
    wait for); returns how many went out. A person who blocked the bot is marked inactive."""
    sent = 0
    for user_id, message in await replies.conversation.due_reminders():
        if await replies.deliver(transport, user_id, Outcome([message]), urgent=False):
            sent += 1
    return sent


async def reminder_loop(transport: Transport, replies: Replies, stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            await send_reminders(transport, replies)
        except Exception as error:  # a database hiccup must not end the loop
            log_failure(log, "sending reminders (trying again later)", error)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), REMINDER_INTERVAL)


async def plan_loop(conversation: Conversation, stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            await conversation.plan_group_sends()
            await conversation.forget_updates()
        except Exception as error:  # a database hiccup must not end the loop
            log_failure(log, "planning the groups' sends (trying again later)", error)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), PLAN_INTERVAL)


def on_poll_of(conversation: Conversation) -> Callable[..., Any]:
    """What the delivery worker does once a quiz poll is sent: remember it for scoring."""

    async def on_poll(chat_id: int, sent: SentPoll, payload: Mapping[str, Any]) -> None:
        quiz = payload.get("quiz")
        if sent.poll_id is not None and isinstance(quiz, Mapping):
            close_at = quiz.get("close_at")
            await conversation.quiz_sent(
                chat_id,
                sent.poll_id,
                str(quiz["challenge_id"]),
                int(quiz["correct_option"]),
                sent.message_id,
                datetime.fromisoformat(close_at) if isinstance(close_at, str) else None,
            )

    return on_poll


def delivery_worker(
    transport: Transport,
    conversation: Conversation,
    sessions: async_sessionmaker[AsyncSession],
    worker_id: str,
    clock: Callable[[], datetime],
    limiter: Limiter,
) -> DeliveryWorker:
    """The delivery engine sending through ``transport`` within ``limiter`` (the one the
    replies use: they go first); quiz polls are remembered for scoring and closed at their
    chosen time with their tally kept, a 403 stops sends to
    that chat, a migration moves the group's settings."""
    return DeliveryWorker(
        sessions,
        TransportSender(
            transport, on_poll=on_poll_of(conversation), on_stopped=conversation.quiz_closed
        ),
        limiter,
        worker_id,
        clock,
        on_deactivated=conversation.chat_gone,
        on_migrated=conversation.chat_migrated,
    )


class Background:
    """The work beside the updates, started with the runtime and stopped with it."""

    def __init__(
        self, replies: Replies, sessions: async_sessionmaker[AsyncSession] | None = None
    ) -> None:
        self.replies = replies
        self.sessions = sessions
        self.stop = asyncio.Event()
        self.tasks: list[asyncio.Task[None]] = []

    async def start(self, transport: Transport) -> None:
        """Command menus, reminders, the groups' daily sends, the heap's trim and, given
        ``sessions``, the delivery worker (within the replies' limiter)."""
        conversation = self.replies.conversation
        diagnostics.on_signal()
        try:
            await set_commands(transport, conversation)
        except DeliveryError as error:
            log.warning("could not set the command menus: %s", error)
        self.tasks.append(asyncio.create_task(reminder_loop(transport, self.replies, self.stop)))
        self.tasks.append(asyncio.create_task(plan_loop(conversation, self.stop)))
        self.tasks.append(asyncio.create_task(trim_loop(self.stop)))
        if self.sessions is not None:
            worker_id = f"{socket.gethostname()}:{os.getpid()}"
            worker = delivery_worker(
                transport,
                conversation,
                self.sessions,
                worker_id,
                conversation.clock,
                self.replies.limiter,
            )
            self.tasks.append(asyncio.create_task(worker.run(self.stop)))

    async def shutdown(self) -> None:
        diagnostics.off_signal()
        self.stop.set()
        await asyncio.gather(*self.tasks, return_exceptions=True)
