"""What a sender raises, free of any Telegram library (the adapter maps its errors to these)."""

from __future__ import annotations


class DeliveryError(Exception):
    """Base of the errors a :class:`bot.delivery.worker.Sender` raises."""


class RetryAfter(DeliveryError):
    """Flood control (429): wait exactly ``seconds``, then send the same message again."""

    def __init__(self, seconds: float, message: str = "") -> None:
        super().__init__(message or f"retry after {seconds} s")
        self.seconds = seconds


class Forbidden(DeliveryError):
    """403: the bot was blocked, kicked, or the user is deactivated. Never retried."""


class Migrated(DeliveryError):
    """The group became a supergroup: send again to ``new_chat_id``."""

    def __init__(self, new_chat_id: int, message: str = "") -> None:
        super().__init__(message or f"migrated to {new_chat_id}")
        self.new_chat_id = new_chat_id


class Transient(DeliveryError):
    """Anything else (network, 5xx, a bad request): retried with backoff, then failed."""


class Rejected(Transient):
    """Telegram refused the request itself (a 400 that is not "chat gone", a 401, a 409...).
    A reply drops it; the delivery worker retries it like any transient error, as before."""
