"""The python-telegram-bot 22 runtime: its updates in, core events; outcomes out through the
runtime-neutral serving path (:mod:`bot.serving`) with a PTB transport."""

import os

# Opt in to PTB's coming durations (``RetryAfter.retry_after`` a timedelta): without it, PTB 22
# warns at each 429 it parses.
os.environ.setdefault("PTB_TIMEDELTA", "true")

from bot.adapters.ptb.application import PtbRuntime, build_application

__all__ = ["PtbRuntime", "build_application"]
