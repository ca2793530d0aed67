"""Tables and queries of the delivery feature (on storage.base.Base).

Every scheduled send (a daily tip, a quiz, a reminder, a one-off message) is a row of
``deliveries``. Planning the same send twice is harmless: ``dedupe_key`` is unique, so
:func:`enqueue` creates one row. Workers (``bot.delivery.worker``) :func:`claim` due rows with a
lease, send them, and record the outcome with :func:`mark_sent`, :func:`mark_retry`,
:func:`mark_failed` or :func:`mark_deactivated`; a worker that dies leaves rows whose lease
expires, and the next claim takes them again (at-least-once delivery).

Statuses: ``pending`` (waiting for ``due_at``), ``sending`` (claimed until ``claimed_until``),
``sent``, ``failed`` (gave up after retries), ``deactivated`` (the chat blocked or kicked the bot).

All datetimes are stored in UTC; SQLite hands them back naive (see :func:`storage.mapping.aware`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Index,
    Integer,
    String,
    and_,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, Id

PENDING: Final = "pending"
SENDING: Final = "sending"
SENT: Final = "sent"
FAILED: Final = "failed"
DEACTIVATED: Final = "deactivated"
STATUSES: Final = (PENDING, SENDING, SENT, FAILED, DEACTIVATED)
ERROR_LIMIT: Final = 200


class DeliveryRow(Base):
    """One scheduled send. ``payload`` is what to send:

    * ``{"text": <Telegram HTML>, "buttons": [[{"label": ..., "data": ...} | {"label", "url"}]]}``
    * ``{"poll": {"question", "options", "correct_option_ids", "explanation", "open_period"}}``
    """

    __tablename__ = "deliveries"
    __table_args__ = (Index("ix_deliveries_status_due_at", "status", "due_at"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    kind: Mapped[str] = mapped_column(String(16))  # tip, quiz, message, reminder...
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    dedupe_key: Mapped[str] = mapped_column(String(160), unique=True)
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(ERROR_LIMIT))
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _error(text: str) -> str:
    return text[:ERROR_LIMIT]


async def enqueue(
    session: AsyncSession,
    chat_id: int,
    kind: str,
    payload: dict[str, Any],
    due_at: datetime,
    dedupe_key: str,
    *,
    now: datetime | None = None,
) -> bool:
    """Plan a send; False when a row with ``dedupe_key`` already exists.

    Uses ``INSERT … ON CONFLICT (dedupe_key) DO NOTHING``, so a duplicate never aborts the
    caller's transaction. The caller commits. ``dedupe_key`` (≤ 160 characters) names the send,
    e.g. ``"tip:-1001234:2026-11-25"``.
    """
    if len(dedupe_key) > 160:
        raise ValueError("dedupe_key is longer than 160 characters")
    values = {
        "chat_id": chat_id,
        "kind": kind,
        "payload": payload,
        "dedupe_key": dedupe_key,
        "due_at": _utc(due_at),
        "status": PENDING,
        "attempts": 0,
        "created_at": _utc(now or datetime.now(UTC)),
    }
    dialect = session.get_bind().dialect.name
    insert: Any
    if dialect == "postgresql":
        insert = postgresql.insert(DeliveryRow)
    elif dialect == "sqlite":
        insert = sqlite.insert(DeliveryRow)
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        raise NotImplementedError(dialect)
    statement = (
        insert.values(**values)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(DeliveryRow.id)
    )
    inserted = (await session.execute(statement)).scalar_one_or_none()
    return inserted is not None


async def claim(
    session: AsyncSession,
    worker_id: str,
    now: datetime,
    limit: int,
    lease: timedelta,
) -> list[DeliveryRow]:
    """Move up to ``limit`` due rows to ``sending`` for ``worker_id`` until ``now + lease``.

    Due rows are pending rows with ``due_at <= now`` and sending rows whose lease expired (their
    worker died), oldest first. On PostgreSQL ``SELECT … FOR UPDATE SKIP LOCKED`` then
    ``UPDATE``, so concurrent claimers skip each other's rows; on SQLite one ``UPDATE … WHERE id
    IN (SELECT … LIMIT n) RETURNING …`` under the write lock (BEGIN IMMEDIATE), so claimers take
    turns. Commit right after, before sending, so the claim is visible to other workers.
    """
    now = _utc(now)
    due = or_(
        and_(DeliveryRow.status == PENDING, DeliveryRow.due_at <= now),
        and_(DeliveryRow.status == SENDING, DeliveryRow.claimed_until < now),
    )
    chosen: Any = (
        select(DeliveryRow.id).where(due).order_by(DeliveryRow.due_at, DeliveryRow.id).limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        # Lock the chosen rows first (skipping rows another claimer holds), then update them.
        # A single UPDATE … IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED) may run the subquery
        # more than once and take more than n rows.
        chosen = list((await session.scalars(chosen.with_for_update(skip_locked=True))).all())
        if not chosen:
            return []
    statement = (
        update(DeliveryRow)
        .where(DeliveryRow.id.in_(chosen), due)
        .values(status=SENDING, claimed_by=worker_id, claimed_until=now + lease)
        .returning(DeliveryRow)
        .execution_options(synchronize_session=False, populate_existing=True)
    )
    rows = list((await session.scalars(statement)).all())
    rows.sort(key=lambda row: (_utc(row.due_at), row.id))
    return rows


def _mine(delivery_id: int, worker_id: str) -> Any:
    return and_(
        DeliveryRow.id == delivery_id,
        DeliveryRow.status == SENDING,
        DeliveryRow.claimed_by == worker_id,
    )


async def _update(session: AsyncSession, where: Any, **values: Any) -> int:
    result: Any = await session.execute(
        update(DeliveryRow)
        .where(where)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)


async def mark_sent(
    session: AsyncSession, delivery_id: int, worker_id: str, now: datetime, message_id: int | None
) -> bool:
    """Record a successful send; False if the row is no longer claimed by ``worker_id``."""
    return (
        await _update(
            session,
            _mine(delivery_id, worker_id),
            status=SENT,
            sent_at=_utc(now),
            message_id=message_id,
            claimed_until=None,
        )
        == 1
    )


async def mark_retry(
    session: AsyncSession,
    delivery_id: int,
    worker_id: str,
    due_at: datetime,
    error: str,
    *,
    count: bool = True,
) -> bool:
    """Put a claimed row back to pending, due at ``due_at`` (the backoff already applied).

    ``count`` adds one to ``attempts`` (a failure); False only postpones (a 429, a busy chat).
    """
    values: dict[str, Any] = {
        "status": PENDING,
        "due_at": _utc(due_at),
        "last_error": _error(error),
        "claimed_by": None,
        "claimed_until": None,
    }
    if count:
        values["attempts"] = DeliveryRow.attempts + 1
    return await _update(session, _mine(delivery_id, worker_id), **values) == 1


async def mark_failed(session: AsyncSession, delivery_id: int, worker_id: str, error: str) -> bool:
    """Give up on a claimed row (attempts + 1, status failed)."""
    return (
        await _update(
            session,
            _mine(delivery_id, worker_id),
            status=FAILED,
            attempts=DeliveryRow.attempts + 1,
            last_error=_error(error),
            claimed_until=None,
        )
        == 1
    )


async def mark_deactivated(
    session: AsyncSession, chat_id: int, error: str, delivery_id: int | None = None
) -> int:
    """The chat blocked or kicked the bot: mark row ``delivery_id`` and every pending row of
    ``chat_id`` deactivated. Returns how many rows changed."""
    target = and_(DeliveryRow.chat_id == chat_id, DeliveryRow.status == PENDING)
    if delivery_id is not None:
        target = or_(target, DeliveryRow.id == delivery_id)
    return await _update(
        session, target, status=DEACTIVATED, last_error=_error(error), claimed_until=None
    )


async def rechat(session: AsyncSession, old_chat_id: int, new_chat_id: int) -> int:
    """A group became a supergroup: pending and sending rows of ``old_chat_id`` move to
    ``new_chat_id``. Returns how many rows moved."""
    return await _update(
        session,
        and_(DeliveryRow.chat_id == old_chat_id, DeliveryRow.status.in_((PENDING, SENDING))),
        chat_id=new_chat_id,
    )


async def release(session: AsyncSession, delivery_ids: Sequence[int], worker_id: str) -> int:
    """Hand claimed rows that were not sent back to pending at once (a graceful stop), instead
    of letting their lease expire."""
    if not delivery_ids:
        return 0
    return await _update(
        session,
        and_(
            DeliveryRow.id.in_(list(delivery_ids)),
            DeliveryRow.status == SENDING,
            DeliveryRow.claimed_by == worker_id,
        ),
        status=PENDING,
        claimed_by=None,
        claimed_until=None,
    )


async def counts(session: AsyncSession, kind: str | None = None) -> dict[str, int]:
    """Rows per status (every status present, zeros included), optionally of one ``kind``."""
    statement = select(DeliveryRow.status, func.count()).group_by(DeliveryRow.status)
    if kind is not None:
        statement = statement.where(DeliveryRow.kind == kind)
    result = dict.fromkeys(STATUSES, 0)
    for status, number in (await session.execute(statement)).all():
        result[status] = int(number)
    return result
