"""How long `pixbot run` takes from its process's start to its first long poll (issue 19: at
most 2 s): a real `pixbot run` process, on a database already migrated (a restart, another
worker), against a Bot API answered on 127.0.0.1 that notes when the first getUpdates arrives.
The median of a few starts, each in a fresh process."""

from __future__ import annotations

import asyncio
import os
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, Final

from aiohttp import web
from sqlalchemy.engine import make_url

from bot.lab.bench.updates.api import BOT_ID, BOT_USERNAME, TOKEN
from bot.lab.bench.updates.database import Database

STARTS: Final = 3
TIMEOUT: Final = 60.0
# The variables a developer's own shell may set that would change what is measured.
OWN: Final = ("WEBHOOK_URL", "REDIS_URL", "METRICS_PORT", "CONTENT_PATH", "ENGINE")


class PollWatch:
    """A Bot API that answers every method and notes the first getUpdates."""

    def __init__(self) -> None:
        self.first_poll = asyncio.Event()

    async def api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"].lower()
        result: Any = True
        if method == "getme":
            result = {"id": BOT_ID, "is_bot": True, "first_name": "Pixbot"}
            result["username"] = BOT_USERNAME
        elif method == "getupdates":
            self.first_poll.set()
            result = []
        return web.json_response({"ok": True, "result": result})


@asynccontextmanager
async def bot_api_server(
    handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
) -> AsyncIterator[str]:
    """``handler`` answers every Bot API method on 127.0.0.1 (a free port); yields the base URL
    to give pixbot as TELEGRAM_API_BASE (the tests' fake Telegram serves through it too)."""
    app = web.Application()
    app.router.add_post("/bot{token}/{method}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


async def one_start(runtime: str, environ: dict[str, str]) -> float:
    """Seconds from spawning `pixbot run` to its first getUpdates."""
    watch = PollWatch()
    async with bot_api_server(watch.api) as base:
        started = time.perf_counter()
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            env={**environ, "TELEGRAM_API_BASE": base, "TELEGRAM_LIBRARY": runtime},
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            waited = asyncio.ensure_future(watch.first_poll.wait())
            ended = asyncio.ensure_future(process.wait())
            await asyncio.wait({waited, ended}, timeout=TIMEOUT, return_when="FIRST_COMPLETED")
            seconds = time.perf_counter() - started
            ended.cancel()
            if not watch.first_poll.is_set():
                waited.cancel()
                raise OSError(f"pixbot run did not poll within {TIMEOUT:g} s")
            return seconds
        finally:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
                await asyncio.wait_for(process.communicate(), TIMEOUT)


@asynccontextmanager
async def process_database(url: str) -> AsyncIterator[tuple[Database, str]]:
    """Where a `pixbot run` process of the bench stores, and the URL to give it: on PostgreSQL
    a new database of that server (a process is not given a schema), dropped at the end; a
    SQLite URL as it is ('sqlite': a temporary file)."""
    database = Database.open(url)
    process_url = database.url
    if database.schema is not None:
        process_url = make_url(url).set(database=database.schema).render_as_string(False)
        await database.admin(f'CREATE DATABASE "{database.schema}"', autocommit=True)
    try:
        yield database, process_url
    finally:
        if database.schema is not None:
            # FORCE: a process of the bench that outlived its run does not keep it (PG 13+)
            await database.admin(
                f'DROP DATABASE IF EXISTS "{database.schema}" WITH (FORCE)', autocommit=True
            )
        await database.drop()


def process_environment(**values: str) -> dict[str, str]:
    """This process's environment for a `pixbot run` of the bench: without what a developer's
    own shell may set that would change what is measured, with ``values``."""
    environ = {k: v for k, v in os.environ.items() if k not in OWN}
    environ.update(BOT_TOKEN=TOKEN, **values)
    return environ


async def start_seconds(runtime: str, url: str, starts: int = STARTS) -> dict[str, Any]:
    """The median and the worst of ``starts`` starts of `pixbot run` on ``url`` (migrated by a
    first start that is not counted, which also compiles the bytecode)."""
    async with process_database(url) as (database, process_url):
        with tempfile.TemporaryDirectory(prefix="pixbot-bytecode-") as bytecode:
            environ = process_environment(DATABASE_URL=process_url)
            # Started as installed: pip compiles a package's bytecode when it installs it (the
            # Docker image's too), where an editable checkout under PYTHONDONTWRITEBYTECODE
            # compiles pixbot's 130 modules at every start (a quarter of a second here). The
            # first start, not counted, writes the bytecode (of every module: Python reads
            # only the prefix's) for the next ones.
            environ.pop("PYTHONDONTWRITEBYTECODE", None)
            environ["PYTHONPYCACHEPREFIX"] = bytecode
            await one_start(runtime, environ)  # migrates the new database
            times = [await one_start(runtime, environ) for _ in range(starts)]
    return {
        "runtime": runtime,
        "database": database.label,
        "start_s": round(statistics.median(times), 2),
        "start_worst_s": round(max(times), 2),
        "starts": starts,
    }
