"""`pixbot run`: long polling, or an aiohttp webhook server when WEBHOOK_URL is set; with
REDIS_URL, the bot's processes share their rate limits and caches through Redis."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import signal
from urllib.parse import urlsplit, urlunsplit

from aiogram import Bot, Dispatcher
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.adapters.telegram.dispatcher import build_dispatcher, create_bot
from bot.adapters.telegram.metrics import Metrics, RequestMetrics, routes
from bot.bootstrap import build_conversation, open_database
from bot.memory import freeze_startup_objects
from bot.settings import Settings
from storage.database import session_factory

log = logging.getLogger(__name__)


REDIS_TIMEOUT = 2.0  # seconds: a Redis that does not answer by then counts as out of reach


async def serve(settings: Settings, token: str) -> None:
    redis = await open_redis(settings.redis_url)
    try:
        await _serve(settings, token, redis)
    finally:
        if redis is not None:
            await redis.aclose()


async def open_redis(url: str | None) -> Redis | None:
    """The Redis client for REDIS_URL (None without one). An unreachable Redis at start ends
    `pixbot run` with one line; later, each use falls back to this process on its own."""
    if not url:
        return None
    try:
        redis = Redis.from_url(
            url,
            socket_connect_timeout=REDIS_TIMEOUT,
            socket_timeout=REDIS_TIMEOUT,
            retry=Retry(NoBackoff(), 1),  # one quick retry (a dropped connection), no backoff
            health_check_interval=30,
        )
    except ValueError as error:
        raise SystemExit(f"pixbot: REDIS_URL is not a Redis URL ({error})") from None
    try:
        await redis.ping()
    except (RedisError, OSError) as error:
        await redis.aclose()
        first = str(error).splitlines()[0] if str(error) else ""
        raise SystemExit(
            f"pixbot: cannot reach Redis at {shown_redis_url(url)}: "
            f"{error.__class__.__name__}: {first}"
        ) from None
    log.info("Redis at %s: limits and caches shared between processes", shown_redis_url(url))
    return redis


def shown_redis_url(url: str) -> str:
    """A Redis URL fit for a log line: the user and password (``user:password@``) and the query
    (``?password=…``) become ``***``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "(malformed REDIS_URL)"
    netloc = parts.netloc
    if "@" in netloc:
        netloc = "***@" + netloc.rpartition("@")[2]
    query = "***" if parts.query else ""
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


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
    operations = await _operations_server(settings, metrics, engine)
    freeze_startup_objects()
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


def webhook_secret(token: str) -> str:
    """The secret Telegram sends back with each update when WEBHOOK_SECRET is unset: derived
    from the token, so every worker of the bot agrees on it (a random one per process would
    make each worker's setWebhook lock the others out), and nobody without the token can
    guess it."""
    return hmac.new(token.encode(), b"pixbot webhook secret", hashlib.sha256).hexdigest()


def webhook_app(dispatcher: Dispatcher, bot: Bot, secret: str, path: str) -> web.Application:
    """Telegram posts updates to ``path``; a wrong or missing secret header gets 401.

    Telegram gets its 200 only once the update is handled (not in the background): a worker
    killed mid-update never answers, so Telegram delivers the update again, to this worker or
    another, and the update-id claim makes the second delivery count once."""
    app = web.Application()
    handler = SimpleRequestHandler(
        dispatcher=dispatcher, bot=bot, secret_token=secret, handle_in_background=False
    )
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
        else webhook_secret(token=bot.token)
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
