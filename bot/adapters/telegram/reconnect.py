"""Handle an update once more when it met a database connection that had been dropped.

The pool does not test a connection before each use (SQLAlchemy's pre-ping costs three round
trips to PostgreSQL each time: a third of what an answer needs). After the database restarts
or fails over, the first use of each old connection fails instead; SQLAlchemy then discards
every connection of the pool. Handling the update again is safe: its transaction rolled back,
and had it committed, the update's claim would make the second handling a no-op."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update
from sqlalchemy.exc import DBAPIError

log = logging.getLogger(__name__)


class RetryOnReconnect(BaseMiddleware):
    """An outer middleware on updates: one more try after a lost connection, not more (a
    database that is really down fails the second try too, and the person is told)."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        try:
            return await handler(event, data)
        except DBAPIError as error:
            if not error.connection_invalidated:
                raise
            update_id = event.update_id if isinstance(event, Update) else None
            log.warning("update %s: a database connection was lost; handling it again", update_id)
            return await handler(event, data)
