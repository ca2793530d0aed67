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

from bot.adapters.telegram.dispatcher import build_dispatcher, create_bot
from bot.bootstrap import build_conversation, open_database
from bot.settings import Settings
from storage.database import session_factory

log = logging.getLogger(__name__)


async def serve(settings: Settings, token: str) -> None:
    engine = await open_database(settings.database_url)
    conversation = await build_conversation(settings, engine)
    bot = create_bot(token, settings.telegram_api_base)
    dispatcher = build_dispatcher(conversation, session_factory(engine), settings.delivery_rate)
    try:
        if settings.webhook_url:
            await _webhook(settings, bot, dispatcher)
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
        await bot.session.close()
        await engine.dispose()


def webhook_app(dispatcher: Dispatcher, bot: Bot, secret: str, path: str) -> web.Application:
    """Telegram posts updates to ``path``; a wrong or missing secret header gets 401."""
    app = web.Application()
    handler = SimpleRequestHandler(dispatcher=dispatcher, bot=bot, secret_token=secret)
    handler.register(app, path=path)
    setup_application(app, dispatcher, bot=bot)
    return app


async def _webhook(settings: Settings, bot: Bot, dispatcher: Dispatcher) -> None:
    assert settings.webhook_url is not None
    secret = (
        settings.webhook_secret.get_secret_value()
        if settings.webhook_secret
        else secrets.token_urlsafe(32)  # Telegram sends it back; nobody else can guess it
    )
    path = urlsplit(settings.webhook_url).path or "/"
    app = web.Application()
    SimpleRequestHandler(dispatcher=dispatcher, bot=bot, secret_token=secret).register(
        app, path=path
    )
    setup_application(app, dispatcher, bot=bot)
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
