"""Virtual monotonic time for rate limits: a sleep jumps the clock instead of waiting, so tests
keep Telegram's real limits without spending their seconds."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

START = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


class VirtualTime:
    """Monotonic seconds and a sleep that jumps time: the sleeper with the earliest wake-up
    moves the clock once the other tasks had a chance to run."""

    def __init__(self) -> None:
        self.now = 0.0
        self._targets: list[float] = []
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def utc(self) -> datetime:
        return START + timedelta(seconds=self.now)

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        target = self.now + max(0.0, seconds)
        self._targets.append(target)
        try:
            while True:
                for _ in range(5):
                    await asyncio.sleep(0)
                if self.now >= target:
                    return
                if target <= min(self._targets):
                    self.now = target
                    return
        finally:
            self._targets.remove(target)
