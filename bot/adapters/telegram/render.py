"""Deliver a core Outcome through the Bot API, within Telegram's limits."""

from __future__ import annotations

import logging
from typing import Final

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
)

from bot.core.chat import Keyboard, Outcome
from bot.core.dialogue import Conversation

MESSAGE_LIMIT: Final = 4096
CAPTION_LIMIT: Final = 1024
NOTICE_LIMIT: Final = 200
log = logging.getLogger(__name__)


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


async def deliver(
    bot: Bot,
    chat_id: int | None,
    outcome: Outcome,
    conversation: Conversation,
    query: CallbackQuery | None = None,
) -> None:
    if query is not None:
        # Always answer a press, so the client stops its spinner.
        await query.answer((outcome.notice or "")[:NOTICE_LIMIT] or None)
    if chat_id is None:
        return
    pressed = query.message.message_id if query is not None and query.message is not None else None
    for edit in outcome.edits:
        message_id = edit.message_id or pressed
        if message_id is None:
            continue
        try:
            if edit.text is None:
                await bot.edit_message_reply_markup(
                    chat_id=chat_id, message_id=message_id, reply_markup=keyboard(edit.buttons)
                )
            else:
                await bot.edit_message_text(
                    text=split_text(edit.text)[0],
                    chat_id=chat_id,
                    message_id=message_id,
                    reply_markup=keyboard(edit.buttons),
                )
        except TelegramBadRequest as error:  # too old to edit, deleted, or unchanged
            log.info(
                "could not edit message %s in chat %s: %s", message_id, chat_id, error.message
            )
    for message in outcome.messages:
        sent_id: int
        if message.file is not None:
            document = await bot.send_document(
                chat_id,
                BufferedInputFile(message.file.data, message.file.name),
                caption=message.text[:CAPTION_LIMIT],
                reply_markup=keyboard(message.buttons),
            )
            sent_id = document.message_id
            continue
        if message.image is not None:
            caption = message.text if len(message.text) <= CAPTION_LIMIT else None
            photo = await bot.send_photo(
                chat_id,
                BufferedInputFile(message.image, "image.png"),
                caption=caption,
                reply_markup=keyboard(message.buttons) if caption is not None else None,
            )
            sent_id = photo.message_id
            if caption is not None:
                continue
        chunks = split_text(message.text)
        for index, chunk in enumerate(chunks):
            last = index == len(chunks) - 1
            sent = await bot.send_message(
                chat_id, chunk, reply_markup=keyboard(message.buttons) if last else None
            )
            sent_id = sent.message_id
        if message.track is not None:
            await conversation.message_sent(message.track, sent_id)
