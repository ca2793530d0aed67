"""`pixbot run`: long polling, or an aiohttp webhook server when WEBHOOK_URL is set."""

from __future__ import annotations

import asyncio
import logging
import secrets
import signal
from urllib.parse import urlsplit

from aiogram import Bot, Dispatcher
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.adapters.telegram.dispatcher import build_dispatcher, create_bot
from bot.adapters.telegram.metrics import Metrics, RequestMetrics, routes
from bot.bootstrap import build_conversation, open_database
from bot.settings import Settings
from storage.database import session_factory

log = logging.getLogger(__name__)


async def serve(settings: Settings, token: str) -> None:
    engine = await open_database(settings.database_url)
    conversation = await build_conversation(settings, engine)
    bot = create_bot(token, settings.telegram_api_base)
    metrics = Metrics()
    bot.session.middleware(RequestMetrics(metrics))
    dispatcher = build_dispatcher(
        conversation, session_factory(engine), settings.delivery_rate, metrics
    )
    operations = await _operations_server(settings, metrics, engine)
    try:
        if settings.webhook_url:
            await _webhook(settings, bot, dispatcher, metrics, engine)
        else:
            await bot.delete_webhook(drop_pending_updates=False)
            log.info("long polling (timeout %ss)", settings.polling_timeout)
            # aiogram stops gracefully on SIGINT and SIGTERM, finishing the updates in hand.
            await dispatcher.start_polling(
                bot,
                polling_timeout=settings.polling_timeout,
                allowed_updates=dispatcher.resolve_used_update_types(),
                handle_signals=True,
            )
    finally:
        if operations is not None:
            await operations.cleanup()
        await bot.session.close()
        await engine.dispose()


async def _operations_server(
    settings: Settings, metrics: Metrics, engine: AsyncEngine
) -> web.AppRunner | None:
    """/healthz and /metrics on METRICS_PORT, when it is set."""
    if settings.metrics_port is None:
        return None
    app = web.Application()
    routes(app, metrics, engine)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, settings.webhook_host, settings.metrics_port).start()
    log.info("health and metrics on port %s", settings.metrics_port)
    return runner


def webhook_app(dispatcher: Dispatcher, bot: Bot, secret: str, path: str) -> web.Application:
    """Telegram posts updates to ``path``; a wrong or missing secret header gets 401."""
    app = web.Application()
    handler = SimpleRequestHandler(dispatcher=dispatcher, bot=bot, secret_token=secret)
    handler.register(app, path=path)
    setup_application(app, dispatcher, bot=bot)
    return app


async def _webhook(
    settings: Settings, bot: Bot, dispatcher: Dispatcher, metrics: Metrics, engine: AsyncEngine
) -> None:
    assert settings.webhook_url is not None
    secret = (
        settings.webhook_secret.get_secret_value()
        if settings.webhook_secret
        else secrets.token_urlsafe(32)  # Telegram sends it back; nobody else can guess it
    )
    path = urlsplit(settings.webhook_url).path or "/"
    app = webhook_app(dispatcher, bot, secret, path)
    routes(app, metrics, engine)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, settings.webhook_host, settings.webhook_port)
    await site.start()
    await bot.set_webhook(
        settings.webhook_url,
        secret_token=secret,
        allowed_updates=dispatcher.resolve_used_update_types(),
    )
    log.info("webhook on %s:%s%s", settings.webhook_host, settings.webhook_port, path)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    log.info("stopping: finishing the updates in hand")
    await runner.cleanup()
