"""Shared fixtures: a migrated database (SQLite and PostgreSQL), a Redis client,
the small known content bank under tests/fixtures, and the real dispatcher on a recording
Bot API session."""

from __future__ import annotations

import asyncio
import itertools
import os
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from aiogram import Bot
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.adapters.ptb import build_application
from bot.adapters.telegram import build_dispatcher, create_bot
from bot.core.conversation import Conversation
from bot.core.engines import get_engine
from bot.core.i18n import Catalogs
from bot.serving.wiring import serving
from bot.settings import Settings
from content.bank import ContentBank
from content.loader import load_bank
from storage.database import create_engine, session_factory, upgrade
from storage.repository import store_factory
from tests.telegram import ChatDriver, PtbDispatcher, RecordingRequest, RecordingSession
from tests.virtual_time import VirtualTime

# The content bank's cache (content/cache.py) of this run, for the bot built in the tests and
# the `pixbot run` processes they start: never the developer's own ~/.cache.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="pixbot-tests-cache-")
# Fixtures shared from their own modules.
pytest_plugins = ["tests.logging_state"]
FIXTURES = Path(__file__).parent / "fixtures"
TOKEN = "123456789:AAEhBP0av28yHjs8_Mq6FMh2W4qS6xxXy-Q"
# The suite runs on SQLite, PostgreSQL and Redis, on 127.0.0.1 as on this project's machines
# (.ci/run starts them). An empty TEST_DATABASE_URL or TEST_REDIS_URL leaves that service's tests
# out (deselected and said so, never skipped); a service that is set but down fails its tests.
BASE_POSTGRES_URL = os.environ.get(
    "TEST_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
BASE_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
# `make test` runs the suite on several processes (pytest-xdist): each worker has a PostgreSQL
# database and a Redis database of its own ("test_gw1", Redis db 14), so no worker resets or
# reads another's (a test empties its database; `pixbot run` processes share rate limits).
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")


def for_worker(postgres: str, redis: str, worker: str) -> tuple[str, str]:
    """The PostgreSQL and Redis URLs of the worker named ``worker`` ("" outside xdist)."""
    if not worker:
        return postgres, redis
    number = int(worker.removeprefix("gw"))
    if postgres:
        url = make_url(postgres)
        postgres = url.set(database=f"{url.database}_{worker}").render_as_string(False)
    if redis:
        parts = urlsplit(redis)
        index = (int(parts.path.strip("/") or 0) - number) % 16
        redis = urlunsplit(parts._replace(path=f"/{index}"))
    return postgres, redis


POSTGRES_URL, REDIS_URL = for_worker(BASE_POSTGRES_URL, BASE_REDIS_URL, WORKER)
DATABASES = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])
# The configuration the conversations run with: what `Settings()` ships (no .env file, no
# variable set), the database apart, which each test gets of its own (tests/unit/test_settings.py
# holds them equal). The content bank is the small one under tests/fixtures, not a setting.
SHIPPED = Settings.model_construct()
# The engines a conversation that takes a test runs with: the `engine` fixture.
ENGINES = ("irt", "smart-random")
# The Telegram runtimes the conversations run on (TELEGRAM_LIBRARY): the `runtime` fixture. The
# shipped one (python-telegram-bot) takes every combination; the other (aiogram) takes every
# conversation test on SQLite with the shipped engine (the engine and the runtime do not meet:
# each engine runs on the shipped runtime), and those of the modules below on PostgreSQL too;
# the whole product twice more would outgrow CI's 15 minutes.
RUNTIMES = ("ptb", "aiogram")
OTHER_RUNTIME_ON_POSTGRESQL = ("test_replies.py", "test_groups.py")


def pytest_configure(config: pytest.Config) -> None:
    if POSTGRES_URL != BASE_POSTGRES_URL:
        asyncio.run(create_database(BASE_POSTGRES_URL, make_url(POSTGRES_URL).database or ""))


async def create_database(admin_url: str, name: str) -> None:
    """Database ``name`` on the server of ``admin_url``, created if it is missing."""
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            query = text("SELECT 1 FROM pg_database WHERE datname = :name")
            if not (await connection.execute(query, {"name": name})).first():
                await connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await engine.dispose()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    left_out = {
        "postgresql": not POSTGRES_URL,  # tests marked postgresql run on it alone
        "redis": not REDIS_URL,  # tests using the redis fixture
    }
    keep, out = [], []
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        other = params.get("runtime", SHIPPED.telegram_library) != SHIPPED.telegram_library
        if other and (
            params.get("engine", SHIPPED.engine) != SHIPPED.engine
            or (
                params.get("database") == "postgresql"
                and item.path.name not in OTHER_RUNTIME_ON_POSTGRESQL
            )
        ):
            out.append(item)
            continue
        needs = {name for name in left_out if item.get_closest_marker(name)}
        if "redis" in getattr(item, "fixturenames", ()):
            needs.add("redis")
        (out if any(left_out[name] for name in needs) else keep).append(item)
    if out:
        config.hook.pytest_deselected(items=out)
        items[:] = keep
    if hasattr(config, "workeroutput"):  # a pytest-xdist worker: its controller says the count
        config.workeroutput["deselected"] = len(out)


_deselected_by_workers: list[int] = []


def pytest_testnodedown(node: Any, error: object) -> None:
    """pytest-xdist's controller: each worker collects (and leaves out) the same tests."""
    _deselected_by_workers.append(getattr(node, "workeroutput", {}).get("deselected", 0))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if any(_deselected_by_workers):  # without xdist, pytest counts them itself
        terminalreporter.write_line(
            f"{max(_deselected_by_workers)} deselected (not skipped): the second runtime "
            "off its combinations, or a service left out (tests/conftest.py)"
        )


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@pytest.fixture(scope="session")
def bank() -> ContentBank:
    return load_bank(FIXTURES / "content")


@pytest.fixture(scope="session")
def catalogs() -> Catalogs:
    return Catalogs()


async def reset_postgres() -> None:
    """An empty schema in the test database (each test starts from nothing)."""
    engine = create_engine(POSTGRES_URL)
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


@pytest.fixture(params=DATABASES)
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    if request.param == "sqlite":
        engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'test.db'}")
    else:
        await reset_postgres()
        engine = create_engine(POSTGRES_URL)
    await upgrade(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    """The engine name, each in turn: a test whose conversation takes a test asks for it
    (`@pytest.mark.usefixtures("engine")`); the others run with the shipped one."""
    return str(request.param)


@pytest.fixture
def settings(database: AsyncEngine, request: pytest.FixtureRequest) -> Settings:
    """The shipped settings on this test's database, with the `engine` fixture's engine when
    the test asks for it."""
    update: dict[str, Any] = {"database_url": database.url.render_as_string(hide_password=False)}
    if "engine" in request.fixturenames:
        update["engine"] = request.getfixturevalue("engine")
    return SHIPPED.model_copy(update=update)


@pytest.fixture
def make_conversation(
    database: AsyncEngine,
    settings: Settings,
    bank: ContentBank,
    catalogs: Catalogs,
    clock: FakeClock,
) -> Callable[..., Conversation]:
    """Conversations built as bot/bootstrap.py builds them from the settings, on this test's
    database, bank (unless ``bank`` is given), clock and a deterministic source of seeds."""
    seeds = itertools.count(7)

    def make(**options: Any) -> Conversation:
        options.setdefault("new_seed", lambda: next(seeds))
        options.setdefault("default_language", settings.default_language)
        options.setdefault("max_level", settings.max_level)
        options.setdefault("bank", bank)
        return Conversation(
            stores=store_factory(session_factory(database)),
            engine=get_engine(options.pop("engine", settings.engine)),
            clock=clock,
            catalogs=catalogs,
            **options,
        )

    return make


@pytest.fixture
def conversation(make_conversation: Callable[..., Conversation]) -> Conversation:
    return make_conversation()


@pytest.fixture
async def session() -> RecordingSession:
    return RecordingSession()


@pytest.fixture
def limits_time() -> VirtualTime:
    """The time of Telegram's rate limits and of the flood guard: virtual, so the shipped limits
    hold without the suite spending their seconds (a ChatDriver moves it at a person's pace)."""
    return VirtualTime()


@pytest.fixture(params=RUNTIMES)
def runtime(request: pytest.FixtureRequest) -> str:
    """The Telegram runtime, each in turn."""
    return str(request.param)


@pytest.fixture
async def bot(session: RecordingSession) -> AsyncIterator[Bot]:
    """The aiogram bot on the recording session: what a ChatDriver feeds updates with (on the
    python-telegram-bot runtime too, where it only carries the session)."""
    bot = create_bot(TOKEN, session=session)
    yield bot
    await bot.session.close()


@pytest.fixture
async def make_runtime(
    session: RecordingSession,
    bot: Bot,
    limits_time: VirtualTime,
    settings: Settings,
    runtime: str,
) -> AsyncIterator[Callable[..., Awaitable[Any]]]:
    """``await make_runtime(conversation, **options)``: the runtime under test on the recording
    session, aiogram's dispatcher or python-telegram-bot's application (behind a
    :class:`tests.telegram.PtbDispatcher`: ``feed_update``, ``feed_raw_update``,
    ``["replies"]``, ``["admins"]`` as a dispatcher's). ``options`` are those of the serving
    path (:func:`bot.serving.wiring.serving`: ``metrics``, ``redis``, ``limiter``, ...); unless
    given, the shipped delivery rate and concurrency (1 update at a time on SQLite) on the
    limits' virtual time."""
    built: list[Any] = []

    async def make(conversation: Conversation, **options: Any) -> Any:
        options.setdefault("delivery_rate", settings.delivery_rate)
        options.setdefault("max_concurrent_updates", settings.concurrent_updates())
        options.setdefault("clock", limits_time)
        options.setdefault("sleep", limits_time.sleep)
        if runtime == "aiogram":
            return build_dispatcher(conversation, **options)
        ptb = build_application(
            TOKEN, serving(conversation, **options), request=RecordingRequest(session, bot)
        )
        await ptb.application.initialize()
        built.append(ptb)
        return PtbDispatcher(ptb)

    yield make
    for ptb in built:
        await ptb.application.shutdown()


@pytest.fixture
async def telegram(
    conversation: Conversation,
    session: RecordingSession,
    bot: Bot,
    limits_time: VirtualTime,
    make_runtime: Callable[..., Awaitable[Any]],
) -> Callable[..., ChatDriver]:
    """People in chats with the real runtime (aiogram's dispatcher, or python-telegram-bot's
    application), on the recording session."""
    dispatcher = await make_runtime(conversation)

    def driver(**options: Any) -> ChatDriver:
        options.setdefault("time", limits_time)
        return ChatDriver(dispatcher, bot, session, **options)

    return driver


@pytest.fixture
def learner(telegram: Callable[..., ChatDriver]) -> ChatDriver:
    return telegram()


@pytest.fixture
def redis_prefix() -> str:
    """Keys of one test: whatever else lives in that Redis database is left alone."""
    return f"pixbot-test:{os.getpid()}:{next(_redis_tests)}:"


_redis_tests = itertools.count()


@pytest.fixture
async def redis(redis_prefix: str) -> AsyncIterator[Any]:
    """A client of the Redis at TEST_REDIS_URL; the test's keys are deleted afterwards."""
    from redis.asyncio import Redis

    client = Redis.from_url(REDIS_URL)
    await client.ping()
    yield client
    keys = [key async for key in client.scan_iter(match=f"{redis_prefix}*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()
