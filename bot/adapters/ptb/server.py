"""`pixbot run` on python-telegram-bot (TELEGRAM_LIBRARY=ptb): long polling with PTB's
``Updater``, or, when WEBHOOK_URL is set, an aiohttp webhook server (not PTB's own, on tornado:
the same server, secret check, /healthz and /metrics as the aiogram runtime's). What does not
depend on the library is :mod:`bot.serving.process`."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import Update
from telegram.error import BadRequest, InvalidToken, NetworkError, TelegramError
from telegram.ext import Application

from bot.adapters.ptb.application import ALLOWED_UPDATES, PtbRuntime, build_application
from bot.bootstrap import build_conversation, open_database
from bot.memory import freeze_startup_objects
from bot.serving.metrics import Metrics, routes
from bot.serving.process import (
    StartFailed,
    TokenRefused,
    Unreachable,
    add_dashboard,
    bot_id,
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
from bot.serving.wiring import serving
from bot.settings import Settings
from storage.database import session_factory

if TYPE_CHECKING:
    from aiohttp import web
    from redis.asyncio import Redis

log = logging.getLogger(__name__)
App = Application[Any, Any, Any, Any, Any, Any]


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
    """PTB's errors that reach here came at start (once polling, a lost connection is retried,
    see :func:`polling_failed`): as :mod:`bot.serving.process`'s, in aiogram's words."""
    try:
        yield
    except InvalidToken as error:
        # PTB says InvalidToken for a 404 as for a 401; its message names the token, Telegram's
        # description (the cause) does not.
        said = error.__cause__.message if isinstance(error.__cause__, TelegramError) else ""
        if said == "Unauthorized" or not said:
            raise TokenRefused(type(error).__name__, said or "Unauthorized") from error
        raise StartFailed(type(error).__name__, said) from error
    except BadRequest as error:  # before NetworkError: PTB's BadRequest is one
        raise StartFailed(type(error).__name__, error.message) from error
    except NetworkError as error:  # TimedOut too
        raise Unreachable(type(error).__name__, error.message) from error
    except TelegramError as error:
        raise StartFailed(type(error).__name__, error.message) from error


async def _serve(settings: Settings, token: str, redis: Redis | None) -> None:
    engine = await open_database(settings.database_url)
    conversation = await build_conversation(settings, engine)
    metrics = Metrics()
    wired = serving(
        conversation,
        settings.delivery_rate,
        metrics,
        redis,
        settings.concurrent_updates(),
        bot_id=bot_id(token),
    )
    runtime = build_application(
        token,
        wired,
        api_base=settings.telegram_api_base,
        sessions=session_factory(engine),
        polling_timeout=settings.polling_timeout,
    )
    operations = await operations_server(settings, metrics, engine)
    application = runtime.application
    try:
        try:
            await application.initialize()  # getMe: the Bot API answers and takes the token
        except BaseException:
            await application.bot.shutdown()  # the Bot API's connections opened for getMe
            raise
        freeze_startup_objects()
        try:
            await runtime.start_background()
            if settings.webhook_url:
                await _webhook(settings, runtime, token, metrics, engine)
            else:
                dashboard = await dashboard_server(settings, conversation, token)
                try:
                    await _polling(settings, application)
                finally:
                    if dashboard is not None:
                        await dashboard.cleanup()
        finally:
            await runtime.stop_background()
            await application.shutdown()
    finally:
        if operations is not None:
            await operations.cleanup()
        await engine.dispose()


def polling_failed(error: TelegramError) -> None:
    """One line a failed long poll (PTB tries again after 1 s, then up to 30 s apart)."""
    log.error(
        "Failed to fetch updates - %s: %s (trying again)", type(error).__name__, error.message
    )


async def _polling(settings: Settings, application: App) -> None:
    updater = application.updater
    assert updater is not None  # ApplicationBuilder makes one
    await application.start()
    try:
        await updater.start_polling(
            timeout=settings.polling_timeout,
            allowed_updates=ALLOWED_UPDATES,
            drop_pending_updates=False,
            error_callback=polling_failed,
        )
        log.info("long polling (timeout %ss)", settings.polling_timeout)
        await stopped()
        log.info("stopping: finishing the updates in hand")
    finally:
        if updater.running:
            await updater.stop()  # the updates fetched are confirmed to Telegram
        await application.stop()  # and handled before it returns


def webhook_app(runtime: PtbRuntime, secret: str, path: str) -> web.Application:
    """Telegram posts updates to ``path``; a wrong or missing secret header gets 401, a body
    that is not an update 400.

    Telegram gets its 200 only once the update is handled (not in the background): a worker
    killed mid-update never answers, so Telegram delivers the update again, to this worker or
    another, and the update-id claim makes the second delivery count once."""
    from aiohttp import web  # only a bot that serves HTTP loads it

    application = runtime.application

    async def receive(request: web.Request) -> web.Response:
        if not secret_matches(request, secret):
            return web.Response(status=401, text="Unauthorized")
        try:
            update = Update.de_json(await update_data(request), application.bot)
        except Exception as error:  # PTB's parsing raises all kinds; the worker goes on
            return not_an_update(error)
        await application.process_update(update)
        return web.Response()

    app = web.Application()
    app.router.add_post(path, receive)
    return app


async def _webhook(
    settings: Settings, runtime: PtbRuntime, token: str, metrics: Metrics, engine: AsyncEngine
) -> None:
    assert settings.webhook_url is not None
    secret = secret_of(settings, token)
    path = webhook_path(settings.webhook_url)
    app = webhook_app(runtime, secret, path)
    routes(app, metrics, engine)
    add_dashboard(app, settings, runtime.replies.conversation, token)
    runner = await start_site(app, settings.webhook_host, settings.webhook_port)
    try:
        await runtime.application.bot.set_webhook(
            settings.webhook_url, secret_token=secret, allowed_updates=ALLOWED_UPDATES
        )
        log.info("webhook on %s:%s%s", settings.webhook_host, settings.webhook_port, path)
        await stopped()
        log.info("stopping: finishing the updates in hand")
    finally:
        await runner.cleanup()  # the requests in hand are answered first
