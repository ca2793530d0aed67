"""The library's shelves: what is browsed (a topic, an audience, a level), the tips on it,
their search indexes and their links. Nothing is kept in memory between two updates: the
shelf being browsed and the position travel in the buttons' data, e.g. ``lib:v.3pb.4`` is the
fifth tip of topic 3 for pupils at the basic level."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from bot.core.tip_search import Document, TipIndex
from bot.core.tip_synonyms import SYNONYMS
from content.bank import ContentBank
from content.models import Audience, Tip, TipLevel, TipTopic

if TYPE_CHECKING:  # the screens write the topics' names the search reads
    from bot.core.library.screens import LibraryScreens

START_PREFIX: Final = "tip_"
DEEP_LINK_PAYLOAD: Final = re.compile(r"[A-Za-z0-9_-]{1,64}")
TOPICS: Final = tuple(TipTopic)
ANY: Final = "x"
AUDIENCE_CODES: Final = {
    "e": Audience.EVERYONE,
    "p": Audience.PUPILS,
    "d": Audience.EDUCATORS,
    "w": Audience.PROFESSIONALS,
}
LEVEL_CODES: Final = {
    "b": TipLevel.BASIC,
    "i": TipLevel.INTERMEDIATE,
    "a": TipLevel.ADVANCED,
    "e": TipLevel.EXPERT,
}
LEVEL_ORDER: Final = tuple(TipLevel)
BASE36: Final = "0123456789abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class Shelf:
    """What is being browsed: a topic, an audience and a level, each possibly "any"."""

    topic: TipTopic | None = None
    audience: Audience | None = None
    level: TipLevel | None = None

    @property
    def code(self) -> str:
        """Three characters for the buttons' data: topic (base 36 index), audience, level."""
        topic = ANY if self.topic is None else BASE36[TOPICS.index(self.topic)]
        audience = next((c for c, a in AUDIENCE_CODES.items() if a is self.audience), ANY)
        level = next((c for c, v in LEVEL_CODES.items() if v is self.level), ANY)
        return topic + audience + level

    @classmethod
    def parse(cls, code: str) -> Shelf | None:
        if len(code) != 3:
            return None
        topic_code, audience_code, level_code = code[0], code[1], code[2]
        topic: TipTopic | None = None
        if topic_code != ANY:
            index = BASE36.find(topic_code)
            if not 0 <= index < len(TOPICS):
                return None
            topic = TOPICS[index]
        if audience_code != ANY and audience_code not in AUDIENCE_CODES:
            return None
        if level_code != ANY and level_code not in LEVEL_CODES:
            return None
        return cls(topic, AUDIENCE_CODES.get(audience_code), LEVEL_CODES.get(level_code))

    def holds(self, tip: Tip) -> bool:
        return (
            (self.topic is None or tip.topic is self.topic)
            and (self.audience is None or tip.audience in self.audience.served())
            and (self.level is None or tip.level is self.level)
        )


def tip_ref(tip_id: str) -> str:
    """A short, stable reference to a tip for buttons that carry more than its id."""
    return hashlib.sha1(tip_id.encode(), usedforsecurity=False).hexdigest()[:10]


def tip_documents(bank: ContentBank, screens: LibraryScreens, language: str) -> list[Document]:
    """What the tips are searched by in a content language (en, fr): title, text, and the
    topic's code and name as keywords."""
    return [
        Document(
            tip.id,
            tip.text(language).title,
            tip.text(language).text,
            keywords(str(tip.topic or ""), screens.topic_name(language, tip.topic)),
        )
        for tip in shelf(bank)
    ]


def tip_index(bank: ContentBank, screens: LibraryScreens, language: str) -> TipIndex:
    """The search index of the tips in a content language (built once per process), which
    finds synonyms in any of the interface's languages."""
    return TipIndex(tip_documents(bank, screens, language), SYNONYMS)


def shelf(bank: ContentBank) -> tuple[Tip, ...]:
    """Every tip, basic ones first (the bank's order within a level)."""
    return tuple(sorted(bank.tips, key=lambda tip: LEVEL_ORDER.index(tip.level)))


def deep_link(bot_username: str, tip_id: str) -> str | None:
    """https://t.me/<bot>?start=tip_<id>, or None without a username or for an unfit id."""
    payload = START_PREFIX + tip_id
    if not bot_username or not DEEP_LINK_PAYLOAD.fullmatch(payload):
        return None
    return f"https://t.me/{bot_username}?start={payload}"


def keywords(*names: str) -> str:
    """The topic's code and translated name, once each ("phishing", "hameçonnage")."""
    return " ".join(dict.fromkeys(" ".join(names).replace("-", " ").split()))
