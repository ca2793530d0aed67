"""The groups' daily tip and quiz, planned into the delivery queue, and what the delivery
engine reports back (a quiz poll sent, a chat gone or migrated)."""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Final

from bot.core.groups.ports import GroupSettings, QuizPoll
from bot.core.groups.schedule import BOARD_HOUR, closes_at, missed, next_board, next_send
from bot.core.groups.screens import GroupScreens
from bot.core.groups.use_cases import choose_group_tip, choose_quiz, week_start
from bot.core.ports import Clock, Store, StoreFactory
from bot.core.timezones import zone
from content.bank import ContentBank

log = logging.getLogger(__name__)
BOARD_LIMIT: Final = 10  # names on the weekly leaderboard posted in the group


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
        """Put the due tips, quizzes and weekly leaderboards into the delivery queue; returns
        how many. Claiming moves each group's next send on first, so two processes never plan
        the same one, and the queue's dedupe key makes a replan harmless. A send missed by
        over two hours (the bot was down) is claimed and skipped, not posted late."""
        now = self.clock()
        planned = 0
        async with self.stores() as store:
            for group in await store.due_group_sends(now, limit):
                for kind, enabled, due, hour in (
                    ("tip", group.tip_enabled, group.next_tip_at, group.tip_hour),
                    ("quiz", group.quiz_enabled, group.next_quiz_at, group.quiz_hour),
                    ("board", group.weekly_board, group.next_board_at, BOARD_HOUR),
                ):
                    if not enabled or due is None or due > now:
                        continue
                    following = (
                        next_board(group, now) if kind == "board" else next_send(group, hour, now)
                    )
                    if not await store.claim_group_send(group.chat_id, kind, due, following):
                        continue
                    if missed(group, due, now):
                        log.info("group %s: %s due at %s skipped", group.chat_id, kind, due)
                        continue
                    day = due.astimezone(zone(group.timezone)).date().isoformat()
                    if await self._plan(store, group, kind, due, f"{kind}:{group.chat_id}:{day}"):
                        planned += 1
            await store.commit()
        return planned

    async def send_now(self, group: GroupSettings, kind: str) -> bool:
        """A tip or quiz out now, through the delivery engine (the administrator checks the
        setup); at most one of a kind a minute. False when there is none to send."""
        now = self.clock()
        key = f"{kind}:now:{group.chat_id}:{now:%Y-%m-%dT%H:%M}"
        async with self.stores() as store:
            planned = await self._plan(store, group, kind, now, key)
            await store.commit()
        return planned

    async def _plan(
        self, store: Store, group: GroupSettings, kind: str, at: datetime, key: str
    ) -> bool:
        now = self.clock()
        if kind == "tip":
            payload = await self._tip_payload(store, group, now)
        elif kind == "quiz":
            payload = await self._quiz_payload(store, group, at)
        else:
            payload = await self._board_payload(store, group, now)
        if payload is None or not await store.enqueue_delivery(
            group.chat_id, kind, payload, now, key
        ):
            return False
        if kind == "tip":  # only once planned: a refused repeat leaves the tip for another day
            await store.record_tip_posted(group.chat_id, str(payload["tip_id"]), now)
        return True

    async def _tip_payload(
        self, store: Store, group: GroupSettings, now: datetime
    ) -> dict[str, Any] | None:
        posted = await store.posted_tips(group.chat_id)
        tip = choose_group_tip(self.bank.tips, group, posted)
        return None if tip is None else self.screens.tip(group.language, tip)

    async def _quiz_payload(
        self, store: Store, group: GroupSettings, at: datetime
    ) -> dict[str, Any] | None:
        used = await store.used_quiz_challenges(group.chat_id)
        rng = random.Random(f"{group.chat_id}:{at.isoformat()}")
        challenge = choose_quiz(
            self.bank, group.level, used, rng, at, group.audience, group.topics
        )
        if challenge is None:
            return None
        payload = self.screens.quiz(group.language, challenge, rng, group.quiz_anonymous)
        payload["quiz"]["close_at"] = closes_at(group, max(at, self.clock())).isoformat()
        return payload

    async def _board_payload(
        self, store: Store, group: GroupSettings, now: datetime
    ) -> dict[str, Any] | None:
        if group.quiz_anonymous:
            return None
        since = week_start(group.timezone, now)
        rows = await store.leaderboard(group.chat_id, since, now, BOARD_LIMIT)
        if not rows:  # no quiz answered this week: nothing to celebrate
            return None
        return {"text": self.screens.leaderboard(group.language, rows).text}

    async def chat_gone(self, chat_id: int) -> None:
        """Telegram refused a send for good (403): a group stops, a person is inactive."""
        if chat_id < 0:
            await self.in_store(lambda store: store.set_group_active(chat_id, False))
        else:
            await self.in_store(lambda store: store.set_active(chat_id, False))

    async def chat_migrated(self, old_chat_id: int, new_chat_id: int) -> None:
        await self.in_store(lambda store: store.migrate_group(old_chat_id, new_chat_id))

    async def quiz_sent(
        self,
        chat_id: int,
        poll_id: str,
        challenge_id: str,
        correct_option: int,
        message_id: int | None = None,
        close_at: datetime | None = None,
    ) -> None:
        """The adapter sent a quiz poll: remember it so answers can be scored, and plan its
        close (Telegram closes a poll by itself 10 minutes ahead at most, so the bot stops it
        at the chosen time through the delivery engine, which hands back the final tally)."""
        now = self.clock()
        poll = QuizPoll(poll_id, chat_id, challenge_id, correct_option, now, message_id, close_at)
        async with self.stores() as store:
            await store.record_poll(poll)
            if message_id is not None and close_at is not None:
                stop = {"stop_poll": {"message_id": message_id, "poll_id": poll_id}}
                await store.enqueue_delivery(
                    chat_id, "stop", stop, max(close_at, now), f"stop:{poll_id}"
                )
            await store.commit()

    async def quiz_closed(self, poll_id: str, option_votes: tuple[int, ...]) -> None:
        """The bot stopped a quiz poll: keep how many answered and how many were right."""
        async with self.stores() as store:
            poll = await store.get_poll(poll_id)
            if poll is None:
                return
            right = (
                option_votes[poll.correct_option] if poll.correct_option < len(option_votes) else 0
            )
            await store.record_quiz_tally(poll_id, sum(option_votes), right)
            await store.commit()
