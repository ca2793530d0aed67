"""Keyword search over tips: pure functions, no Telegram, no database.

Texts are folded (NFD, combining marks dropped, case-folded, œ/æ spelt out) so that
"hameconnage" finds "hameçonnage" and "PHISH" finds "phishing". A query word matches a word of
a tip when it is the same word or, for query words of at least ``PREFIX_MIN`` letters, the
beginning of it. A word found in the title weighs more than in the keywords (the topic's
name), more than in the text, and the fields add up; whole words weigh more than prefixes.
Tips matching more of the query's words come first.
"""

from __future__ import annotations

import re
import unicodedata
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
    """The folded words of a query, without repeats; stop words only if nothing else."""
    terms = list(dict.fromkeys(words(query)))
    meaningful = [term for term in terms if term not in STOP_WORDS]
    return meaningful or terms


@dataclass(frozen=True)
class Document:
    """What a tip is searched by, in one language."""

    id: str
    title: str
    text: str
    keywords: str = ""


@dataclass(frozen=True)
class _Indexed:
    id: str
    order: int
    fields: tuple[tuple[str, tuple[str, ...]], ...]  # (field name, words)


class TipIndex:
    """Documents folded once; ``search`` ranks them for a query."""

    def __init__(self, documents: Iterable[Document]) -> None:
        self._documents = [
            _Indexed(
                document.id,
                order,
                (
                    ("title", tuple(words(document.title))),
                    ("keywords", tuple(words(document.keywords))),
                    ("text", tuple(words(document.text))),
                ),
            )
            for order, document in enumerate(documents)
        ]

    def __len__(self) -> int:
        return len(self._documents)

    def search(self, query: str) -> list[str]:
        """Ids of the matching documents, best first (then in the documents' order)."""
        terms = query_terms(query)
        if not terms:
            return []
        ranked: list[tuple[int, float, int, str]] = []
        for document in self._documents:
            matched, score = 0, 0.0
            for term in terms:
                found = _term_score(term, document.fields)
                if found > 0:
                    matched += 1
                    score += found
            if matched:
                ranked.append((-matched, -score, document.order, document.id))
        ranked.sort()
        return [doc_id for *_, doc_id in ranked]


def _term_score(term: str, fields: Sequence[tuple[str, tuple[str, ...]]]) -> float:
    """What one query word adds: each field where it appears adds that field's weight."""
    total = 0.0
    for name, field_words in fields:
        whole_weight, prefix_weight = WEIGHTS[name]
        whole = sum(1 for word in field_words if word == term)
        prefix = (
            sum(1 for word in field_words if word != term and word.startswith(term))
            if len(term) >= PREFIX_MIN
            else 0
        )
        if not whole and not prefix:
            continue
        weight = whole_weight if whole else prefix_weight
        repeats = min(whole + prefix - 1, MAX_REPEATS)
        total += weight + REPEAT_BONUS * repeats
    return total


def search(documents: Iterable[Document], query: str) -> list[str]:
    """One-off search (``TipIndex`` keeps the folded words for repeated searches)."""
    return TipIndex(documents).search(query)
