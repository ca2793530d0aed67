"""The group administrators' cache (runtime-neutral: :mod:`bot.serving.admins`)."""

from bot.serving.admins import AdminCache, RedisAdminCache, ask_telegram

__all__ = ["AdminCache", "RedisAdminCache", "ask_telegram"]
