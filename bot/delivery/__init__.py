"""Scheduled sends within Telegram's limits: every send is a row (``storage.delivery``), claimed
by a :class:`DeliveryWorker`, paced by a :class:`RateLimiter`, sent by a :class:`Sender`
(``bot.adapters.telegram.sender.TelegramSender`` for Telegram).

Planning a send (inside the caller's transaction)::

    from storage.delivery import enqueue
    key = f"tip:{chat_id}:{day}"
    await enqueue(session, chat_id, "tip", {"text": "<b>Tip</b> …"}, due_at, key)

Running the worker (``pixbot run`` does it)::

    worker = DeliveryWorker(sessions, TelegramSender(bot), RateLimiter(25), "host-1", utc_now)
    await worker.run(stop_event)
"""

from bot.delivery.errors import (
    DeliveryError,
    Forbidden,
    Migrated,
    Rejected,
    RetryAfter,
    Transient,
)
from bot.delivery.limiter import RateLimiter
from bot.delivery.policy import RetryPolicy
from bot.delivery.worker import DeliveryWorker, Sender

__all__ = [
    "DeliveryError",
    "DeliveryWorker",
    "Forbidden",
    "Migrated",
    "RateLimiter",
    "Rejected",
    "RetryAfter",
    "RetryPolicy",
    "Sender",
    "Transient",
]
