"""Moved to ``bot.core.groups.ports``; this name stays while storage imports it."""

from bot.core.groups.ports import (
    GroupSettings,
    GroupStore,
    LeaderboardRow,
    QuizPoll,
    merge_migrated,
)

__all__ = ["GroupSettings", "GroupStore", "LeaderboardRow", "QuizPoll", "merge_migrated"]
