"""The groups' daily tip and quiz, planned into the delivery queue, and what the delivery
engine reports back (a quiz poll sent, a chat gone or migrated)."""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from bot.core.groups.ports import GroupSettings, QuizPoll
from bot.core.groups.screens import GroupScreens
from bot.core.groups.use_cases import choose_group_tip, choose_quiz
from bot.core.ports import Clock, Store, StoreFactory
from bot.core.reminders import next_reminder
from bot.core.timezones import zone
from content.bank import ContentBank


class GroupSends:
    def __init__(
        self, bank: ContentBank, screens: GroupScreens, stores: StoreFactory, clock: Clock
    ) -> None:
        self.bank = bank
        self.screens = screens
        self.stores = stores
        self.clock = clock

    async def in_store(self, action: Callable[[Store], Awaitable[object]]) -> None:
        async with self.stores() as store:
            await action(store)
            await store.commit()

    async def plan_group_sends(self, limit: int = 200) -> int:
        """Put the due tips and quizzes into the delivery queue; returns how many. Claiming
        moves each group's next send to tomorrow first, so two processes never plan the
        same one, and the queue's dedupe key makes a replan harmless."""
        now = self.clock()
        planned = 0
        async with self.stores() as store:
            for group in await store.due_group_sends(now, limit):
                for kind, enabled, due, hour in (
                    ("tip", group.tip_enabled, group.next_tip_at, group.tip_hour),
                    ("quiz", group.quiz_enabled, group.next_quiz_at, group.quiz_hour),
                ):
                    if not enabled or due is None or due > now:
                        continue
                    following = next_reminder(group.timezone, hour, now, skip_today=True)
                    if not await store.claim_group_send(group.chat_id, kind, due, following):
                        continue
                    day = now.astimezone(zone(group.timezone)).date().isoformat()
                    if kind == "tip":
                        payload = await self._tip_payload(store, group, now)
                    else:
                        payload = await self._quiz_payload(store, group, now)
                    if payload is not None and await store.enqueue_delivery(
                        group.chat_id, kind, payload, now, f"{kind}:{group.chat_id}:{day}"
                    ):
                        planned += 1
            await store.commit()
        return planned

    async def _tip_payload(
        self, store: Store, group: GroupSettings, now: datetime
    ) -> dict[str, Any] | None:
        posted = await store.posted_tips(group.chat_id)
        tip = choose_group_tip(self.bank.tips, group, posted)
        if tip is None:
            return None
        await store.record_tip_posted(group.chat_id, tip.id, now)
        return self.screens.tip(group.language, tip)

    async def _quiz_payload(
        self, store: Store, group: GroupSettings, now: datetime
    ) -> dict[str, Any] | None:
        used = await store.used_quiz_challenges(group.chat_id)
        rng = random.Random(f"{group.chat_id}:{now.date()}")
        challenge = choose_quiz(self.bank, group.level, used, rng, now)
        if challenge is None:
            return None
        return self.screens.quiz(group.language, challenge, rng)

    async def chat_gone(self, chat_id: int) -> None:
        """Telegram refused a send for good (403): a group stops, a person is inactive."""
        if chat_id < 0:
            await self.in_store(lambda store: store.set_group_active(chat_id, False))
        else:
            await self.in_store(lambda store: store.set_active(chat_id, False))

    async def chat_migrated(self, old_chat_id: int, new_chat_id: int) -> None:
        await self.in_store(lambda store: store.migrate_group(old_chat_id, new_chat_id))

    async def quiz_sent(
        self, chat_id: int, poll_id: str, challenge_id: str, correct_option: int
    ) -> None:
        """The adapter sent a quiz poll: remember it so answers can be scored."""
        poll = QuizPoll(poll_id, chat_id, challenge_id, correct_option, self.clock())
        await self.in_store(lambda store: store.record_poll(poll))
