"""Reading a typed number as a person who knows the answer types it: digits or small number words
in the item's language ("two", "deux"), and a unit after it ("19 GB", "19 Go", "19GB", "€85")."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Final

from text_to_num import text2num

from content.models import parse_number
from content.units import UNITS

# Units written before the number ("€85").
_PREFIXES: Final = {"€": "EUR"}
_SPLIT: Final = re.compile(r"^(?P<number>[+-]?[\d\s.,\u00a0\u202f]*\d)\s*(?P<unit>.*)$")
_SPACE: Final = re.compile(r"[\s\u00a0\u202f]")
_GROUPED: Final = re.compile(r"[+-]?\d{1,3}([\s\u00a0\u202f]\d{3})+([.,]\d+)?")
_WORD: Final = re.compile(r"^[^\W\d_]{1,24}$")
_TEXT2NUM_LANGUAGES: Final = {"en": "en", "fr": "fr"}


def _unit_key(text: str) -> str:
    text = unicodedata.normalize("NFD", text.strip().lower().rstrip("."))
    text = "".join(char for char in text if not unicodedata.combining(char))
    text = re.sub(r"\s+", " ", text).replace(" /", "/").replace("/ ", "/")
    if text.endswith("/s"):
        text = text[:-1]  # "Mbit/s" and "Mbit/" are the same unit key
    return text[:-1] if len(text) > 2 and text.endswith("s") and not text.endswith("/") else text


_UNIT_OF: Final[dict[str, set[str]]] = {}
for _code, _spellings in UNITS.items():
    for _spelling in (_code, *_spellings):
        if _spelling:
            _UNIT_OF.setdefault(_unit_key(_spelling), set()).add(_code)


@dataclass(frozen=True, slots=True)
class Reading:
    """One way to read a typed answer: a value and what followed it."""

    value: float
    units: frozenset[str]  # the table's units the words after the number may name
    word: bool  # something other than a known unit followed the number ("200 songs")


def readings(text: str, language: str) -> list[Reading]:
    """The ways ``text`` reads as a number with an optional unit; empty if it is not one."""
    text = text.strip().rstrip(".,;:!?").rstrip()  # "19." or "two." ends a sentence
    for prefix, code in _PREFIXES.items():
        if text.startswith(prefix):
            return [
                Reading(r.value, frozenset({code}), word=False)
                for r in readings(text[len(prefix) :], language)
                if not r.units and not r.word
            ]
    found = _digits(text) or _words(text, language)
    return found


def _digits(text: str) -> list[Reading]:
    match = _SPLIT.match(text)
    if match is None:
        return []
    values = _number_values(match["number"])
    tail = match["unit"].strip()
    if not tail:
        return [Reading(value, frozenset(), word=False) for value in values]
    units = _UNIT_OF.get(_unit_key(tail))
    if units is not None:
        return [Reading(value, frozenset(units), word=False) for value in values]
    if _WORD.match(tail):
        return [Reading(value, frozenset(), word=True) for value in values]
    return []


def _number_values(text: str) -> set[float]:
    """ "1,5" is 1.5; "1,000" may be 1000 or 1.0; "1 000" is 1000."""
    values: set[float] = set()
    if _SPACE.search(text.strip()) and not _GROUPED.fullmatch(text.strip()):
        return values  # "3 4" is two numbers, not 34; "1 024" is one
    plain = parse_number(text)
    if plain is not None:
        values.add(plain)
    squeezed = re.sub(r"[\s\u00a0\u202f]", "", text)
    if re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?", squeezed):
        values.add(float(squeezed.replace(",", "")))
    return values


def _words(text: str, language: str) -> list[Reading]:
    """Number words, the whole text or all of it but a last word that names a unit."""
    lang = _TEXT2NUM_LANGUAGES.get(language)
    if lang is None:
        return []
    words = text.lower().split()
    for cut in (len(words), len(words) - 1):
        if cut < 1:
            continue
        try:
            value = text2num(" ".join(words[:cut]), lang)
        except ValueError:
            continue
        tail = " ".join(words[cut:])
        if not tail:
            return [Reading(float(value), frozenset(), word=False)]
        units = _UNIT_OF.get(_unit_key(tail))
        if units is not None:
            return [Reading(float(value), frozenset(units), word=False)]
        if _WORD.match(tail):
            return [Reading(float(value), frozenset(), word=True)]
    return []


def accepts(reading: Reading, unit: str | None) -> bool:
    """Whether what followed the number fits an item expecting ``unit`` (None: no unit).

    A bare number always fits. An item with a unit takes that unit in any spelling, and no other
    word. An item without one takes a noun that is no unit ("200 songs", "3 copies", "676
    times"), never a unit of the table ("200 MB" answers another question)."""
    if not reading.units and not reading.word:
        return True
    if unit is not None:
        return unit in reading.units
    return reading.word or reading.units == {"times"}
