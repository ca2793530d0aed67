"""`pixbot run` serves the campaign dashboard at DASHBOARD_URL's path: on the webhook server's
port in webhook mode, on DASHBOARD_PORT in long polling, on either Telegram library; checking
initData with the process's own token. Without DASHBOARD_URL nothing is served there."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import aiohttp

from tests.conftest import TOKEN
from tests.dashboard import init_data
from tests.fake_telegram import fake_telegram, free_port
from tests.processes import fresh_database, start_run, worker

DASHBOARD_URL = "https://bot.example.org/class/dashboard"


async def served(base: str) -> tuple[int, int, int]:
    """The page's status, and the API's for no initData and for a stranger's genuine one."""
    page = f"{base}/class/dashboard/"
    async with aiohttp.ClientSession() as http:
        async with http.get(page) as response:
            status = response.status
            assert status != 200 or "telegram-web-app.js" in await response.text()
        async with http.get(page + "api/campaigns") as response:
            anonymous = response.status
        stranger = {"Authorization": "tma " + init_data(4242, TOKEN)}
        async with http.get(page + "api/campaigns", headers=stranger) as response:
            genuine = response.status
    return status, anonymous, genuine


async def test_the_webhook_port_serves_the_dashboard(tmp_path: Path, runtime: str) -> None:
    database_url = await fresh_database("sqlite", tmp_path)
    async with (
        fake_telegram() as telegram,
        worker(
            telegram,
            tmp_path,
            database_url,
            "a",
            TELEGRAM_LIBRARY=runtime,
            DASHBOARD_URL=DASHBOARD_URL,
        ),
        worker(telegram, tmp_path, database_url, "b", TELEGRAM_LIBRARY=runtime),
    ):
        with_dashboard, without = (url.removesuffix("/telegram") for url in telegram.workers)
        assert await served(with_dashboard) == (200, 401, 403)
        assert (await served(without))[0] == 404


async def test_long_polling_serves_the_dashboard_on_its_port(tmp_path: Path, runtime: str) -> None:
    port = free_port()
    async with fake_telegram(connections=0) as telegram:
        process = await start_run(
            tmp_path,
            TELEGRAM_LIBRARY=runtime,
            TELEGRAM_API_BASE=telegram.base,
            WEBHOOK_HOST="127.0.0.1",
            DASHBOARD_URL=DASHBOARD_URL,
            DASHBOARD_PORT=str(port),
        )
        try:
            for _ in range(300):
                try:
                    answers = await served(f"http://127.0.0.1:{port}")
                    break
                except aiohttp.ClientConnectionError:
                    assert process.returncode is None
                    await asyncio.sleep(0.1)
            assert answers == (200, 401, 403)
        finally:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
            _, err = await asyncio.wait_for(process.communicate(), timeout=20)
    assert process.returncode == 0, err.decode()
    assert "Traceback" not in err.decode()
