"""The process's turns (runtime-neutral: :mod:`bot.serving.turns`)."""

from bot.serving.turns import WAITED, Turns

__all__ = ["WAITED", "Turns"]
