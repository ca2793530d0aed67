"""Keyword search over tips: pure functions, no Telegram, no database.

Texts are folded (NFD, combining marks dropped, case-folded, œ/æ spelt out) so that
"hameconnage" finds "hameçonnage" and "PHISH" finds "phishing". A query word matches a word of
a tip when it is the same word or, for query words of at least ``PREFIX_MIN`` letters, the
beginning of it. A word found in the title weighs more than in the keywords (the topic's
name), more than in the text, and the fields add up; whole words weigh more than prefixes.
Tips matching more of the query's words come first.

The index is built once: every word of the tips, and every beginning of one that a query word
may be (``PREFIX_MIN`` letters or more), with what it adds to each tip it matches. A search
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


def query_terms(query: str) -> list[str]:
    """The folded words of a query, without repeats; stop words only if nothing else. Only
    the first ``QUERY_LIMIT`` characters and ``MAX_TERMS`` words count."""
    terms = list(dict.fromkeys(words(query[:QUERY_LIMIT])))
    meaningful = [term for term in terms if term not in STOP_WORDS]
    return (meaningful or terms)[:MAX_TERMS]


@dataclass(frozen=True)
class Document:
    """What a tip is searched by, in one language."""

    id: str
    title: str
    text: str
    keywords: str = ""


class TipIndex:
    """Documents folded once; ``search`` ranks them for a query."""

    def __init__(self, documents: Iterable[Document]) -> None:
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

    def __len__(self) -> int:
        return len(self._ids)

    def search(self, query: str) -> list[str]:
        """Ids of the matching documents, best first (then in the documents' order)."""
        matched: dict[int, int] = {}
        score: dict[int, float] = {}
        for term in query_terms(query):
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
