"""What a worker loads at start (issue 19: a worker in 120 MB, started in 2 s): on a database
already migrated, `pixbot run`'s build loads neither alembic, matplotlib nor scipy, and a
polling worker without METRICS_PORT no HTTP server (aiohttp); they come with the first
migration, picture, calibration or HTTP port that needs them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import FIXTURES

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("aiohttp", "alembic", "matplotlib", "scipy", "redis")
BUILD = """
import asyncio, sys
import bot.adapters.ptb.server
from bot.bootstrap import build_conversation
from bot.serving.metrics import Metrics
from bot.serving.process import operations_server
from bot.settings import Settings
from storage.database import create_engine, upgrade


async def main():
    settings = Settings(database_url=sys.argv[1], content_path=sys.argv[2], metrics_port=None)
    engine = create_engine(settings.database_url)
    await upgrade(engine)
    await build_conversation(settings, engine)
    assert await operations_server(settings, Metrics(), engine) is None  # no METRICS_PORT
    await engine.dispose()


asyncio.run(main())
print(" ".join(sorted({name.split(".")[0] for name in sys.modules} & set(sys.argv[3:]))))
"""


def loaded(url: str) -> str:
    command = [sys.executable, "-c", BUILD, url, str(FIXTURES / "content"), *HEAVY]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_a_worker_on_a_migrated_database_loads_no_migration_chart_or_fitting_library(
    tmp_path: Path,
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    assert loaded(url) == "alembic"  # the first start migrates
    assert loaded(url) == ""  # every later one finds the schema at head
