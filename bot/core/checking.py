"""Answer checking, one checker per challenge type, with Pix's tolerances T1, T2, T3."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Final

from rapidfuzz.distance import Levenshtein

from bot.core.numbers import accepts, readings
from content.models import AnswerFormat, Challenge, ChallengeType, Tolerance, parse_number

TYPO_RATIO: Final = 0.25
# Invisible characters phones and copy-paste slip into answers; never meaningful in an answer.
_INVISIBLE: Final = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_SPACES: Final = re.compile(r"\s+")
_NOT_WORD: Final = re.compile(r"[^\w ]|_")
# A number inside other words ("about 19", "19 or so"): digits, maybe grouped or decimal.
_NUMBER_INSIDE: Final = re.compile(r"[+-]?\d(?:[\d.,\u00a0\u202f ]*\d)?")


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


def number_matches(
    answer: str, accepted: Sequence[str], language: str = "en", unit: str | None = None
) -> bool:
    """The typed number equals an accepted one, written in digits or small number words, with
    the item's ``unit`` in any spelling or no unit (:mod:`bot.core.numbers`)."""
    targets = [value for value in map(parse_number, accepted) if value is not None]
    return any(
        math.isclose(reading.value, target, rel_tol=1e-9, abs_tol=1e-9)
        for reading in readings(pretreat(answer), language)
        if accepts(reading, unit)
        for target in targets
    )


def value_matches(
    challenge: Challenge, language: str, answer: str, accepted: Sequence[str], unit: str | None
) -> bool:
    if challenge.format is AnswerFormat.NUMBER:
        return number_matches(answer, accepted, language, unit)
    return text_matches(answer, accepted, challenge.tolerances)


def only_the_number(
    challenge: Challenge, language: str, answer: str, accepted: Sequence[str], unit: str | None
) -> bool:
    """A number answer marked wrong for the words around a right number ("about 19", "19 or
    so", "19 GB" where no unit is expected): the learner knew it, and is told that only the
    number was expected."""
    if challenge.format is not AnswerFormat.NUMBER or not answer.strip():
        return False
    if number_matches(answer, accepted, language, unit):
        return False
    return any(
        number_matches(found.strip(), accepted, language, unit)
        for found in _NUMBER_INSIDE.findall(pretreat(answer))
    )


def check_choice(challenge: Challenge, chosen: Iterable[int]) -> bool:
    """Single or multiple choice: the set of 0-based indexes must match exactly."""
    return frozenset(chosen) == challenge.right_indexes


def check_text(challenge: Challenge, language: str, answer: str) -> bool:
    accepted = challenge.text(language).accept
    return value_matches(challenge, language, answer, accepted, challenge.unit)


def field_results(challenge: Challenge, language: str, answers: Sequence[str]) -> list[bool]:
    """Each field's answer right or wrong, in the fields' order (a missing answer is wrong)."""
    fields = challenge.text(language).fields
    typed = list(answers)[: len(fields)] + [""] * (len(fields) - len(answers))
    return [
        bool(answer) and value_matches(challenge, language, answer, field.accept, field.unit)
        for answer, field in zip(typed, fields, strict=True)
    ]


def check_fields(challenge: Challenge, language: str, answers: Sequence[str]) -> bool:
    fields = challenge.text(language).fields
    return len(answers) == len(fields) and all(field_results(challenge, language, answers))


def split_fields(text: str, count: int) -> list[str] | None:
    """Several fields typed in one message, one per line; None if the count differs."""
    lines = [line.strip() for line in pretreat(text).splitlines() if line.strip()]
    return lines if len(lines) == count else None


def is_open_answer(challenge: Challenge) -> bool:
    return challenge.type in (ChallengeType.TEXT, ChallengeType.FIELDS)
