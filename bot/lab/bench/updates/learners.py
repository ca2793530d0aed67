"""The simulated people: learners who only see messages, and flooders who do not read."""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from bot.lab.bench.updates.api import BOT_ID, Screen

FIRST_USER: Final = 7_000_000_000  # learners' ids: far from real ones, distinct per learner
MAX_LEARNERS: Final = 100_000  # a learner's next person is 1,000,000 ids further
SKIP_RATE: Final = 0.04  # share of challenges a learner skips
GUESSES: Final = ("2019", "news-today24.com", "42", "password", "I don't know", "3.5", "https")
LANGUAGES: Final = ("en", "en", "en", "fr", "fr", "sv")
FLOOD_PRESS: Final = 0.6  # share of a flooder's updates that press a live button
FLOOD_START: Final = 0.2  # share that send /start (the rest type a line)
FLOODER_OFFSET: Final = 5 * MAX_LEARNERS  # flooders' ids: apart from every learner's people


@dataclass
class Learner:
    """A person who only sees messages: decides the next update from the last reply."""

    user_id: int
    language: str
    rng: random.Random
    competences: Sequence[str]  # every competence code, e.g. "1.1"
    taken: set[str] = field(default_factory=set)
    screens: list[Screen] = field(default_factory=list)  # the last reply only
    typing: bool = False  # a text challenge is waiting for typed lines
    ticked: set[str] = field(default_factory=set)  # options ticked in a multiple choice
    message_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    answered: int = 0  # challenges answered (pressed, typed or skipped)
    people: int = 1  # identities this learner has been

    def next_update(self, update_id: int) -> dict[str, Any]:
        """The update this person sends after reading the last reply."""
        screen = next((s for s in reversed(self.screens) if s.buttons), None)
        if screen is None:
            return self._message(update_id, self._typed() if self.typing else "/start")
        data = [d for _, d in screen.buttons]
        kinds = {d.partition(":")[0] for d in data}
        self.typing = False
        if "opt" in kinds or "skip" in kinds:
            return self._challenge(update_id, screen, data, kinds)
        self.ticked.clear()
        if "resume" in kinds:
            return self._press(update_id, screen, "resume")
        if "comp" in kinds or "improve" in kinds or "reset" in kinds:
            return self._competence(update_id, screen, data)
        if "area" in kinds:
            return self._area(update_id, screen, data)
        for wanted in ("again", "test"):
            if wanted in kinds:
                return self._press(update_id, screen, wanted)
        return self._press(update_id, screen, self.rng.choice(data))  # a screen we do not know

    def _challenge(
        self, update_id: int, screen: Screen, data: list[str], kinds: set[str]
    ) -> dict[str, Any]:
        options = [d for d in data if d.startswith("opt:")]
        skip = next((d for d in data if d.startswith("skip:")), None)
        submit = next((d for d in data if d.startswith("sub:")), None)
        if skip is not None and self.rng.random() < SKIP_RATE:
            self.answered += 1
            self.ticked.clear()
            return self._press(update_id, screen, skip)
        if not options:  # a text challenge: type a guess
            self.typing = True
            return self._message(update_id, self._typed())
        if submit is None:  # single choice
            self.answered += 1
            return self._press(update_id, screen, self.rng.choice(options))
        unticked = [option for option in options if option not in self.ticked]
        if unticked and len(self.ticked) < self.rng.choice((1, 2)):
            choice = self.rng.choice(unticked)
            self.ticked.add(choice)
            return self._press(update_id, screen, choice)
        self.answered += 1
        self.ticked.clear()
        return self._press(update_id, screen, submit)

    def _typed(self) -> str:
        """One typed line: also what a learner sends field after field."""
        self.answered += 1
        return self.rng.choice(GUESSES)

    def _competence(self, update_id: int, screen: Screen, data: list[str]) -> dict[str, Any]:
        fresh = [d for d in data if d.startswith("comp:") and d[5:] not in self.taken]
        if fresh:
            choice = self.rng.choice(fresh)
            self.taken.add(choice[5:])
            return self._press(update_id, screen, choice)
        for code in (d.partition(":")[2] for d in data):
            if code in self.competences:  # a retest screen: that one is taken already
                self.taken.add(code)
        back = next((d for d in data if d == "test" or d.startswith("area:")), data[-1])
        return self._press(update_id, screen, back)

    def _area(self, update_id: int, screen: Screen, data: list[str]) -> dict[str, Any]:
        areas = [d for d in data if d.startswith("area:")]
        open_areas = [
            d
            for d in areas
            if any(c.split(".")[0] == d[5:] and c not in self.taken for c in self.competences)
        ]
        if not open_areas:  # everything taken: a new person starts
            self.become_someone_else()
            return self._message(update_id, "/start")
        return self._press(update_id, screen, self.rng.choice(open_areas))

    def become_someone_else(self) -> None:
        self.user_id += 10 * MAX_LEARNERS
        self.people += 1
        self.taken.clear()
        self.screens = []
        self.typing = False
        self.ticked.clear()

    # The JSON Telegram would post.

    def _user(self) -> dict[str, Any]:
        return {
            "id": self.user_id,
            "is_bot": False,
            "first_name": f"Learner{self.user_id % 10000}",
            "language_code": self.language,
        }

    def _chat(self) -> dict[str, Any]:
        return {"id": self.user_id, "type": "private", "first_name": "Learner"}

    def _message(self, update_id: int, text_: str) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": next(self.message_ids),
            "date": int(time.time()),
            "chat": self._chat(),
            "from": self._user(),
            "text": text_,
        }
        if text_.startswith("/"):
            command = len(text_.split()[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": command}]
        return {"update_id": update_id, "message": message}

    def _press(self, update_id: int, screen: Screen, data: str) -> dict[str, Any]:
        return {
            "update_id": update_id,
            "callback_query": {
                "id": str(update_id),
                "from": self._user(),
                "chat_instance": str(self.user_id),
                "data": data,
                "message": {
                    "message_id": screen.message_id,
                    "date": int(time.time()),
                    "chat": self._chat(),
                    "from": {"id": BOT_ID, "is_bot": True, "first_name": "Pixbot"},
                    "text": screen.text or "…",
                },
            },
        }


class Flooder(Learner):
    """A script, a stuck key or a child drumming on the keyboard: sends without reading, many
    updates a second, pressing a button of the last reply that arrived, sending /start or
    typing a line."""

    def flood_update(self, update_id: int) -> dict[str, Any]:
        screen = next((s for s in reversed(self.screens) if s.buttons), None)
        roll = self.rng.random()
        if screen is not None and roll < FLOOD_PRESS:
            return self._press(update_id, screen, self.rng.choice(screen.buttons)[1])
        if roll < FLOOD_PRESS + FLOOD_START:
            return self._message(update_id, "/start")
        return self._message(update_id, self.rng.choice(GUESSES))
