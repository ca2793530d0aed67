"""Keyword search over tips: pure functions, no Telegram, no database.

Texts are folded (NFD, combining marks dropped, case-folded, œ/æ spelt out) so that
"hameconnage" finds "hameçonnage" and "PHISH" finds "phishing". A query word matches a word of
a tip when it is the same word or, for query words of at least ``PREFIX_MIN`` letters, the
beginning of it. A word found in the title weighs more than in the keywords (the topic's
name), more than in the text, and the fields add up; whole words weigh more than prefixes.
Tips matching more of the query's words come first: every word counts.

Words and phrases that mean the same (``Synonyms``: "sms" and "text message", "arnaque" and
"scam") count as one query word that finds any of them: a tip holding the one typed scores as
usual, one holding another ``SYNONYM_WEIGHT`` of that. A phrase is found in a tip holding all
its words (stop words aside), scored as the mean of its words.

The index is built once: every word of the tips, and every beginning of one that a query word
may be (``PREFIX_MIN`` letters or more), with what it adds to each tip it matches, and so for
every entry of the synonyms. A search
then costs a dictionary look-up and at most one addition per tip for each query word, and a
query counts at most ``QUERY_LIMIT`` characters and ``MAX_TERMS`` words: its cost is bounded
whatever is typed (`pixbot bench search` measures the worst case).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

PREFIX_MIN: Final = 4
_WORD: Final = re.compile(r"[^\W_]+")
_SPELT: Final = str.maketrans({"œ": "oe", "æ": "ae", "ø": "o", "đ": "d", "ł": "l", "ı": "i"})
# (whole word, prefix) weights per field.
WEIGHTS: Final = {"title": (10.0, 6.0), "keywords": (5.0, 3.0), "text": (3.0, 2.0)}
REPEAT_BONUS: Final = 0.25  # per extra occurrence in the text, up to MAX_REPEATS
MAX_REPEATS: Final = 4
QUERY_LIMIT: Final = 200  # characters of a query that are read; the rest is ignored
MAX_TERMS: Final = 20  # distinct words of a query that are searched; the rest are ignored
FIELDS: Final = ("title", "keywords", "text")
# Words too common to mean anything on their own (en, fr, sv): ignored unless the query has
# nothing else.
_STOP_WORDS_TEXT: Final = """
    a an and are as at be by for from how i in is it my of on or the to what with you your
    au aux avec ce ces dans de des du en est et il la le les leur mon ne nos notre ou par pas
    pour qu que qui sa se ses son sur ta te tes ton un une vos votre
    att av de den det en ett for har i med och om pa som till"""
STOP_WORDS: Final = frozenset(_STOP_WORDS_TEXT.split())


def fold(text: str) -> str:
    """Lowercase, without accents: "Hameçonnage" -> "hameconnage", "Œuvre" -> "oeuvre"."""
    decomposed = unicodedata.normalize("NFD", text.casefold().translate(_SPELT))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


SYNONYM_WEIGHT: Final = 0.8  # what a synonym of the query word adds, against the word itself
SYNONYM: Final = "="  # begins a query unit that is an entry of the synonyms (no word holds it)


def singular(word: str) -> str:
    """A folded word as the synonyms look it up: "passwords", "réseaux" as "password", "reseau"."""
    return word[:-1] if len(word) > 3 and word[-1] in "sx" else word


def plurals(word: str) -> tuple[str, str, str]:
    """A synonym's word as a tip may hold it: as it is, or with a plural's "s" or "x"."""
    return (word, word + "s", word + "x")


class Synonyms:
    """Groups of words or phrases that mean the same (``bot/core/tip_synonyms.py``)."""

    def __init__(self, groups: Iterable[Iterable[str]] = ()) -> None:
        # An entry (its folded words, singular) -> its group and its place in the group.
        self.entries: dict[str, tuple[int, int]] = {}
        # Each group's phrases as a tip must hold them: folded words, stop words aside.
        self.groups: list[tuple[tuple[str, ...], ...]] = []
        self.longest = 1  # words in the longest entry
        for number, group in enumerate(groups):
            phrases: list[tuple[str, ...]] = []
            for phrase in group:
                found = words(phrase)
                key = " ".join(map(singular, found))
                if not found or self.entries.get(key, (number, 0))[0] != number:
                    raise ValueError(f"{phrase!r}: no word, or in two groups of synonyms")
                if key in self.entries:  # "carte cadeau", "cartes cadeaux": one entry
                    continue
                self.entries[key] = (number, len(phrases))
                phrases.append(tuple(w for w in found if w not in STOP_WORDS) or tuple(found))
                self.longest = max(self.longest, len(found))
            self.groups.append(tuple(phrases))

    def alternatives(self, key: str) -> tuple[tuple[tuple[str, ...], float], ...]:
        """What the entry ``key`` finds: each phrase of its group with its weight."""
        number, own = self.entries[key]
        return tuple(
            (phrase, 1.0 if place == own else SYNONYM_WEIGHT)
            for place, phrase in enumerate(self.groups[number])
        )

    def units(self, found: Sequence[str]) -> list[tuple[str, bool]]:
        """``found`` (a query's folded words, in order) as units: the longest entry that starts
        at each word (a unit that is a synonym's, True), else the word."""
        units: list[tuple[str, bool]] = []
        start = 0
        while start < len(found):
            for size in range(min(self.longest, len(found) - start), 0, -1):
                key = " ".join(map(singular, found[start : start + size]))
                if key in self.entries:
                    units.append((SYNONYM + key, True))
                    start += size
                    break
            else:
                units.append((found[start], False))
                start += 1
        return units


NO_SYNONYMS: Final = Synonyms()


def query_terms(query: str, synonyms: Synonyms = NO_SYNONYMS) -> list[str]:
    """The units of a query, without repeats: its folded words, an entry of ``synonyms`` as one
    (``SYNONYM`` + its words); stop words only if nothing else. Only the first
    ``QUERY_LIMIT`` characters and ``MAX_TERMS`` units count."""
    units = list(dict.fromkeys(synonyms.units(words(query[:QUERY_LIMIT]))))
    meaningful = [term for term, entry in units if entry or term not in STOP_WORDS]
    return (meaningful or [term for term, _ in units])[:MAX_TERMS]


@dataclass(frozen=True)
class Document:
    """What a tip is searched by, in one language."""

    id: str
    title: str
    text: str
    keywords: str = ""


class TipIndex:
    """Documents folded once; ``search`` ranks them for a query."""

    def __init__(self, documents: Iterable[Document], synonyms: Synonyms = NO_SYNONYMS) -> None:
        self.synonyms = synonyms
        self._ids: list[str] = []
        orders: dict[str, list[int]] = {}
        scores: dict[str, list[float]] = {}
        known: dict[tuple[int, ...], float] = {}  # the few distinct scores, computed once
        for order, document in enumerate(documents):
            self._ids.append(document.id)
            # How often each word appears in each field, and how often words beginning with
            # each prefix of PREFIX_MIN letters or more do (the word itself included).
            whole: dict[str, list[int]] = {}
            starting: dict[str, list[int]] = {}
            texts = (document.title, document.keywords, document.text)
            for field, text in enumerate(texts):
                for word, count in Counter(words(text)).items():
                    whole.setdefault(word, [0, 0, 0])[field] += count
                    for end in range(PREFIX_MIN, len(word) + 1):
                        starting.setdefault(word[:end], [0, 0, 0])[field] += count
            # What each query word that matches the document adds to it.
            for term in whole.keys() | starting.keys():
                # (Words shorter than PREFIX_MIN have no "starting" counts: they match whole
                # words only.)
                counts = (*whole.get(term, _NONE), *starting.get(term, _NONE))
                score = known.get(counts)
                if score is None:
                    score = known[counts] = _score(counts[:3], counts[3:])
                orders.setdefault(term, []).append(order)
                scores.setdefault(term, []).append(score)
        # Per possible query word, the documents it matches in their order, and what it adds.
        self._postings: dict[str, tuple[tuple[int, ...], tuple[float, ...]]] = {
            term: (tuple(found), tuple(scores[term])) for term, found in orders.items()
        }
        # Each entry of the synonyms: the best of its group's phrases in each document.
        for key in synonyms.entries:
            best: dict[int, float] = {}
            for phrase, weight in synonyms.alternatives(key):
                for order, found_score in self._phrase(phrase).items():
                    if weight * found_score > best.get(order, 0.0):
                        best[order] = weight * found_score
            ranked = sorted(best)
            self._postings[SYNONYM + key] = (tuple(ranked), tuple(best[o] for o in ranked))

    def _phrase(self, phrase: Sequence[str]) -> dict[int, float]:
        """The documents holding every word of ``phrase`` (as a query word would find it, or
        its plural: "mots de passe"), with the mean of what its words add."""
        held: dict[int, float] | None = None
        for word in phrase:
            here: dict[int, float] = {}
            for form in plurals(word):
                orders, scores = self._postings.get(form, _NO_POSTINGS)
                for order, found in zip(orders, scores, strict=True):
                    here[order] = max(here.get(order, 0.0), found)
            held = here if held is None else {o: held[o] + here[o] for o in held if o in here}
        return {order: total / len(phrase) for order, total in (held or {}).items()}

    def __len__(self) -> int:
        return len(self._ids)

    def search(self, query: str) -> list[str]:
        """Ids of the matching documents, best first (then in the documents' order)."""
        matched: dict[int, int] = {}
        score: dict[int, float] = {}
        for term in query_terms(query, self.synonyms):
            orders, scores = self._postings.get(term, _NO_POSTINGS)
            for order, found in zip(orders, scores, strict=True):
                matched[order] = matched.get(order, 0) + 1
                score[order] = score.get(order, 0.0) + found
        ranked = sorted(matched, key=lambda order: (-matched[order], -score[order], order))
        return [self._ids[order] for order in ranked]


_NONE: Final = (0, 0, 0)
_FIELD_WEIGHTS: Final = tuple(WEIGHTS[name] for name in FIELDS)
_NO_POSTINGS: Final[tuple[tuple[int, ...], tuple[float, ...]]] = ((), ())


def _score(whole: Sequence[int], starting: Sequence[int]) -> float:
    """What one query word adds to a document where it appears ``whole[field]`` times as a
    word and ``starting[field]`` times as a word or a word's beginning (0 for short query
    words): each field where it appears adds that field's weight."""
    total = 0.0
    for (whole_weight, prefix_weight), exact, begun in zip(
        _FIELD_WEIGHTS, whole, starting, strict=True
    ):
        found = begun if begun > exact else exact  # whole words and prefixes
        if found:
            weight = whole_weight if exact else prefix_weight
            total += weight + REPEAT_BONUS * min(found - 1, MAX_REPEATS)
    return total


def search(documents: Iterable[Document], query: str) -> list[str]:
    """One-off search (``TipIndex`` keeps the index for repeated searches)."""
    return TipIndex(documents).search(query)
