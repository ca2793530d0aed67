"""The python-telegram-bot 22 runtime: its updates in, core events; outcomes out through the
runtime-neutral serving path (:mod:`bot.serving`) with a PTB transport. ``server.serve`` is
`pixbot run` with TELEGRAM_LIBRARY=ptb."""

import os

# Opt in to PTB's coming durations (``RetryAfter.retry_after`` a timedelta). PTB 22 offers no
# other switch than this variable, which it reads each time such a value is made or read (not
# at import): a RetryAfter, made for each 429, reads it in its constructor and would warn every
# time. Set here, where the runtime is loaded, before it can make one; an operator's own value
# wins (``retry_seconds`` in ``transport.py`` reads either kind).
os.environ.setdefault("PTB_TIMEDELTA", "true")

from bot.adapters.ptb.application import PtbRuntime, build_application

__all__ = ["PtbRuntime", "build_application"]
