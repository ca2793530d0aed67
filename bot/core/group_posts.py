"""A post an educator sends into one of their groups: a library tip, a campaign's join link,
the tutorials a class should work on. One rule for all of them: the group still has the bot,
the person administers it now (asked of the messenger, not remembered: an administrator
removed since is refused), and the same post reaches a group at most once a day in the group's
own time zone, through the delivery engine (a restart or a second worker sends it once)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Final

from bot.core.groups.ports import GroupSettings
from bot.core.library.ports import GroupAdmins
from bot.core.ports import Store
from bot.core.timezones import zone

GROUPS_SHOWN: Final = 20  # an educator's groups offered to post into: one keyboard's worth


class Posted(StrEnum):
    SENT = "sent"
    ALREADY = "already_sent"  # the same post reached that group today
    NOT_ADMIN = "not_admin"  # checked with the messenger now, not from memory
    GONE = "group_gone"  # the bot left the group, or it is unknown


@dataclass(frozen=True)
class GroupPost:
    posted: Posted
    group: GroupSettings | None  # None when the group is unknown


async def post_in_group(
    store: Store,
    admins: GroupAdmins,
    chat_id: int,
    user_id: int,
    kind: str,
    key: str,
    payload: Callable[[GroupSettings], Awaitable[dict[str, Any]]],
    now: datetime,
) -> GroupPost:
    """Queue ``payload(group)`` for the group ``chat_id`` as a delivery of ``kind``, on behalf
    of ``user_id``; ``key`` names the post (the day is added to it)."""
    group = await store.get_group(chat_id)
    if group is None or not group.active:
        return GroupPost(Posted.GONE, group)
    if not await admins.is_admin(chat_id, user_id):
        await store.forget_group_admin(chat_id, user_id)
        return GroupPost(Posted.NOT_ADMIN, group)
    day = now.astimezone(zone(group.timezone)).date().isoformat()
    body = await payload(group)
    if not await store.enqueue_delivery(chat_id, kind, body, now, f"{key}:{day}"):
        return GroupPost(Posted.ALREADY, group)
    await store.record_group_admin(chat_id, user_id, now)
    return GroupPost(Posted.SENT, group)
