"""``kill -USR1 <pid>`` logs what each of a running bot's tasks is waiting on: an operator's
look inside a worker that seems stuck, without stopping it (faulthandler shows threads, not
asyncio tasks)."""

from __future__ import annotations

import asyncio
import io
import logging
import signal

log = logging.getLogger(__name__)


def log_tasks() -> None:
    """Log every pending task of the running loop with the stack it is suspended in."""
    tasks = asyncio.all_tasks()
    out = io.StringIO()
    for task in sorted(tasks, key=lambda t: t.get_name()):
        task.print_stack(limit=12, file=out)
    log.warning("%d tasks:\n%s", len(tasks), out.getvalue())


def on_signal() -> None:
    """Log the tasks at each SIGUSR1 (until :func:`off_signal`)."""
    asyncio.get_running_loop().add_signal_handler(signal.SIGUSR1, log_tasks)


def off_signal() -> None:
    asyncio.get_running_loop().remove_signal_handler(signal.SIGUSR1)
