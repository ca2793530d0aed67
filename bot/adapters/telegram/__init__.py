"""The aiogram 3 adapter: updates in, core events; core outcomes out, Bot API calls."""

from bot.adapters.telegram.dispatcher import build_dispatcher, create_bot

__all__ = ["build_dispatcher", "create_bot"]
