"""Replies (runtime-neutral: :mod:`bot.serving.replies`)."""

from bot.serving.replies import RATE_WAITED, ChatGone, Pressed, Replies, Undelivered

__all__ = ["RATE_WAITED", "ChatGone", "Pressed", "Replies", "Undelivered"]
