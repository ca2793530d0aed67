"""One update through the serving path, whatever the runtime: the chat's order and the flood
guard, metrics, one more try after a dropped database connection, and a failure told to the
person (the operator gets the log line)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from sqlalchemy.exc import DBAPIError

from bot.core.chat import Message, Outcome
from bot.serving.metrics import Metrics, timed
from bot.serving.order import ChatOrder, Origin
from bot.serving.replies import Replies
from bot.serving.transport import Transport
from storage.outage import log_failure

log = logging.getLogger(__name__)


class Updates:
    """``await updates(transport, kind, update_id, origin, work)`` runs a runtime's handling of
    one update (``work``) with every guarantee; it never raises."""

    def __init__(self, replies: Replies, order: ChatOrder, metrics: Metrics | None = None):
        self.replies = replies
        self.order = order
        self.metrics = metrics

    async def __call__(
        self,
        transport: Transport,
        kind: str,
        update_id: int,
        origin: Origin | None,
        work: Callable[[], Awaitable[object]],
    ) -> None:
        async def handled() -> None:
            try:
                await timed(self.metrics, kind, lambda: retry_on_reconnect(update_id, work))
            except Exception as error:
                await self.failed(transport, update_id, origin, error)

        await self.order(transport, update_id, origin, handled)

    async def failed(
        self, transport: Transport, update_id: int, origin: Origin | None, error: Exception
    ) -> None:
        """Log the failure for the operator; tell the person something went wrong, or that the
        service is unavailable for a minute when the database is out of reach (the pool
        reconnects by itself once it is back). Only the core's handling can fail here: replies
        never raise, so nobody is told of a failure after their update worked."""
        unavailable = log_failure(log, f"update {update_id}", error)
        if origin is None:
            return
        apology = self.replies.conversation.apology(origin.person, unavailable)
        if origin.press_id is not None:
            await self.replies.answer_press(transport, origin.press_id, apology)
        else:
            await self.replies.deliver(transport, origin.chat_id, Outcome([Message(apology)]))


async def retry_on_reconnect(update_id: int, work: Callable[[], Awaitable[object]]) -> object:
    """Handle an update once more when it met a database connection that had been dropped.

    The pool does not test a connection before each use (SQLAlchemy's pre-ping costs three round
    trips to PostgreSQL each time: a third of what an answer needs). After the database restarts
    or fails over, the first use of each old connection fails instead; SQLAlchemy then discards
    every connection of the pool. Handling the update again is safe: its transaction rolled
    back, and had it committed, the update's claim would make the second handling a no-op. One
    more try, not more: a database that is really down fails the second try too, and the person
    is told."""
    try:
        return await work()
    except DBAPIError as error:
        if not error.connection_invalidated:
            raise
        log.warning("update %s: a database connection was lost; handling it again", update_id)
        return await work()
