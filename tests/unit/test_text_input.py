"""A person's text as the core takes it (cleaned), shows it (isolated) and reads numbers from
button data (strictly): issue #14."""

from __future__ import annotations

from bot.core.callbacks import group_id, number
from bot.core.chat import (
    Command,
    Event,
    GroupJoined,
    InlineQuery,
    Person,
    Press,
    Text,
    cleaned,
)
from bot.core.text import FSI, PDI, clean, echo, isolated, shown, without_bidi
from bot.core.timezones import parse


def test_clean_drops_nul_and_controls_and_keeps_lines_only_when_asked() -> None:
    assert clean("A\x00da") == "Ada"
    assert clean("Ada") == "Ada"
    assert clean("one\ttwo\r\nthree\x07\x1b\x7f\x85four\u2028five") == "one two three four five"
    assert clean("12\r\n3,5\x00\rsix\u2029", multiline=True) == "12\n3,5\nsix\n"
    assert clean("\ud800lone surrogate") == "lone surrogate"
    assert clean("é ü 😀 مرحبا \u200b") == "é ü 😀 مرحبا \u200b"  # not control characters


def test_every_event_entering_the_core_is_cleaned() -> None:
    person = Person(1, "A\x00da\n" + "x" * 100)
    event = cleaned(Event(person, Text("a\x00\nb")))
    assert event.person.first_name == "Ada " + "x" * 60
    assert event.input == Text("a\nb")
    assert cleaned(Event(person, Command("start", "ab\x00c\nd"))).input == Command(
        "start", "abc d"
    )
    assert cleaned(Event(person, InlineQuery("phi\x00sh", "1\x00"))).input == InlineQuery(
        "phish", "1\x00"
    )  # an offset is parsed strictly, not cleaned into something valid
    assert cleaned(Event(person, GroupJoined("5\x00B"))).input == GroupJoined("5B")
    assert cleaned(Event(person, Press("menu\x00"))).input == Press("menu\x00")
    plain = Event(Person(2, "Ada"), Text("hello"))
    assert cleaned(plain) is plain


def test_names_that_can_reorder_a_line_are_isolated_without_their_bidi_controls() -> None:
    assert isolated("Ada") == "Ada"  # nothing to reorder: as it is
    assert isolated("A\u202eda") == f"{FSI}Ada{PDI}"
    assert isolated("\u2069\u202eevil") == f"{FSI}evil{PDI}"  # a stray PDI cannot close ours
    assert isolated("محمد") == f"{FSI}محمد{PDI}"  # right-to-left letters next to digits
    assert isolated("עדה 2") == f"{FSI}עדה 2{PDI}"
    assert shown("<b>A\u202eda</b>") == f"{FSI}&lt;b&gt;Ada&lt;/b&gt;{PDI}"
    assert echo("  a\u202e b  ") == f"{FSI}a b{PDI}"
    assert without_bidi("A\u202eda \u2066x\u2069") == "Ada x"
    assert without_bidi("עדה\u200f") == "עדה\u200f"  # a mark only affects its neighbours


def test_numbers_in_button_data_are_ascii_digits_within_bounds() -> None:
    assert number("0", 24) == 0 and number("23", 24) == 23
    for forged in ("24", "²", "٣", "1_0", " 1", "+1", "-1", "", "9" * 30, "１"):
        assert number(forged, 24) is None, forged
    assert group_id("-1001234567890") == -1001234567890
    for forged in ("-99999999999999999999", "1001234567890", "-0", "-", "--1", "-²"):
        assert group_id(forged) is None, forged


def test_a_typed_time_zone_longer_than_any_is_unknown() -> None:
    assert parse("UTC" + " " * 70 + "+2") is None
    assert parse("UTC +2") == "UTC+02:00"
