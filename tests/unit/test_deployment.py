"""The deployment files (compose.yaml, deploy/Caddyfile) can't run here (no Docker engine), so
they are checked against the code they configure: only real settings, real commands, and the
webhook path the proxy forwards."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from bot.cli import _parser
from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def test_two_workers_share_postgresql_and_redis() -> None:
    services = compose()["services"]
    workers = [services["bot-1"], services["bot-2"]]
    assert workers[0] == workers[1]
    environment = workers[0]["environment"]
    assert environment["DATABASE_URL"].startswith("postgresql+asyncpg://")
    assert "@postgres:5432/" in environment["DATABASE_URL"]
    assert environment["REDIS_URL"].startswith("redis://redis:")
    assert workers[0]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_the_workers_use_only_real_settings() -> None:
    for service in ("bot-1", "migrate"):
        for name in compose()["services"][service]["environment"]:
            assert name.lower() in Settings.model_fields, name


def test_the_migrate_service_runs_a_real_command() -> None:
    command = compose()["services"]["migrate"]["command"]
    assert command[0] == "pixbot"
    args = _parser().parse_args(command[1:])
    assert args.command.__name__ == "_db_upgrade"


def test_the_proxy_forwards_the_webhook_path_to_both_workers() -> None:
    environment = compose()["services"]["bot-1"]["environment"]
    path = urlsplit(
        environment["WEBHOOK_URL"].replace("${PIXBOT_DOMAIN:?", "x").replace("}", "")
    ).path
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text()
    assert f"handle {path} {{" in caddyfile
    port = environment["WEBHOOK_PORT"]
    assert re.search(rf"reverse_proxy bot-1:{port} bot-2:{port}", caddyfile)
    assert "fail_duration" in caddyfile  # a dead worker is left out, its requests retried
    assert "health_uri" not in caddyfile  # a worker without its database still answers


def test_the_proxy_forwards_the_dashboard_to_both_workers() -> None:
    environment = compose()["services"]["bot-1"]["environment"]
    url = environment["DASHBOARD_URL"].replace("${PIXBOT_DOMAIN}", "bot.example.org")
    assert Settings(_env_file=None, dashboard_url=url).dashboard_url == url  # a valid one
    path = urlsplit(url).path
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text()
    block = caddyfile.split(f"handle {path}* {{", 1)[1].split("\n\t}", 1)[0]
    port = environment["WEBHOOK_PORT"]
    assert f"reverse_proxy bot-1:{port} bot-2:{port}" in block
