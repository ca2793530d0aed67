"""The conversation's former module: ``bot.core.conversation`` holds it now."""

from bot.core.conversation import Conversation

__all__ = ["Conversation"]
