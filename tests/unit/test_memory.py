"""The process's memory over a long run: the heap's free pages go back to the system."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from typing import Final

import pytest

from bot import memory

SCENARIO: Final = """
import numpy as np
from bot import memory
big = np.ones(2_000_000)
del big
kept, arrays = [], []
for index in range(200):
    arrays.append(np.ones(100_000))
    kept.append(bytes(1000) + bytes([index % 256]))
top = arrays[-1]  # in use at the top of the heap, as ever in a running bot
del arrays
before = memory.rss_mb()
print(memory.release_free_memory(), before - memory.rss_mb())
"""


def test_trimming_gives_back_the_holes_that_freed_arrays_leave_in_the_heap() -> None:
    # Freeing an mmapped block raises glibc's mmap threshold: later arrays of 800 KB come from
    # the heap, between small blocks that stay, as the engine's arrays do in the bot. A fresh
    # process, so that the heap is the scenario's alone.
    done = subprocess.run(
        [sys.executable, "-c", SCENARIO], capture_output=True, text=True, check=True, timeout=60
    )
    trimmed, given_back = done.stdout.split()
    assert trimmed == "True"
    assert float(given_back) > 100  # MB, of the 160 freed


async def test_the_trim_runs_every_interval_until_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    trims: list[float] = []
    monkeypatch.setattr(memory, "release_free_memory", lambda: trims.append(0.0) or True)
    stop = asyncio.Event()
    loop = asyncio.create_task(memory.trim_loop(stop, interval=0.01))
    await asyncio.sleep(0.1)
    stop.set()
    await asyncio.wait_for(loop, 1)
    assert 3 <= len(trims) <= 11
    count = len(trims)
    await asyncio.sleep(0.03)
    assert len(trims) == count  # stopped for good


async def test_the_trim_ends_where_there_is_nothing_to_trim(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(memory, "release_free_memory", lambda: False)
    await asyncio.wait_for(memory.trim_loop(asyncio.Event(), interval=0.01), 1)
