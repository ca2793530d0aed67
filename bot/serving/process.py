"""`pixbot run` as a process, whatever the Telegram library: the Redis client (``REDIS_URL``),
the webhook's secret, path and checks of a request (the secret header, a body that is an
update), the ports it listens on, the operations server (``/healthz`` and ``/metrics`` on
``METRICS_PORT``), the campaign dashboard (``DASHBOARD_URL``), the stop signals, and the
errors a runtime meets at start, in words the command reports as one line
(:func:`bot.bootstrap.run_bot`)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import signal
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.serving.metrics import Metrics, routes
from bot.settings import Settings

if TYPE_CHECKING:
    from aiohttp import web
    from redis.asyncio import Redis

    from bot.core.conversation import Conversation

log = logging.getLogger(__name__)

REDIS_TIMEOUT = 2.0  # seconds: a Redis that does not answer by then counts as out of reach
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - the header's name


class StartFailed(Exception):
    """The Bot API failed at start (``kind``: the library's name of the error; ``detail``: its
    message, which may contain the token: the command hides it)."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.detail = detail


class Unreachable(StartFailed):
    """The Bot API did not answer at start (the network, or TELEGRAM_API_BASE)."""


class TokenRefused(StartFailed):
    """The Bot API answered 401 Unauthorized: BOT_TOKEN is not a bot's."""


async def open_redis(url: str | None) -> Redis | None:
    """The Redis client for REDIS_URL (None without one). An unreachable Redis at start ends
    `pixbot run` with one line; later, each use falls back to this process on its own."""
    if not url:
        return None
    from redis.asyncio import Redis
    from redis.asyncio.retry import Retry
    from redis.backoff import NoBackoff
    from redis.exceptions import RedisError

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


def webhook_secret(token: str) -> str:
    """The secret Telegram sends back with each update when WEBHOOK_SECRET is unset: derived
    from the token, so every worker of the bot agrees on it (a random one per process would
    make each worker's setWebhook lock the others out), and nobody without the token can
    guess it."""
    return hmac.new(token.encode(), b"pixbot webhook secret", hashlib.sha256).hexdigest()


def secret_of(settings: Settings, token: str) -> str:
    """WEBHOOK_SECRET, or the one derived from the token."""
    if settings.webhook_secret is not None:
        return settings.webhook_secret.get_secret_value()
    return webhook_secret(token)


def webhook_path(url: str) -> str:
    """The path of WEBHOOK_URL, the one the webhook server serves."""
    return urlsplit(url).path or "/"


def secret_matches(request: web.Request, secret: str) -> bool:
    """Whether the request carries the webhook's secret header (compared in constant time, as
    bytes: any header, however encoded, is only a wrong one)."""
    given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "surrogateescape")
    return hmac.compare_digest(given, secret.encode())


async def update_data(request: web.Request) -> dict[str, Any]:
    """The request's body as an update's JSON: an object with an integer ``update_id``;
    ValueError otherwise (UnicodeDecodeError, a JSONDecodeError, are ones)."""
    data = await request.json()
    if not isinstance(data, dict):
        raise ValueError(f"a JSON {type(data).__name__}, not an object")
    update_id = data.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        raise ValueError("no integer update_id")
    return data


def not_an_update(error: Exception) -> web.Response:
    """400 for a webhook body that is not an update, and one line for the operator (without the
    body: it may hold a person's words)."""
    from aiohttp import web  # only a bot that serves HTTP loads it

    first = str(error).splitlines()[0][:200] if str(error) else ""
    log.warning("webhook: a body that is not an update: %s: %s", type(error).__name__, first)
    return web.Response(status=400, text="not an update\n")


def bot_id(token: str) -> int:
    """The bot's id: the token's part before the colon (the keys it shares in Redis)."""
    return int(token.partition(":")[0])


async def start_site(app: web.Application, host: str, port: int) -> web.AppRunner:
    """Serve ``app`` on ``host:port``; ``cleanup()`` the runner to stop (requests in hand are
    finished first). A port that cannot be listened on ends `pixbot run` with one line."""
    from aiohttp import web  # only a bot that serves HTTP loads it

    runner = web.AppRunner(app)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except OSError as error:  # in use, not allowed, no such address
        await runner.cleanup()
        reason = error.strerror or str(error)
        raise SystemExit(f"pixbot: cannot listen on {host}:{port}: {reason}") from None
    return runner


async def operations_server(
    settings: Settings, metrics: Metrics, engine: AsyncEngine
) -> web.AppRunner | None:
    """/healthz and /metrics on METRICS_PORT, when it is set."""
    if settings.metrics_port is None:
        return None
    from aiohttp import web  # only a bot that serves HTTP loads it

    app = web.Application()
    routes(app, metrics, engine)
    runner = await start_site(app, settings.webhook_host, settings.metrics_port)
    log.info("health and metrics on port %s", settings.metrics_port)
    return runner


def add_dashboard(
    app: web.Application, settings: Settings, conversation: Conversation, token: str
) -> bool:
    """The campaign dashboard on ``app`` at DASHBOARD_URL's path, when DASHBOARD_URL is set
    (the webhook server's app in webhook mode, its own in long polling)."""
    if not settings.dashboard_url:
        return False
    from bot.dashboard.api import Dashboard
    from bot.dashboard.app import add_dashboard as add_routes

    dashboard = Dashboard(
        conversation.stores,
        conversation.bank,
        conversation.views.catalogs,
        conversation.admins,
        conversation.clock,
        settings.max_level,
        settings.default_language,
    )
    add_routes(app, dashboard, token, urlsplit(settings.dashboard_url).path)
    return True


async def dashboard_server(
    settings: Settings, conversation: Conversation, token: str
) -> web.AppRunner | None:
    """Long polling has no webhook server: the dashboard gets one on DASHBOARD_PORT."""
    if not settings.dashboard_url:
        return None
    from aiohttp import web  # only a bot that serves HTTP loads it

    app = web.Application()
    add_dashboard(app, settings, conversation, token)
    runner = await start_site(app, settings.webhook_host, settings.dashboard_port)
    log.info("campaign dashboard on port %s", settings.dashboard_port)
    return runner


async def stopped() -> None:
    """Return at the first SIGINT or SIGTERM (a graceful stop follows)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
