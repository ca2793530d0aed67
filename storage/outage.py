"""Telling a database out of reach from a bug, for the operator's log.

While the database restarts or fails over, every loop that touches it fails for a while: each
failure is worth one line ("database unavailable: connection is closed"), not a traceback per
poll that buries the log. A statement's own fault (a constraint, bad SQL, bad data) is a bug and
keeps its traceback."""

from __future__ import annotations

import logging

from sqlalchemy.exc import (
    DataError,
    DBAPIError,
    IntegrityError,
    NotSupportedError,
    ProgrammingError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout

# DBAPI errors that a statement causes by itself, whatever the state of the database
_STATEMENT_FAULTS = (DataError, IntegrityError, NotSupportedError, ProgrammingError)


def is_outage(error: BaseException) -> bool:
    """Whether ``error`` says the database could not be reached or used (connection refused,
    dropped or closed, no connection free in the pool, a timeout), rather than a bug."""
    if isinstance(error, DBAPIError):
        return error.connection_invalidated or not isinstance(error, _STATEMENT_FAULTS)
    # PoolTimeout: no connection free within the pool timeout (overloaded, or the database hangs)
    return isinstance(error, PoolTimeout | OSError | TimeoutError)


def log_failure(logger: logging.Logger, what: str, error: BaseException) -> bool:
    """Log that ``what`` failed: one line for an outage, the traceback for anything else.
    Returns whether it was an outage."""
    if is_outage(error):
        logger.error("%s: database unavailable: %s", what, _first_line(error))
        return True
    logger.error("%s: %r", what, error, exc_info=error)
    return False


def _first_line(error: BaseException) -> str:
    # SQLAlchemy's message goes on with the statement and a link: the first line says it all
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
