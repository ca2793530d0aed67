"""Core buttons and texts in the Bot API's shapes, within Telegram's limits (sending them is
``bot.serving.replies``' work)."""

from __future__ import annotations

from aiogram.enums import ParseMode
from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultCachedPhoto,
    InlineQueryResultUnion,
    InputTextMessageContent,
    WebAppInfo,
)

from bot.core.chat import Button, InlinePhoto, InlineResult, Keyboard
from bot.serving.replies import split_text
from bot.serving.transport import CAPTION_LIMIT, MESSAGE_LIMIT, NOTICE_LIMIT

__all__ = ["CAPTION_LIMIT", "MESSAGE_LIMIT", "NOTICE_LIMIT", "keyboard", "split_text"]


def button(b: Button) -> InlineKeyboardButton:
    if b.web_app:
        return InlineKeyboardButton(text=b.label, web_app=WebAppInfo(url=b.web_app))
    if b.url:
        return InlineKeyboardButton(text=b.label, url=b.url)
    if b.switch_inline is not None:
        return InlineKeyboardButton(text=b.label, switch_inline_query=b.switch_inline)
    return InlineKeyboardButton(text=b.label, callback_data=b.data)


def keyboard(buttons: Keyboard) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup(inline_keyboard=[[button(b) for b in row] for row in buttons])


def inline_result(result: InlineResult | InlinePhoto) -> InlineQueryResultUnion:
    if isinstance(result, InlinePhoto):
        return InlineQueryResultCachedPhoto(
            id=result.id,
            photo_file_id=result.file_id,
            caption=result.caption[:CAPTION_LIMIT],
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard(result.buttons),
        )
    return InlineQueryResultArticle(
        id=result.id,
        title=result.title,
        description=result.description,
        input_message_content=InputTextMessageContent(
            message_text=result.text, parse_mode=ParseMode.HTML
        ),
    )
