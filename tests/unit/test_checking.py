"""Pix answer checking: tolerances T1, T2, T3, numbers, choice sets, fields."""

from __future__ import annotations

import pytest

from bot.core.checking import (
    check_choice,
    check_fields,
    field_results,
    number_matches,
    only_the_number,
    split_fields,
    text_matches,
    treat,
)
from content.models import Challenge, Tolerance

ALL = [Tolerance.T1, Tolerance.T2, Tolerance.T3]


@pytest.mark.parametrize(
    ("answer", "tolerances", "expected"),
    [
        ("  Électricité ", [Tolerance.T1], "electricite"),
        ("mot de passe", [Tolerance.T1], "motdepasse"),
        ("Mot\u00a0de\u00a0passe", [Tolerance.T1], "motdepasse"),  # non-breaking spaces
        ("mot-de-passe !", [Tolerance.T1, Tolerance.T2], "motdepasse"),
        ("A.B.C", [Tolerance.T2], "ABC"),
        ("e\u0301te\u0301", [], "été"),  # NFC always
        ("pass\u200bword", [], "password"),  # zero-width removed always
    ],
)
def test_treatments(answer: str, tolerances: list[Tolerance], expected: str) -> None:
    assert treat(answer, tolerances) == expected


@pytest.mark.parametrize(
    ("answer", "accepted", "tolerances", "ok"),
    [
        ("PASSWORD", ["password"], [Tolerance.T1], True),
        ("PASSWORD", ["password"], [], False),
        ("pass word", ["password"], [Tolerance.T1], True),
        ("password!", ["password"], [Tolerance.T1], False),
        ("password!", ["password"], [Tolerance.T1, Tolerance.T2], True),
        ("Sécurité", ["securite"], [Tolerance.T1], True),
        # T3: distance / length of the treated answer <= 0.25
        ("abcd", ["abce"], ALL, True),  # 1/4 = 0.25, on the boundary
        ("abc", ["abd"], ALL, False),  # 1/3 > 0.25
        ("abcdefgh", ["abcdefxy"], ALL, True),  # 2/8
        ("abcdefgh", ["abcdexyz"], ALL, False),  # 3/8
        ("abce", ["abcd"], [Tolerance.T1, Tolerance.T2], False),  # no T3, no typo allowed
        ("phising", ["hameçonnage", "phishing"], ALL, True),  # closest variant counts
        ("", ["a"], ALL, False),
    ],
)
def test_text_matches(
    answer: str, accepted: list[str], tolerances: list[Tolerance], ok: bool
) -> None:
    assert text_matches(answer, accepted, tolerances) is ok


@pytest.mark.parametrize(
    ("answer", "accepted", "ok"),
    [
        ("1024", ["1024"], True),
        ("1 024", ["1024"], True),
        ("1\u202f024", ["1024"], True),
        ("1024.0", ["1024"], True),
        ("3,5", ["3.5"], True),
        ("3.5", ["3,5"], True),
        ("1,000", ["1000"], True),
        ("0.1", ["1"], False),
        ("1025", ["1024"], False),  # no typo tolerance on numbers
        ("about 12", ["12"], False),
        ("-2", ["-2"], True),
    ],
)
def test_numbers_are_compared_as_numbers(answer: str, accepted: list[str], ok: bool) -> None:
    assert number_matches(answer, accepted) is ok


@pytest.mark.parametrize(
    ("answer", "language", "unit", "ok"),
    [
        # The expected unit in any spelling, attached or not, or no unit at all.
        ("19", "en", "GB", True),
        ("19 GB", "en", "GB", True),
        ("19GB", "en", "GB", True),
        ("19 Go", "fr", "GB", True),
        ("19 gigabytes", "en", "GB", True),
        ("19 MB", "en", "GB", False),  # another unit is another answer
        ("19 songs", "en", "GB", False),  # an item with a unit takes no other word
        ("19 months", "en", "month", True),
        ("19 mois", "fr", "month", True),
        ("€19", "en", "EUR", True),
        ("19 €", "fr", "EUR", True),
        ("19 euros", "fr", "EUR", True),
        ("19 %", "fr", "percent", True),
        ("19 Mbit/s", "en", "MB/s", False),  # bits are not bytes
        ("19 Go", "fr", "GiB", True),  # how systems label GiB
        ("19 GiB", "en", "GB", False),
        ("19 MB/s", "en", "MB/s", True),
        # Small number words in the item's language.
        ("nineteen", "en", None, True),
        ("dix-neuf", "fr", None, True),
        ("dix-neuf Go", "fr", "GB", True),
        ("nineteen", "fr", None, False),
        # No unit expected: a noun that is no unit is fine, a unit is not.
        ("19 songs", "en", None, True),
        ("19 photos", "fr", None, True),
        ("19 times", "en", None, True),
        ("19 MB", "en", None, False),
        ("19 or 20", "en", None, False),
        ("1 9", "en", None, False),  # a space groups thousands, it does not join digits
        ("19.", "en", None, True),  # the end of a sentence
        ("19 GB.", "en", "GB", True),
        ("nineteen.", "en", None, True),
    ],
)
def test_a_number_is_read_as_a_person_types_it(
    answer: str, language: str, unit: str | None, ok: bool
) -> None:
    assert number_matches(answer, ["19"], language, unit) is ok


def test_a_number_item_names_a_known_unit_the_same_in_every_language() -> None:
    with pytest.raises(ValueError, match="unknown unit"):
        _challenge(
            type="text", format="number", unit="parsecs", en={"prompt": "p", "accept": ["1"]}
        )
    with pytest.raises(ValueError, match="number items"):
        _challenge(type="text", unit="GB", en={"prompt": "p", "accept": ["one"]})
    fields = [{"label": "a", "accept": ["1"], "unit": "GB"}, {"label": "b", "accept": ["2"]}]
    with pytest.raises(ValueError, match="different units"):
        _challenge(
            type="fields",
            format="number",
            en={"prompt": "p", "fields": fields},
            fr={"prompt": "p", "fields": [{**fields[0], "unit": "MB"}, fields[1]]},
        )


def _challenge(**data: object) -> Challenge:
    base: dict[str, object] = {"id": "x-1a", "skill": "@x1"}
    base.update(data)
    return Challenge.model_validate(base)


def test_multiple_choice_needs_exactly_the_right_set() -> None:
    challenge = _challenge(
        type="multiple", answer=[1, 3], en={"prompt": "p", "options": ["a", "b", "c", "d"]}
    )
    assert check_choice(challenge, [0, 2])
    assert check_choice(challenge, [2, 0])  # order ignored
    assert not check_choice(challenge, [0])  # no partial credit
    assert not check_choice(challenge, [0, 1, 2])


def test_fields_are_all_checked() -> None:
    challenge = _challenge(
        type="fields",
        en={
            "prompt": "p",
            "fields": [{"label": "a", "accept": ["Paris"]}, {"label": "b", "accept": ["Lyon"]}],
        },
    )
    assert check_fields(challenge, "en", ["paris", "LYON"])
    assert not check_fields(challenge, "en", ["paris", "Marseille"])
    assert not check_fields(challenge, "en", ["paris"])
    assert field_results(challenge, "en", ["paris", "Marseille"]) == [True, False]
    assert field_results(challenge, "en", ["Lyon"]) == [False, False]
    assert split_fields("paris\n\n lyon ", 2) == ["paris", "lyon"]
    assert split_fields("paris", 2) is None


@pytest.mark.parametrize(
    ("answer", "unit", "expected"),
    [
        ("about 19", None, True),  # right number, words around it: only the number was expected
        ("19 or so", None, True),
        ("~19", None, True),
        ("19 GB", None, True),  # a unit the item does not take
        ("about 19 GB", "GB", True),
        ("19", None, False),  # accepted: nothing to say
        ("19 GB", "GB", False),
        ("about 20", None, False),  # the number itself is wrong
        ("1 9", None, False),
        ("", None, False),
    ],
)
def test_a_right_number_in_other_words_is_told_apart(
    answer: str, unit: str | None, expected: bool
) -> None:
    challenge = _challenge(
        type="text", format="number", unit=unit, en={"prompt": "p", "accept": ["19"]}
    )
    assert only_the_number(challenge, "en", answer, ["19"], unit) is expected
    text = _challenge(type="text", en={"prompt": "p", "accept": ["19"]})
    assert not only_the_number(text, "en", answer, ["19"], unit)  # a text item: no number
