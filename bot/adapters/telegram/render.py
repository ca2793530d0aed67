"""Core buttons and texts in the Bot API's shapes, within Telegram's limits (sending them is
``bot.serving.replies``' work)."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.chat import Keyboard
from bot.serving.replies import split_text
from bot.serving.transport import CAPTION_LIMIT, MESSAGE_LIMIT, NOTICE_LIMIT

__all__ = ["CAPTION_LIMIT", "MESSAGE_LIMIT", "NOTICE_LIMIT", "keyboard", "split_text"]


def keyboard(buttons: Keyboard) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(text=b.label, url=b.url)
                if b.url
                else InlineKeyboardButton(text=b.label, callback_data=b.data)
                for b in row
            ]
            for row in buttons
        ]
    )
