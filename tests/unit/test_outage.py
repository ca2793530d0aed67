"""A database out of reach is one log line per failure, not a traceback per poll; a bug keeps
its traceback. A CI run failed on the delivery worker's traceback while PostgreSQL was down."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError, ProgrammingError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot.delivery import DeliveryWorker, RateLimiter
from storage.outage import is_outage, log_failure

CLOSED = InterfaceError(
    "SELECT deliveries.id FROM deliveries", {}, Exception("connection is closed")
)


def _logged(error: Exception) -> bool:
    """Log ``error`` as the loops do: raised, caught, then logged (so it has a traceback)."""
    try:
        raise error
    except Exception as caught:
        return log_failure(logging.getLogger("pixbot.test"), "sending reminders", caught)


@pytest.mark.parametrize(
    "error",
    [
        CLOSED,
        OperationalError("SELECT 1", {}, Exception("server closed the connection")),
        PoolTimeout("QueuePool limit of size 5 overflow 0 reached"),
        ConnectionRefusedError(111, "Connect call failed"),
        TimeoutError(),
    ],
)
def test_an_outage_is_one_line(error: Exception, caplog: pytest.LogCaptureFixture) -> None:
    assert is_outage(error)
    assert _logged(error)
    (record,) = caplog.records
    assert "Traceback" not in caplog.text
    assert record.getMessage().startswith("sending reminders: database unavailable")
    assert "\n" not in record.getMessage()


@pytest.mark.parametrize(
    "error",
    [
        IntegrityError("INSERT", {}, Exception("duplicate key")),
        ProgrammingError("SELEC", {}, Exception("syntax error")),
        KeyError("track"),
    ],
)
def test_a_bug_keeps_its_traceback(error: Exception, caplog: pytest.LogCaptureFixture) -> None:
    assert not is_outage(error)
    assert not _logged(error)
    (record,) = caplog.records
    assert "Traceback" in caplog.text
    assert "database unavailable" not in record.getMessage()


class _Unreachable:
    """A session factory while PostgreSQL is down: every session fails on its first use."""

    def __call__(self) -> Any:
        return self

    async def __aenter__(self) -> Any:
        raise CLOSED

    async def __aexit__(self, *exc: object) -> None:
        return None


async def test_the_delivery_worker_logs_a_line_per_failed_claim(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.ERROR)
    limiter = RateLimiter(25)
    worker = DeliveryWorker(
        _Unreachable(),  # type: ignore[arg-type]
        sender=None,  # type: ignore[arg-type]
        limiter=limiter,
        worker_id="w",
        clock=lambda: datetime.now(UTC),
        poll_interval=0.01,
    )
    stop = asyncio.Event()
    running = asyncio.create_task(worker.run(stop))
    await asyncio.sleep(0.1)
    stop.set()
    await running
    claims = [r for r in caplog.records if r.getMessage().startswith("claiming deliveries")]
    assert len(claims) >= 2  # it kept polling
    assert (
        claims[0]
        .getMessage()
        .endswith("database unavailable: (builtins.Exception) connection is closed")
    )
    assert "Traceback" not in caplog.text
