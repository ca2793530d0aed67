"""What to do after a send attempt: pure decisions, no Telegram library, no SQL."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.delivery.errors import Forbidden, Migrated, RetryAfter


class Action(StrEnum):
    WAIT = "wait"  # 429: pause for exactly `seconds`, then send again (not a failure)
    POSTPONE = "postpone"  # 429 longer than a worker should hold a row: back to pending
    DEACTIVATE = "deactivate"  # 403: the chat is gone for us
    RECHAT = "rechat"  # migrated: send again at `new_chat_id`
    RETRY = "retry"  # another error: pending again after `seconds` (attempts + 1)
    FAIL = "fail"  # another error, too many times


@dataclass(frozen=True)
class Decision:
    action: Action
    seconds: float = 0.0
    new_chat_id: int | None = None


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff for ordinary errors: ``base · 2^(attempt-1)`` capped at ``cap``,
    at most ``max_attempts`` sends in all; a 429 longer than ``max_wait`` is postponed in the
    database rather than waited for in memory."""

    max_attempts: int = 5
    base: float = 30.0
    cap: float = 3600.0
    max_wait: float = 30.0

    def backoff(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        return float(min(self.cap, self.base * 2 ** max(0, attempt - 1)))

    def decide(self, error: BaseException, attempts_before: int) -> Decision:
        """``attempts_before``: failed attempts already recorded on the row."""
        if isinstance(error, RetryAfter):
            seconds = max(0.0, float(error.seconds))
            action = Action.WAIT if seconds <= self.max_wait else Action.POSTPONE
            return Decision(action, seconds)
        if isinstance(error, Forbidden):
            return Decision(Action.DEACTIVATE)
        if isinstance(error, Migrated):
            return Decision(Action.RECHAT, new_chat_id=error.new_chat_id)
        attempt = attempts_before + 1
        if attempt >= self.max_attempts:
            return Decision(Action.FAIL)
        return Decision(Action.RETRY, self.backoff(attempt))
