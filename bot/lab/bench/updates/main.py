"""``pixbot bench updates``: every database's and runtime's runs, and the command's entry."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
from collections.abc import Sequence
from typing import Any

from bot.lab.bench.updates.api import THROTTLE_EVERY
from bot.lab.bench.updates.database import SQLITE, Database
from bot.lab.bench.updates.flood import FLOOD_SECONDS, FLOOD_UPDATES, run_flood
from bot.lab.bench.updates.idle import idle_rss
from bot.lab.bench.updates.learners import MAX_LEARNERS
from bot.lab.bench.updates.report import compare, compare_runtimes, format_table
from bot.lab.bench.updates.runs import run_durable_echo, run_echo, run_pixbot
from bot.lab.bench.updates.runtimes import RUNTIMES

BOTH = "both"  # --runtime both: every runtime, each in a process of its own


async def bench_updates(
    learners: int,
    updates: int,
    database_urls: Sequence[str] = (SQLITE,),
    warmup: int | None = None,
    think: float = 0.0,
    seed: int = 1,
    flooders: int = 0,
    flood_updates: int = FLOOD_UPDATES,
    flood_seconds: float = FLOOD_SECONDS,
    throttle_every: int = THROTTLE_EVERY,
    runtimes: Sequence[str] = RUNTIMES,
    idle: bool = True,
) -> dict[str, Any]:
    """For each database and each runtime, in this process: pixbot, then the runtime's echo
    ceiling right after it (the machine's load changes; the share compares two runs made under
    the same load), then the durable echo: the echo bot claiming each update in the database
    first, the floor of any bot that handles a redelivered update once; and with ``idle``, the
    runtime's memory at rest, each measured in a fresh process. With ``flooders``: the flood
    scenario instead, once per database and runtime (``floods``), every ``throttle_every``-th
    message or edit answered 429."""
    warmup = learners if warmup is None else warmup
    runs: list[dict[str, Any]] = []
    comparisons: list[dict[str, Any]] = []
    floods: list[dict[str, Any]] = []
    idles: list[dict[str, Any]] = []
    load_before = os.getloadavg()
    for url in database_urls:
        for runtime in runtimes:
            if flooders > 0:
                flood = await run_flood(
                    runtime,
                    Database.open(url),
                    learners,
                    flooders,
                    updates,
                    warmup,
                    think,
                    seed,
                    flood_updates,
                    flood_seconds,
                    throttle_every,
                )
                floods.append(flood.summary())
                continue
            if idle:
                idles.append(await idle_rss(runtime, url))
            database = Database.open(url)
            pixbot = await run_pixbot(runtime, database, learners, updates, warmup, think, seed)
            echo = await run_echo(runtime, database.label, learners, updates, warmup, think, seed)
            floor = await run_durable_echo(
                runtime, Database.open(url), learners, updates, warmup, think, seed
            )
            writing = await run_durable_echo(
                runtime, Database.open(url), learners, updates, warmup, think, seed, writes=1
            )
            showing = await run_durable_echo(
                runtime,
                Database.open(url),
                learners,
                updates,
                warmup,
                think,
                seed,
                writes=1,
                shown=True,
            )
            summaries = (
                pixbot.summary(),
                echo.summary(),
                floor.summary(),
                writing.summary(),
                showing.summary(),
            )
            runs += summaries
            comparisons.append(compare(*summaries, think=think))
    return result_of(
        learners,
        updates,
        warmup,
        think,
        seed,
        list(runtimes),
        load_before,
        runs,
        comparisons,
        idles,
        flooders,
        flood_updates,
        flood_seconds,
        throttle_every,
        floods,
        [this_process(runtimes)],
    )


def this_process(runtimes: Sequence[str]) -> dict[str, Any]:
    """Which runtimes ran in this process, and which Telegram libraries it had imported."""
    loaded = [library for library in ("aiogram", "telegram") if library in sys.modules]
    return {"pid": os.getpid(), "runtimes": list(runtimes), "libraries": loaded}


def result_of(
    learners: int,
    updates: int,
    warmup: int,
    think: float,
    seed: int,
    runtimes: list[str],
    load_before: Sequence[float],
    runs: list[dict[str, Any]],
    comparisons: list[dict[str, Any]],
    idles: list[dict[str, Any]],
    flooders: int,
    flood_updates: int,
    flood_seconds: float,
    throttle_every: int,
    floods: list[dict[str, Any]],
    processes: list[dict[str, Any]],
    apart: bool = False,
) -> dict[str, Any]:
    """The command's JSON; ``apart``: each runtime ran in a process of its own."""
    return {
        "learners": learners,
        "updates": updates,
        "warmup": warmup,
        "think_s": think,
        "seed": seed,
        "runtimes": runtimes,
        "apart": apart,
        "processes": processes,
        "cpus": os.cpu_count(),
        "load_before": [round(value, 2) for value in load_before],
        "load_after": [round(value, 2) for value in os.getloadavg()],
        "runs": runs,
        "comparisons": comparisons,
        "idle": idles,
        "runtime_comparisons": compare_runtimes(runs, idles),
        "flooders": flooders,
        "flood_updates": flood_updates if flooders else 0,
        "flood_seconds": flood_seconds if flooders else 0.0,
        "throttle_every": throttle_every if flooders else 0,
        "floods": floods,
    }


async def bench_apart(
    learners: int,
    updates: int,
    database_urls: Sequence[str],
    warmup: int | None,
    think: float,
    seed: int,
    flooders: int,
    throttle_every: int,
    runtimes: Sequence[str],
) -> dict[str, Any]:
    """``bench_updates`` with each database's runtimes in a process of their own (``pixbot
    bench updates --runtime R --json``), one after the other, database by database: a runtime's
    runs then see only its own library imported, its own heap and its own collector, and the
    runs' RSS is its process's."""
    warmup = learners if warmup is None else warmup
    load_before = os.getloadavg()
    parts: list[dict[str, Any]] = []
    for url in database_urls:
        for runtime in runtimes:
            argv = [
                "--learners", str(learners), "--updates", str(updates),
                "--database-url", url, "--warmup", str(warmup), "--think", str(think),
                "--seed", str(seed), "--flooders", str(flooders),
                "--throttle-every", str(throttle_every), "--runtime", runtime, "--json",
            ]  # fmt: skip
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "bench", "updates", *argv,
                stdout=asyncio.subprocess.PIPE,
            )  # fmt: skip
            out, _ = await process.communicate()  # its warnings go to this process's stderr
            if process.returncode not in (0, 1):
                raise OSError(f"the {runtime} runs on {url} failed (exit {process.returncode})")
            parts.append(json.loads(out))
    first = parts[0]

    def every(key: str) -> list[dict[str, Any]]:
        return [item for part in parts for item in part[key]]

    return result_of(
        learners,
        updates,
        warmup,
        think,
        seed,
        list(runtimes),
        load_before,
        every("runs"),
        every("comparisons"),
        every("idle"),
        flooders,
        first["flood_updates"],
        first["flood_seconds"],
        throttle_every,
        every("floods"),
        every("processes"),
        apart=True,
    )


def run_updates(
    learners: int,
    updates: int,
    database_urls: Sequence[str] | None,
    as_json: bool,
    warmup: int | None = None,
    think: float = 0.0,
    seed: int = 1,
    flooders: int = 0,
    throttle_every: int = THROTTLE_EVERY,
    runtime: str = BOTH,
) -> int:
    """The CLI entry: prints the table (or JSON); 0 when every update was handled without
    error, 1 otherwise, 2 on misuse. Goals are reported, not enforced (a shared machine).
    ``flooders``: the flood scenario instead of the comparison with the echo bots, every
    ``throttle_every``-th message or edit answered 429 (0: none). ``runtime``: aiogram, ptb, or
    both (each then runs in a process of its own)."""
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("aiogram.event").setLevel(logging.WARNING)
    if not 1 <= learners <= MAX_LEARNERS or updates < learners:
        print(f"--learners from 1 to {MAX_LEARNERS}, --updates ≥ --learners", file=sys.stderr)
        return 2
    if (warmup is not None and warmup < 0) or think < 0 or flooders < 0 or throttle_every < 0:
        print(
            "--warmup, --think, --flooders and --throttle-every cannot be negative",
            file=sys.stderr,
        )
        return 2
    if runtime != BOTH and runtime not in RUNTIMES:
        print(f"--runtime: one of {', '.join(RUNTIMES)} or {BOTH}", file=sys.stderr)
        return 2
    urls = list(database_urls or [SQLITE])
    runtimes = list(RUNTIMES) if runtime == BOTH else [runtime]
    try:
        if len(runtimes) > 1:
            work = bench_apart(
                learners, updates, urls, warmup, think, seed, flooders, throttle_every, runtimes
            )
        else:
            work = bench_updates(
                learners,
                updates,
                urls,
                warmup,
                think,
                seed,
                flooders=flooders,
                throttle_every=throttle_every,
                runtimes=runtimes,
            )
        result = asyncio.run(work)
    except (OSError, ValueError) as error:
        print(f"pixbot bench updates: {error}", file=sys.stderr)
        return 2
    print(json.dumps(result, indent=2) if as_json else format_table(result))
    clean = all(
        run["errors"] == 0 and run["unanswered"] == 0 for run in result["runs"] + result["floods"]
    )
    return 0 if clean else 1
