"""What a run measures inside the bot, over its measured updates only: the SQL statements it
sends, the time its adaptive engine spends choosing, and calls of a method (the challenges
whose message was recorded as shown)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Protocol

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.engines import Engine

# The engine's work for one answer: the next challenge, how sure the test is, and at the end
# the knowledge it scores.
ENGINE_METHODS = ("next_challenge", "sureness", "knowledge")


class Meter(Protocol):
    def reset(self) -> None:
        """Start over: the measured updates begin."""

    def close(self) -> float:
        """Stop measuring; what was measured since the reset."""
        ...


class StatementCount:
    """The SQL statements ``engine`` sends (its cursors' executions; an executemany is one),
    transactions' BEGIN and COMMIT aside."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine.sync_engine
        self.count = 0
        event.listen(self.engine, "before_cursor_execute", self._sent)

    def _sent(self, _connection: object, _cursor: object, statement: str, *_: object) -> None:
        # SQLite's BEGIN IMMEDIATE is a statement; PostgreSQL's BEGIN is not one of these events:
        # counted on neither, the two databases compare.
        if not statement.startswith("BEGIN"):
            self.count += 1

    def reset(self) -> None:
        self.count = 0

    def close(self) -> float:
        event.remove(self.engine, "before_cursor_execute", self._sent)
        return self.count


class Calls:
    """Calls of ``owner``'s method ``name`` (patched on this instance only)."""

    def __init__(self, owner: object, name: str) -> None:
        self.owner, self.name = owner, name
        self.count = 0
        method = getattr(owner, name)

        async def counted(*args: Any, **kwargs: Any) -> Any:
            self.count += 1
            return await method(*args, **kwargs)

        setattr(owner, name, counted)

    def reset(self) -> None:
        self.count = 0

    def close(self) -> float:
        delattr(self.owner, self.name)  # the class's own method again
        return self.count


class EngineTime:
    """Seconds of ``engine``'s choices (its methods timed on this instance only; the engine
    does no I/O, so its wall time is its CPU)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.seconds = 0.0
        for name in ENGINE_METHODS:
            setattr(engine, name, self._timed(getattr(engine, name)))

    def _timed(self, method: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - started

        return timed

    def reset(self) -> None:
        self.seconds = 0.0

    def close(self) -> float:
        for name in ENGINE_METHODS:
            delattr(self.engine, name)  # the class's own methods again
        return self.seconds
