"""Answer checking, one checker per challenge type, with Pix's tolerances T1, T2, T3."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Final

from rapidfuzz.distance import Levenshtein

from content.models import AnswerFormat, Challenge, ChallengeType, Tolerance, parse_number

TYPO_RATIO: Final = 0.25
# Invisible characters phones and copy-paste slip into answers; never meaningful in an answer.
_INVISIBLE: Final = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_SPACES: Final = re.compile(r"\s+")
_NOT_WORD: Final = re.compile(r"[^\w ]|_")


def pretreat(text: str) -> str:
    """Always applied: NFC, non-breaking spaces as spaces, invisible characters removed."""
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def treat(text: str, tolerances: Iterable[Tolerance]) -> str:
    enabled = set(tolerances)
    text = pretreat(text)
    if Tolerance.T1 in enabled:
        text = _SPACES.sub("", strip_accents(text.strip().lower()))
    if Tolerance.T2 in enabled:
        text = _NOT_WORD.sub("", text)
    return text


def text_matches(answer: str, accepted: Sequence[str], tolerances: Iterable[Tolerance]) -> bool:
    enabled = set(tolerances)
    treated = treat(answer, enabled)
    variants = [treat(variant, enabled) for variant in accepted]
    if treated in variants:
        return True
    if Tolerance.T3 not in enabled or not treated:
        return False
    # Pix: the edit distance over the length of the treated answer, closest variant.
    best = min(Levenshtein.distance(treated, variant) for variant in variants)
    return best / len(treated) <= TYPO_RATIO


def number_candidates(text: str) -> set[float]:
    """Readings of a typed number: "1,5" is 1.5; "1,000" may be 1000 or 1.0."""
    text = pretreat(text).strip()
    readings = set()
    plain = parse_number(text)
    if plain is not None:
        readings.add(plain)
    if re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?", text.replace(" ", "")):
        readings.add(float(text.replace(" ", "").replace(",", "")))
    return readings


def number_matches(answer: str, accepted: Sequence[str]) -> bool:
    targets = [value for value in map(parse_number, accepted) if value is not None]
    return any(
        math.isclose(reading, target, rel_tol=1e-9, abs_tol=1e-9)
        for reading in number_candidates(answer)
        for target in targets
    )


def value_matches(challenge: Challenge, answer: str, accepted: Sequence[str]) -> bool:
    if challenge.format is AnswerFormat.NUMBER:
        return number_matches(answer, accepted)
    return text_matches(answer, accepted, challenge.tolerances)


def check_choice(challenge: Challenge, chosen: Iterable[int]) -> bool:
    """Single or multiple choice: the set of 0-based indexes must match exactly."""
    return frozenset(chosen) == challenge.right_indexes


def check_text(challenge: Challenge, language: str, answer: str) -> bool:
    return value_matches(challenge, answer, challenge.text(language).accept)


def check_fields(challenge: Challenge, language: str, answers: Sequence[str]) -> bool:
    fields = challenge.text(language).fields
    if len(answers) != len(fields):
        return False
    return all(
        value_matches(challenge, answer, field.accept)
        for answer, field in zip(answers, fields, strict=True)
    )


def split_fields(text: str, count: int) -> list[str] | None:
    """Several fields typed in one message, one per line; None if the count differs."""
    lines = [line.strip() for line in pretreat(text).splitlines() if line.strip()]
    return lines if len(lines) == count else None


def is_open_answer(challenge: Challenge) -> bool:
    return challenge.type in (ChallengeType.TEXT, ChallengeType.FIELDS)
