"""pixbot as real processes: the environment they get, one command run to its end, and webhook
workers serving a fake Telegram."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp

from tests.conftest import FIXTURES, POSTGRES_URL, TOKEN, reset_postgres
from tests.fake_telegram import FakeTelegram, free_port


def env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a pixbot process: a SQLite file in ``tmp_path``, the test bank."""
    # A developer's own settings must not leak into the process under test.
    own = (
        "BOT_TOKEN", "WEBHOOK_URL", "WEBHOOK_SECRET", "REDIS_URL", "METRICS_PORT", "LOG_FORMAT",
        "TELEGRAM_LIBRARY", "TELEGRAM_API_BASE", "POLLING_TIMEOUT", "DASHBOARD_URL",
        "DASHBOARD_PORT",
    )  # fmt: skip
    clean = {k: v for k, v in os.environ.items() if k not in own}
    clean.update(
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        CONTENT_PATH=str(FIXTURES / "content"),
    )
    clean.update(extra)
    return clean


async def pixbot(
    *args: str, cwd: Path, environ: dict[str, str], stdin: bytes = b""
) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=cwd,
        env=environ,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(stdin), timeout=60)
    return process.returncode or 0, out.decode(), err.decode()


async def start_run(tmp_path: Path, **extra: str) -> asyncio.subprocess.Process:
    """`pixbot run` with the test token (``extra``: more environment), its output piped."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=tmp_path,
        env=env(tmp_path, BOT_TOKEN=TOKEN, **extra),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def fresh_database(kind: str, tmp_path: Path) -> str:
    """The URL of an empty database of ``kind`` that several processes can share."""
    if kind == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'shared.db'}"
    await reset_postgres()
    return POSTGRES_URL


@asynccontextmanager
async def worker(
    telegram: FakeTelegram, tmp_path: Path, database_url: str, name: str, **extra: str
) -> AsyncIterator[asyncio.subprocess.Process]:
    """`pixbot run` in webhook mode on a free port, registered with ``telegram`` once it has
    called setWebhook; its output goes to ``tmp_path/<name>.log``; SIGTERM at the end."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    log = (tmp_path / f"{name}.log").open("wb")
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=tmp_path,
        env=env(
            tmp_path,
            BOT_TOKEN=TOKEN,
            TELEGRAM_API_BASE=telegram.base,
            DATABASE_URL=database_url,
            WEBHOOK_URL=url,
            WEBHOOK_HOST="127.0.0.1",
            WEBHOOK_PORT=str(port),
            **extra,
        ),
        stdout=log,
        stderr=log,
    )
    try:
        webhooks = telegram.webhooks_set
        for _ in range(300):  # the worker calls setWebhook once it listens
            if telegram.webhooks_set > webhooks or process.returncode is not None:
                break
            await asyncio.sleep(0.1)
        assert process.returncode is None, (tmp_path / f"{name}.log").read_text()
        telegram.workers.append(url)
        yield process
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(process.wait(), 30)
        log.close()


async def health(base: str) -> tuple[int, str]:
    """``GET base/healthz``: the status and the body."""
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{base}/healthz") as response,
    ):
        return response.status, await response.text()
