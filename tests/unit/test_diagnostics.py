"""`kill -USR1` on a running bot logs what each task waits on, and the bot keeps running."""

from __future__ import annotations

import asyncio
import logging
import os
import signal

import pytest

from bot.serving import diagnostics


async def test_usr1_logs_each_task_with_where_it_waits(caplog: pytest.LogCaptureFixture) -> None:
    never = asyncio.Event()

    async def waiting_for_a_reply() -> None:
        await never.wait()

    task = asyncio.create_task(waiting_for_a_reply(), name="a-stuck-update")
    diagnostics.on_signal()
    try:
        await asyncio.sleep(0)
        with caplog.at_level(logging.WARNING, logger="bot.serving.diagnostics"):
            os.kill(os.getpid(), signal.SIGUSR1)
            for _ in range(100):
                if caplog.records:
                    break
                await asyncio.sleep(0.01)
    finally:
        diagnostics.off_signal()
        task.cancel()
    (record,) = caplog.records
    assert "a-stuck-update" in record.getMessage()
    assert "in waiting_for_a_reply" in record.getMessage()  # the frame it is suspended in
    assert not task.done() or task.cancelled()  # looked at, not disturbed
