"""Each runtime's resident memory at rest, each measured in a fresh Python process (``python
-c``): the interpreter alone, the runtime's library alone (``import aiogram``, ``import
telegram.ext``), and pixbot built as ``pixbot run`` builds it, less the network: its server
module imported, the schema brought up to date, the conversation built from the settings and
the dispatcher or application on the serving path; startup's objects frozen and the heap trimmed
as ``pixbot run`` does (``bot.memory``). No Bot API request is made (the bot is not started)."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any, Final

import bot
from bot.lab.bench.updates.api import TOKEN
from bot.lab.bench.updates.database import Database
from bot.lab.bench.updates.runtimes import AIOGRAM, LIBRARIES, PTB
from bot.lab.bench.updates.start import start_seconds

# What every measuring process ends with: a full collection, the heap's free pages given back
# (glibc), then the kernel's count of its resident pages (VmRSS) and its peak (VmHWM).
RSS: Final = """
import ctypes, gc, json, sys
gc.collect()
try:
    ctypes.CDLL(None).malloc_trim(0)
except (OSError, AttributeError):
    pass
status = dict(line.split(":", 1) for line in open("/proc/self/status"))
print(json.dumps({
    "rss_kb": int(status["VmRSS"].split()[0]),
    "peak_kb": int(status["VmHWM"].split()[0]),
    "modules": len(sys.modules),
    "libraries": [name for name in ("aiogram", "telegram") if name in sys.modules],
}))
"""

# pixbot as `pixbot run` builds it (bot/adapters/*/server.py), less the network.
PIXBOT: Final = """
import asyncio, importlib
from bot.bootstrap import build_conversation
from bot.memory import freeze_startup_objects
from bot.settings import Settings
from storage.database import create_engine, session_factory, upgrade

URL, SCHEMA, TOKEN, RUNTIME, SERVER = {url!r}, {schema!r}, {token!r}, {runtime!r}, {server!r}
if SERVER is not None:  # the module `pixbot run` serves with
    importlib.import_module(SERVER)


async def build():
    settings = Settings(database_url=URL)
    options = {{}}
    if SCHEMA:  # the bench's own schema of a PostgreSQL database
        options["connect_args"] = {{"server_settings": {{"search_path": SCHEMA}}}}
    engine = create_engine(URL, hide_parameters=True, **options)
    await upgrade(engine)
    conversation = await build_conversation(settings, engine)
    if RUNTIME == "aiogram":
        from bot.adapters.telegram.dispatcher import build_dispatcher, create_bot
        from bot.adapters.telegram.metrics import Metrics, RequestMetrics

        bot = create_bot(TOKEN, settings.telegram_api_base)
        metrics = Metrics()
        bot.session.middleware(RequestMetrics(metrics))
        built = build_dispatcher(
            conversation,
            session_factory(engine),
            settings.delivery_rate,
            metrics,
            None,
            settings.concurrent_updates(),
            bot_id=bot.id,
        )
    else:
        from bot.adapters.ptb import build_application
        from bot.serving.metrics import Metrics
        from bot.serving.wiring import serving

        metrics = Metrics()
        wired = serving(
            conversation, settings.delivery_rate, metrics, None, settings.concurrent_updates()
        )
        built = build_application(
            TOKEN,
            wired,
            api_base=settings.telegram_api_base,
            sessions=session_factory(engine),
            polling_timeout=settings.polling_timeout,
        )
    freeze_startup_objects()
    exec(RSS_CODE, {{}})  # measured while the bot is alive
    await engine.dispose()
    return built


RSS_CODE = {rss!r}
asyncio.run(build())
"""
SERVERS: Final = {AIOGRAM: "bot.adapters.telegram.server", PTB: "bot.adapters.ptb.server"}


def server_module(runtime: str) -> str | None:
    """The runtime's server module, if this checkout has one (found without importing it)."""
    name = SERVERS[runtime]
    path = Path(bot.__file__).parent.joinpath(*name.split(".")[1:]).with_suffix(".py")
    return name if path.is_file() else None


async def measure(code: str) -> dict[str, Any]:
    """Run ``code`` in a fresh interpreter; what its last line printed (RSS's JSON)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        code,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    lines = out.decode().strip().splitlines()
    if process.returncode != 0 or not lines:
        raise OSError(f"measuring idle memory failed: {err.decode().strip()[-2000:]}")
    measured: dict[str, Any] = json.loads(lines[-1])
    return measured


def pixbot_code(runtime: str, database: Database) -> str:
    return PIXBOT.format(
        url=database.url,
        schema=database.schema,
        token=TOKEN,
        runtime=runtime,
        server=server_module(runtime),
        rss=RSS,
    )


async def idle_rss(runtime: str, url: str) -> dict[str, Any]:
    """MB resident in a fresh process: Python alone, the runtime's library imported alone, and
    pixbot built on ``url``: first on a new database (it migrates it, as a first deployment's
    first worker does), then again on it (every restart and every other worker: the schema is
    at head and alembic is not loaded)."""
    database = Database.open(url)
    await database.create()
    try:  # side by side: memory does not depend on the time each takes
        python, library, first = await asyncio.gather(
            measure(RSS),
            measure(f"import {LIBRARIES[runtime]}\n{RSS}"),
            measure(pixbot_code(runtime, database)),
        )
        pixbot = await measure(pixbot_code(runtime, database))
    finally:
        await database.drop()
    start = await start_seconds(runtime, url)

    def mb(measured: dict[str, Any], key: str = "rss_kb") -> float:
        return round(float(measured[key]) / 1024, 1)

    return {
        "runtime": runtime,
        "database": database.label,
        "library": LIBRARIES[runtime],
        "python_mb": mb(python),
        "library_mb": mb(library),
        "pixbot_mb": mb(pixbot),
        "pixbot_peak_mb": mb(pixbot, "peak_kb"),
        "pixbot_first_mb": mb(first),
        "start_s": start["start_s"],
        "start_worst_s": start["start_worst_s"],
        "server_module": server_module(runtime),
        "library_modules": library["modules"],
        "pixbot_modules": pixbot["modules"],
        "pixbot_libraries": pixbot["libraries"],
    }
