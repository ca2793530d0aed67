"""Who floods the bot: a person whose updates come faster than anyone reads and answers.

A person's updates are admitted at a sustained ``rate`` per second with a ``burst`` at once (a
generic cell rate algorithm: one number per person, the theoretical arrival time of their next
update), and only while fewer than ``backlog`` of their updates are in hand (handled or waiting
for their chat's turn): a person who sends faster than their replies can go out gets the
updates in between dropped, not queued. Each dropped person is told once per ``notice_every``
seconds. A learner who reads before answering never meets either limit; a script, a stuck key
or a child drumming on a button does, and only they wait.

The state is this process's: it decides what one process spends, and is lost harmlessly with
it (Telegram's own per-chat limits, which the replies keep, hold across processes)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Final

FLOOD_RATE: Final = 1.0  # updates per second a person may send, sustained
FLOOD_BURST: Final = 8  # updates a person may send at once (option toggles, a quick fix)
FLOOD_BACKLOG: Final = 3  # a person's updates in hand at once, beyond which new ones drop
NOTICE_EVERY: Final = 60.0  # seconds between two "slow down" notices to one person
MEMORY: Final = 4096  # people remembered before the idle ones are forgotten


class Verdict(Enum):
    HANDLE = "handle"
    DROP = "drop"  # dropped, the person was told recently
    DROP_AND_TELL = "tell"  # dropped: tell the person to slow down


@dataclass
class _Person:
    due: float  # theoretical arrival time of the next update at the sustained rate
    in_hand: int = 0
    told: float = float("-inf")


class FloodGuard:
    """``admit(person, now)`` before handling an update, ``done(person)`` after an admitted one
    (handled or failed). Times are monotonic seconds."""

    def __init__(
        self,
        rate: float = FLOOD_RATE,
        burst: int = FLOOD_BURST,
        backlog: int = FLOOD_BACKLOG,
        notice_every: float = NOTICE_EVERY,
    ) -> None:
        if rate <= 0 or burst < 1 or backlog < 1:
            raise ValueError("rate, burst and backlog must be positive")
        self.interval = 1.0 / rate
        self.tolerance = (burst - 1) * self.interval
        self.backlog = backlog
        self.notice_every = notice_every
        self._people: dict[int, _Person] = {}
        self.dropped = 0

    def admit(self, person_id: int, now: float) -> Verdict:
        person = self._people.get(person_id)
        if person is None:
            if len(self._people) >= MEMORY:
                self._forget(now)
            person = self._people[person_id] = _Person(due=now)
        due = max(person.due, now)
        if due - now > self.tolerance or person.in_hand >= self.backlog:
            self.dropped += 1
            if now - person.told >= self.notice_every:
                person.told = now
                return Verdict.DROP_AND_TELL
            return Verdict.DROP
        person.due = due + self.interval
        person.in_hand += 1
        return Verdict.HANDLE

    def done(self, person_id: int) -> None:
        person = self._people.get(person_id)
        if person is not None and person.in_hand > 0:
            person.in_hand -= 1

    def _forget(self, now: float) -> None:
        """Forget the people whose every limit is over (memory stays bounded)."""
        idle = [
            person_id
            for person_id, person in self._people.items()
            if person.in_hand == 0 and person.due <= now and now - person.told >= self.notice_every
        ]
        for person_id in idle:
            del self._people[person_id]


class OncePer:
    """``first(key, now)`` is True at most once per ``window`` for a key: a group command from
    someone who does not administer the group is answered once a minute, not once per member
    who types it (Telegram allows 20 messages a minute in a group). Kept in this process, like
    the flood guard: a restart at worst answers once more."""

    def __init__(self, window: timedelta = timedelta(minutes=1), memory: int = MEMORY) -> None:
        self.window = window
        self.memory = memory
        self._last: OrderedDict[Hashable, datetime] = OrderedDict()

    def first(self, key: Hashable, now: datetime) -> bool:
        last = self._last.get(key)
        if last is not None and now - last < self.window:
            return False
        self._last[key] = now
        self._last.move_to_end(key)
        while len(self._last) > self.memory:
            self._last.popitem(last=False)
        return True
