"""Adaptive engines behind one interface; pure functions of their input and a seed."""

from __future__ import annotations

from bot.core.engines.base import Engine, EngineState
from bot.core.engines.irt import IrtEngine
from bot.core.engines.smart_random import SmartRandom

ENGINES: dict[str, Engine] = {SmartRandom.name: SmartRandom(), IrtEngine.name: IrtEngine()}


def get_engine(name: str) -> Engine:
    try:
        return ENGINES[name]
    except KeyError:
        raise ValueError(f"unknown engine {name!r}; known: {', '.join(sorted(ENGINES))}") from None


__all__ = ["ENGINES", "Engine", "EngineState", "get_engine"]
