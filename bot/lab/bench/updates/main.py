"""``pixbot bench updates``: every database's runs, and the command's entry."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
from collections.abc import Sequence
from typing import Any

from bot.lab.bench.updates.bots import SQLITE, Database
from bot.lab.bench.updates.flood import FLOOD_SECONDS, FLOOD_UPDATES, run_flood
from bot.lab.bench.updates.learners import MAX_LEARNERS
from bot.lab.bench.updates.report import compare, format_table
from bot.lab.bench.updates.runs import run_durable_echo, run_echo, run_pixbot
from bot.lab.bench.updates.session import THROTTLE_EVERY


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
) -> dict[str, Any]:
    """For each database: pixbot, then the echo ceiling right after it (the machine's load
    changes; the share compares two runs made under the same load), then the durable echo:
    the echo bot claiming each update in the database first, the floor of any bot that
    handles a redelivered update once. With ``flooders``: the flood scenario instead, once
    per database (``floods``), every ``throttle_every``-th message or edit answered 429."""
    warmup = learners if warmup is None else warmup
    runs: list[dict[str, Any]] = []
    comparisons: list[dict[str, Any]] = []
    floods: list[dict[str, Any]] = []
    load_before = os.getloadavg()
    for url in database_urls:
        if flooders > 0:
            flood = await run_flood(
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
        database = Database.open(url)
        pixbot = (await run_pixbot(database, learners, updates, warmup, think, seed)).summary()
        echo = (await run_echo(database.label, learners, updates, warmup, think, seed)).summary()
        floor = await run_durable_echo(Database.open(url), learners, updates, warmup, think, seed)
        durable = floor.summary()
        runs += [pixbot, echo, durable]
        comparisons.append(compare(pixbot, echo, durable, think))
    return {
        "learners": learners,
        "updates": updates,
        "warmup": warmup,
        "think_s": think,
        "seed": seed,
        "cpus": os.cpu_count(),
        "load_before": [round(value, 2) for value in load_before],
        "load_after": [round(value, 2) for value in os.getloadavg()],
        "runs": runs,
        "comparisons": comparisons,
        "flooders": flooders,
        "flood_updates": flood_updates if flooders else 0,
        "flood_seconds": flood_seconds if flooders else 0.0,
        "throttle_every": throttle_every if flooders else 0,
        "floods": floods,
    }


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
) -> int:
    """The CLI entry: prints the table (or JSON); 0 when every update was handled without
    error, 1 otherwise, 2 on misuse. Goals are reported, not enforced (a shared machine).
    ``flooders``: the flood scenario instead of the comparison with the echo bots, every
    ``throttle_every``-th message or edit answered 429 (0: none)."""
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
    urls = list(database_urls or [SQLITE])
    try:
        result = asyncio.run(
            bench_updates(
                learners,
                updates,
                urls,
                warmup,
                think,
                seed,
                flooders=flooders,
                throttle_every=throttle_every,
            )
        )
    except (OSError, ValueError) as error:
        print(f"pixbot bench updates: {error}", file=sys.stderr)
        return 2
    print(json.dumps(result, indent=2) if as_json else format_table(result))
    clean = all(
        run["errors"] == 0 and run["unanswered"] == 0 for run in result["runs"] + result["floods"]
    )
    return 0 if clean else 1
