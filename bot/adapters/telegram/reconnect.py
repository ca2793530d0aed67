"""One more try after a dropped database connection (runtime-neutral:
:func:`bot.serving.updates.retry_on_reconnect`, run for every update by ``order.Serve``)."""

from bot.serving.updates import retry_on_reconnect

__all__ = ["retry_on_reconnect"]
