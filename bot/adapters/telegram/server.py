"""`pixbot run` on aiogram: long polling, or an aiohttp webhook server when WEBHOOK_URL is set.
What does not depend on the library (Redis, the webhook's secret, /healthz and /metrics, the
stop signals) is :mod:`bot.serving.process`."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramAPIError, TelegramNetworkError, TelegramUnauthorizedError
from aiogram.types import Update
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.adapters.telegram.dispatcher import build_dispatcher, create_bot
from bot.adapters.telegram.metrics import RequestMetrics
from bot.bootstrap import build_conversation, open_database
from bot.core.conversation import Conversation
from bot.memory import freeze_startup_objects
from bot.serving.metrics import Metrics, routes
from bot.serving.process import (
    StartFailed,
    TokenRefused,
    Unreachable,
    add_dashboard,
    dashboard_server,
    not_an_update,
    open_redis,
    operations_server,
    secret_matches,
    secret_of,
    start_site,
    stopped,
    update_data,
    webhook_path,
)
from bot.settings import Settings
from storage.database import session_factory

log = logging.getLogger(__name__)


async def serve(settings: Settings, token: str) -> None:
    redis = await open_redis(settings.redis_url)
    try:
        async with start_errors():
            await _serve(settings, token, redis)
    finally:
        if redis is not None:
            await redis.aclose()


@asynccontextmanager
async def start_errors() -> AsyncIterator[None]:
    """aiogram's errors that reach here came at start (once polling, aiogram retries a Bot API
    out of reach by itself, one error and one warning a try): as :mod:`bot.serving.process`'s."""
    try:
        yield
    except TelegramNetworkError as error:
        raise Unreachable(type(error).__name__, error.message) from error
    except TelegramUnauthorizedError as error:
        raise TokenRefused(type(error).__name__, error.message) from error
    except TelegramAPIError as error:
        raise StartFailed(type(error).__name__, error.message) from error


async def _serve(settings: Settings, token: str, redis: Redis | None) -> None:
    engine = await open_database(settings.database_url)
    conversation = await build_conversation(settings, engine)
    bot = create_bot(token, settings.telegram_api_base)
    metrics = Metrics()
    bot.session.middleware(RequestMetrics(metrics))
    dispatcher = build_dispatcher(
        conversation,
        session_factory(engine),
        settings.delivery_rate,
        metrics,
        redis,
        settings.concurrent_updates(),
        bot_id=bot.id,
    )
    operations = await operations_server(settings, metrics, engine)
    freeze_startup_objects()
    try:
        if settings.webhook_url:
            await _webhook(settings, bot, dispatcher, metrics, engine, conversation)
        else:
            await bot.delete_webhook(drop_pending_updates=False)
            dashboard = await dashboard_server(settings, conversation, token)
            log.info("long polling (timeout %ss)", settings.polling_timeout)
            try:
                # aiogram stops gracefully on SIGINT and SIGTERM, finishing the updates in hand.
                await dispatcher.start_polling(
                    bot,
                    polling_timeout=settings.polling_timeout,
                    allowed_updates=dispatcher.resolve_used_update_types(),
                    handle_signals=True,
                )
            finally:
                if dashboard is not None:
                    await dashboard.cleanup()
    finally:
        if operations is not None:
            await operations.cleanup()
        await bot.session.close()
        await engine.dispose()


class Webhook(SimpleRequestHandler):
    """aiogram's webhook handler, answering as the python-telegram-bot runtime's does: a wrong
    or missing secret header 401 (compared as bytes: a header that is not ASCII is only a wrong
    one), a body that is not an update 400 with a line in the log (not a traceback and a 500),
    and an update 200 once handled."""

    def __init__(self, dispatcher: Dispatcher, bot: Bot, secret: str) -> None:
        super().__init__(dispatcher=dispatcher, bot=bot, handle_in_background=False)
        self.secret = secret

    async def handle(self, request: web.Request) -> web.Response:
        if not secret_matches(request, self.secret):
            return web.Response(status=401, text="Unauthorized")
        try:
            update = Update.model_validate(await update_data(request), context={"bot": self.bot})
        except ValueError as error:  # not JSON, not an object, not an update
            return not_an_update(error)
        await self.dispatcher.feed_webhook_update(self.bot, update, **self.data)
        return web.Response()


def webhook_app(dispatcher: Dispatcher, bot: Bot, secret: str, path: str) -> web.Application:
    """Telegram posts updates to ``path`` (:class:`Webhook`).

    Telegram gets its 200 only once the update is handled (not in the background): a worker
    killed mid-update never answers, so Telegram delivers the update again, to this worker or
    another, and the update-id claim makes the second delivery count once."""
    app = web.Application()
    Webhook(dispatcher, bot, secret).register(app, path=path)
    setup_application(app, dispatcher, bot=bot)
    return app


async def _webhook(
    settings: Settings,
    bot: Bot,
    dispatcher: Dispatcher,
    metrics: Metrics,
    engine: AsyncEngine,
    conversation: Conversation,
) -> None:
    assert settings.webhook_url is not None
    secret = secret_of(settings, bot.token)
    path = webhook_path(settings.webhook_url)
    app = webhook_app(dispatcher, bot, secret, path)
    routes(app, metrics, engine)
    add_dashboard(app, settings, conversation, bot.token)
    runner = await start_site(app, settings.webhook_host, settings.webhook_port)
    try:
        await bot.set_webhook(
            settings.webhook_url,
            secret_token=secret,
            allowed_updates=dispatcher.resolve_used_update_types(),
        )
        log.info("webhook on %s:%s%s", settings.webhook_host, settings.webhook_port, path)
        await stopped()
        log.info("stopping: finishing the updates in hand")
    finally:
        await runner.cleanup()
