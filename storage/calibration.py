"""Reading answers for calibration and storing fitted item parameters."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.calibration import ItemFit, Response
from storage.models import AnswerRow, AttemptRow, ItemCalibrationRow


async def load_responses(session: AsyncSession) -> list[Response]:
    """Every answer, with its assessment as the measurement occasion."""
    rows = await session.execute(
        select(AttemptRow.assessment_id, AnswerRow.challenge_id, AnswerRow.correct).join(
            AttemptRow, AttemptRow.id == AnswerRow.attempt_id
        )
    )
    return [Response(str(occasion), item, bool(correct)) for occasion, item, correct in rows]


async def save_fits(session: AsyncSession, fits: Iterable[ItemFit], now: datetime) -> None:
    """Replace the stored calibration with this one."""
    await session.execute(delete(ItemCalibrationRow))
    session.add_all(
        ItemCalibrationRow(
            challenge_id=fit.item,
            difficulty=fit.difficulty,
            discrimination=fit.discrimination,
            responses=fit.responses,
            right_share=fit.right_share,
            flags=", ".join(fit.flags)[:200],
            calibrated_at=now,
        )
        for fit in fits
    )
    await session.flush()


async def load_overrides(session: AsyncSession) -> dict[str, tuple[float, float]]:
    """challenge id -> (difficulty, discrimination)."""
    rows = await session.execute(
        select(
            ItemCalibrationRow.challenge_id,
            ItemCalibrationRow.difficulty,
            ItemCalibrationRow.discrimination,
        )
    )
    return {item: (difficulty, discrimination) for item, difficulty, discrimination in rows}
