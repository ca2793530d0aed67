"""``pixbot bench broadcast``: one tip to each of N groups through the real worker, the real
TelegramSender and aiogram, against a local fake Bot API server that answers a few requests with
429 (retry_after 1) and about 2 % of the groups with 403. Reports what was delivered, duplicates
and the achieved rate against the configured limit.

With ``--workers 2`` two worker processes (``python -m bot.lab.bench.broadcast --worker …``)
share one PostgreSQL database, each at half the rate; with a Redis URL too, they share one limiter
in Redis (as ``pixbot run`` processes do with REDIS_URL), each free to take the whole rate.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import secrets
import shutil
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from aiohttp import web
from sqlalchemy import delete, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import delivery as store
from storage.delivery import DeliveryRow

TOKEN: Final = "123456789:" + "A" * 35
KIND: Final = "bench"
FORBIDDEN_EVERY: Final = 50  # one group in 50 kicked the bot (2 %)
FLOODS: Final = 3  # requests answered 429
log = logging.getLogger(__name__)


def _utc_now() -> datetime:
    return datetime.now(UTC)


def chat_ids(groups: int) -> list[int]:
    """Distinct negative ids, like supergroups."""
    return [-(1_000_000_000_000 + index) for index in range(groups)]


@dataclass
class FakeBotApi:
    """A bounded fake Bot API on 127.0.0.1 (random port) that answers sendMessage."""

    planned: int
    lifetime: float
    requests: list[float] = field(default_factory=list)  # arrival times (monotonic)
    accepted: Counter[int] = field(default_factory=Counter)  # chat -> non-429 answers
    floods: int = 0
    forbidden: int = 0
    url: str = ""
    _runner: web.AppRunner | None = None
    _timer: asyncio.TimerHandle | None = None

    def __post_init__(self) -> None:
        step = max(1, self.planned // (FLOODS + 1))
        self._flood_at = {step * (i + 1) for i in range(FLOODS)}
        self._ids = 0

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"
        loop = asyncio.get_running_loop()
        self._timer = loop.call_later(self.lifetime, lambda: asyncio.ensure_future(self.stop()))

    async def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    @staticmethod
    def forbidden_chat(chat_id: int) -> bool:
        return (-chat_id) % FORBIDDEN_EVERY == 7

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"].lower()
        if method != "sendmessage":
            return web.json_response({"ok": True, "result": True})
        data = await request.post()
        chat_id = int(str(data["chat_id"]))
        self.requests.append(time.monotonic())
        if len(self.requests) in self._flood_at:
            self.floods += 1
            return web.json_response(
                {
                    "ok": False,
                    "error_code": 429,
                    "description": "Too Many Requests: retry after 1",
                    "parameters": {"retry_after": 1},
                },
                status=429,
            )
        self.accepted[chat_id] += 1
        if self.forbidden_chat(chat_id):
            self.forbidden += 1
            return web.json_response(
                {
                    "ok": False,
                    "error_code": 403,
                    "description": "Forbidden: bot was kicked from the supergroup chat",
                },
                status=403,
            )
        self._ids += 1
        message = {
            "message_id": self._ids,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "supergroup", "title": "bench"},
            "text": str(data.get("text", "")),
        }
        return web.json_response({"ok": True, "result": message})

    def duplicates(self) -> int:
        return sum(count - 1 for count in self.accepted.values() if count > 1)

    def peak(self) -> int:
        """Most requests in any half-open one-second window."""
        times = sorted(self.requests)
        best, start = 0, 0
        for end, moment in enumerate(times):
            while moment - times[start] >= 1.0:
                start += 1
            best = max(best, end - start + 1)
        return best


async def _migrate(engine: AsyncEngine) -> None:
    """Migrate; refuse a database that holds real deliveries; drop rows of an earlier run."""
    from storage.database import session_factory, upgrade

    await upgrade(engine)
    async with session_factory(engine)() as session, session.begin():
        others = await session.scalar(
            select(func.count()).select_from(DeliveryRow).where(DeliveryRow.kind != KIND)
        )
        if others:
            raise ValueError(
                "this database already holds deliveries: run the benchmark on an empty one"
            )
        await session.execute(delete(DeliveryRow).where(DeliveryRow.kind == KIND))


async def _prepare(engine: AsyncEngine, groups: int) -> None:
    """One tip per group, due now."""
    from storage.database import session_factory

    async with session_factory(engine)() as session, session.begin():
        now = _utc_now()
        for chat_id in chat_ids(groups):
            payload = {"text": f"<b>Tip of the day</b> for group {chat_id}"}
            await store.enqueue(session, chat_id, KIND, payload, now, f"bench:{chat_id}", now=now)


async def _counts(engine: AsyncEngine) -> dict[str, int]:
    from storage.database import session_factory

    async with session_factory(engine)() as session:
        return await store.counts(session, KIND)


def _warm_up() -> None:
    """Import aiogram and the worker now (aiogram's types take seconds to import), so the
    measured time is the delivery's."""
    import bot.adapters.telegram
    import bot.adapters.telegram.sender
    import bot.delivery.worker  # noqa: F401


async def run_worker(
    database_url: str,
    api_base: str,
    rate: float,
    worker_id: str,
    deadline: float,
    redis_url: str | None = None,
    redis_prefix: str = "",
) -> dict[str, int]:
    """One worker until no bench row is pending or sending (or ``deadline`` seconds pass); its
    limiter lives in Redis under ``redis_prefix`` when ``redis_url`` is given."""
    from redis.asyncio import Redis

    from bot.adapters.telegram import create_bot
    from bot.adapters.telegram.sender import TelegramSender
    from bot.delivery.limiter import Limiter, RateLimiter
    from bot.delivery.redis_limiter import RedisRateLimiter
    from bot.delivery.worker import DeliveryWorker
    from storage.database import create_engine, session_factory

    engine = create_engine(database_url)
    bot = create_bot(TOKEN, api_base=api_base)
    redis = Redis.from_url(redis_url) if redis_url else None
    limiter: Limiter = (
        RateLimiter(rate) if redis is None else RedisRateLimiter(redis, rate, prefix=redis_prefix)
    )
    worker = DeliveryWorker(
        session_factory(engine),
        TelegramSender(bot),
        limiter,
        worker_id,
        _utc_now,
        batch=max(10, int(rate * 2)),
        concurrency=8,
        poll_interval=0.2,
    )
    stop = asyncio.Event()
    running = asyncio.create_task(worker.run(stop))
    limit = time.monotonic() + deadline
    try:
        while time.monotonic() < limit and not running.done():
            await asyncio.sleep(0.25)
            counts = await _counts(engine)
            if counts["pending"] == 0 and counts["sending"] == 0:
                break
    finally:
        stop.set()
        await running
        await bot.session.close()
        await engine.dispose()
        if redis is not None:
            await redis.aclose()
    return dict(worker.stats)


async def _cleanup(engine: AsyncEngine) -> None:
    from storage.database import session_factory

    async with session_factory(engine)() as session, session.begin():
        await session.execute(delete(DeliveryRow).where(DeliveryRow.kind == KIND))


async def _redis_prefix(redis_url: str | None) -> str:
    """Check that Redis answers; the keys of this run (a prefix of its own)."""
    if redis_url is None:
        return ""
    from redis.asyncio import Redis
    from redis.exceptions import RedisError

    from bot.serving.process import shown_redis_url

    try:
        redis = Redis.from_url(redis_url, socket_connect_timeout=2.0, socket_timeout=2.0)
    except ValueError as error:
        raise ValueError(f"--redis-url: {error}") from None
    try:
        await redis.ping()
    except (RedisError, OSError) as error:
        raise ValueError(f"cannot reach Redis at {shown_redis_url(redis_url)}: {error}") from None
    finally:
        await redis.aclose()
    return f"pixbot-bench:{{{secrets.token_hex(4)}}}:"


async def _forget(redis_url: str | None, prefix: str) -> None:
    """Delete the run's keys (they would expire within a minute anyway)."""
    if redis_url is None:
        return
    from redis.asyncio import Redis

    redis = Redis.from_url(redis_url)
    try:
        keys = [key async for key in redis.scan_iter(match=f"{prefix}*")]
        if keys:
            await redis.delete(*keys)
    finally:
        await redis.aclose()


async def broadcast(
    groups: int,
    workers: int,
    rate: float,
    database_url: str | None,
    redis_url: str | None = None,
) -> dict[str, Any]:
    from storage.database import create_engine

    folder = None
    if database_url is None:
        folder = tempfile.mkdtemp(prefix="pixbot-bench-")
        database_url = f"sqlite+aiosqlite:///{os.path.join(folder, 'bench.db')}"
    backend = make_url(database_url).get_backend_name()
    if workers > 1 and backend == "sqlite":
        raise ValueError(
            "--workers 2 needs a PostgreSQL --database-url: SQLite serves one process "
            "(e.g. --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/bench)"
        )
    prefix = await _redis_prefix(redis_url)
    expected = groups / rate
    deadline = expected * 3 + 60
    engine = create_engine(database_url)
    server = FakeBotApi(planned=groups, lifetime=deadline + 30)
    try:
        await _migrate(engine)
        await server.start()
        stats: Counter[str] = Counter()
        if workers == 1:
            _warm_up()
            await _prepare(engine, groups)
            started = time.monotonic()
            stats.update(
                await run_worker(
                    database_url, server.url, rate, "bench-1", deadline, redis_url, prefix
                )
            )
        else:
            processes = await _start_processes(
                database_url, server.url, rate, workers, deadline, redis_url, prefix
            )
            await _prepare(engine, groups)
            started = time.monotonic()
            stats.update(await _finish_processes(processes, deadline))
        elapsed = time.monotonic() - started
        counts = await _counts(engine)
        await _cleanup(engine)
    finally:
        await server.stop()
        await engine.dispose()
        await _forget(redis_url, prefix)
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
    span = (max(server.requests) - min(server.requests)) if len(server.requests) > 1 else 0.0
    settled = counts["sent"] + counts["deactivated"]
    # Spaced sends: n requests over (n - 1) intervals.
    achieved = (len(server.requests) - 1) / span if span > 0 else 0.0
    return {
        "database": backend,
        "workers": workers,
        "limiter": "redis" if redis_url else "process",
        "limit_per_second": rate,
        "planned": groups,
        "delivered": counts["sent"],
        "deactivated": counts["deactivated"],
        "duplicates": server.duplicates(),
        "failed": counts["failed"],
        "unsettled": counts["pending"] + counts["sending"],
        "requests": len(server.requests),
        "answered_429": server.floods,
        "elapsed_s": round(elapsed, 2),
        "sending_span_s": round(span, 2),
        "achieved_per_second": round(achieved, 2),
        "achieved_share": round(achieved / rate, 4),
        "rows_per_second": round(settled / elapsed, 2) if elapsed else 0.0,
        "peak_1s": server.peak(),
        "ok": settled == groups and server.duplicates() == 0 and achieved >= 0.95 * rate,
        "worker_stats": dict(stats),
    }


async def _start_processes(
    database_url: str,
    api_base: str,
    rate: float,
    workers: int,
    deadline: float,
    redis_url: str | None = None,
    redis_prefix: str = "",
) -> list[asyncio.subprocess.Process]:
    """Start the worker processes and wait until each has imported everything and says so.
    Without Redis each gets a share of the rate; with it, they share one limiter at the rate."""
    share = rate if redis_url else rate / workers
    shared = ["--redis-url", redis_url, "--redis-prefix", redis_prefix] if redis_url else []
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.lab.bench.broadcast",
            "--worker",
            "--database-url",
            database_url,
            "--api-base",
            api_base,
            "--rate",
            str(share),
            "--worker-id",
            f"bench-{index + 1}",
            "--deadline",
            str(deadline),
            *shared,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        for index in range(workers)
    ]
    for process in processes:
        assert process.stdout is not None
        line = await asyncio.wait_for(process.stdout.readline(), 120)
        if line.strip() != b"ready":
            raise RuntimeError(f"a worker process did not start: {line!r}")
    return processes


async def _finish_processes(
    processes: list[asyncio.subprocess.Process], deadline: float
) -> Counter[str]:
    for process in processes:  # go
        assert process.stdin is not None
        process.stdin.write(b"go\n")
        await process.stdin.drain()
    stats: Counter[str] = Counter()
    for process in processes:
        try:
            out, _ = await asyncio.wait_for(process.communicate(), deadline + 30)
        except TimeoutError:
            process.kill()
            await process.wait()
            continue
        if process.returncode == 0 and out.strip():
            stats.update(json.loads(out.decode().strip().splitlines()[-1]))
    return stats


def format_table(result: dict[str, Any]) -> str:
    rate = result["limit_per_second"]
    limiter = "one limiter in Redis" if result["limiter"] == "redis" else "limiter per process"
    lines = [
        f"broadcast: {result['planned']} groups, {result['workers']} worker(s), "
        f"{result['database']}, {limiter}, limit {rate:g}/s",
        f"{'planned':<14}{result['planned']:>10}",
        f"{'delivered':<14}{result['delivered']:>10}",
        f"{'deactivated':<14}{result['deactivated']:>10}",
        f"{'duplicates':<14}{result['duplicates']:>10}",
        f"{'failed':<14}{result['failed']:>10}",
        f"{'unsettled':<14}{result['unsettled']:>10}",
        f"{'429 answered':<14}{result['answered_429']:>10}",
        f"{'elapsed':<14}{result['elapsed_s']:>8.1f} s",
        f"{'achieved':<14}{result['achieved_per_second']:>6.2f}/s  "
        f"{100 * result['achieved_share']:.1f} % of {rate:g}/s "
        f"(requests over {result['sending_span_s']:.1f} s of sending)",
        f"{'peak 1 s':<14}{result['peak_1s']:>10} requests",
        f"{'goal':<14}{'met' if result['ok'] else 'NOT met':>10}",
    ]
    return "\n".join(lines)


def run_broadcast(
    groups: int,
    workers: int,
    rate: float,
    database_url: str | None,
    as_json: bool,
    redis_url: str | None = None,
) -> int:
    """The CLI entry: prints the table (or JSON); 0 when the goal is met, 1 if not, 2 on misuse.
    With ``redis_url`` the workers share one limiter in Redis."""
    logging.basicConfig(level=logging.ERROR)
    if groups < 1 or workers < 1 or rate <= 0:
        print("--groups, --workers and --rate must be positive", file=sys.stderr)
        return 2
    try:
        result = asyncio.run(broadcast(groups, workers, rate, database_url, redis_url or None))
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    print(json.dumps(result, indent=2) if as_json else format_table(result))
    return 0 if result["ok"] else 1


def _worker_main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.lab.bench.broadcast")
    parser.add_argument("--worker", action="store_true", required=True)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--api-base", required=True)
    parser.add_argument("--rate", type=float, required=True)
    parser.add_argument("--worker-id", required=True)
    parser.add_argument("--deadline", type=float, default=600.0)
    parser.add_argument("--redis-url", default=None)
    parser.add_argument("--redis-prefix", default="")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    _warm_up()
    print("ready", flush=True)
    sys.stdin.readline()  # the bench has planned the rows: go
    stats = asyncio.run(
        run_worker(
            args.database_url,
            args.api_base,
            args.rate,
            args.worker_id,
            args.deadline,
            args.redis_url,
            args.redis_prefix,
        )
    )
    print(json.dumps(stats))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(_worker_main())
