"""Shares: a result card or the profile picture sent to its owner, which inline mode sends
again by its token (the photo's Telegram file id is recorded once sent). Erased and exported
with the person through its user_id. Mixed into SqlStore as SharingQueries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, String, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.core.sharing.ports import FILE_ID_LIMIT, Share, ShareKind
from storage.base import Base
from storage.mapping import aware


class ShareRow(Base):
    __tablename__ = "shares"

    token: Mapped[str] = mapped_column(String(16), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(8))
    competence: Mapped[str | None] = mapped_column(String(8))
    level: Mapped[int | None] = mapped_column(Integer)
    pix: Mapped[int] = mapped_column(Integer)
    file_id: Mapped[str | None] = mapped_column(String(FILE_ID_LIMIT))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SharingQueries:
    """Mixed into SqlStore: the SharingStore protocol of bot.core.sharing.ports."""

    session: AsyncSession

    async def add_share(self, share: Share) -> None:
        self.session.add(
            ShareRow(
                token=share.token,
                user_id=share.user_id,
                kind=str(share.kind),
                competence=share.competence,
                level=share.level,
                pix=share.pix,
                file_id=share.file_id,
                created_at=share.created_at,
            )
        )

    async def get_share(self, token: str) -> Share | None:
        row = await self.session.get(ShareRow, token)
        if row is None or row.kind not in set(ShareKind):  # a kind no version makes now
            return None
        return Share(
            row.token,
            row.user_id,
            ShareKind(row.kind),
            row.competence,
            row.level,
            row.pix,
            aware(row.created_at),
            row.file_id,
        )

    async def set_share_file(self, token: str, file_id: str) -> None:
        if len(file_id) > FILE_ID_LIMIT:
            return
        await self.session.execute(
            update(ShareRow).where(ShareRow.token == token).values(file_id=file_id)
        )
