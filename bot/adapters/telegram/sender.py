"""The Telegram side of the delivery worker on aiogram: :class:`TransportSender` over the aiogram
transport (whose error mapping replies share)."""

from __future__ import annotations

from aiogram import Bot

from bot.adapters.telegram.transport import AiogramTransport
from bot.serving.sender import OnPoll, TransportSender, buttons

__all__ = ["TelegramSender", "buttons"]


class TelegramSender(TransportSender):
    """Implements :class:`bot.delivery.worker.Sender` with aiogram.

    ``on_poll(chat_id, sent, payload)`` runs after a poll was sent (``sent.message_id``,
    ``sent.poll_id``); its errors are logged, never turned into a resend."""

    def __init__(self, bot: Bot, *, on_poll: OnPoll | None = None) -> None:
        super().__init__(AiogramTransport(bot), on_poll=on_poll)
        self.bot = bot
