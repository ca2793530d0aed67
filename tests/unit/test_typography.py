"""French typography: narrow no-break spaces before « : ; ! ? » and inside guillemets, and
nothing else changed."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.typography import NNBSP, french

N = NNBSP


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Langue : {language}", f"Langue{N}: {{language}}"),
        ("Bonjour !", f"Bonjour{N}!"),
        ("Bonjour!", f"Bonjour{N}!"),
        ("Continuer ?", f"Continuer{N}?"),
        ("Un ; deux", f"Un{N}; deux"),
        ("Série\u00a0: 3", f"Série{N}: 3"),
        ("Quoi ?!", f"Quoi{N}?!"),
        ("« oui »", f"«{N}oui{N}»"),
        ("«oui»", f"«{N}oui{N}»"),
        ("touchez « Passer » :", f"touchez «{N}Passer{N}»{N}:"),
        ("<b>Résultats :</b>", f"<b>Résultats{N}:</b>"),
        ("« Dupont  » (two spaces: on purpose)", f"«{N}Dupont  » (two spaces{N}: on purpose)"),
        ("<code>rm</code> : supprime", f"<code>rm</code>{N}: supprime"),
    ],
)
def test_french_spaces(text: str, expected: str) -> None:
    assert french(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "à 10:30",  # a time
        "un ratio 1:2.",
        "https://t.me/pixbot?start=go",
        '<a href="https://example.org/?q=1&amp;r=2">lien</a>',
        "Tom &amp; Jerry",  # an entity's ; is no semicolon
        "<code>a : b ; c !</code>",
        "<pre>x = a ? b : c;\nprint('!')</pre>",
        "`a != b ? c : d`",
        "```\nif a: b\n```",
        "a != b",
        "what?ever",
        ": at the start",
        "first line\n? at the start of a line",
        "🎉!",
        "👍🏽:",
        "a::b",
    ],
)
def test_french_leaves_alone(text: str) -> None:
    assert french(text) == text


def test_inside_code_and_urls_while_fixing_the_prose() -> None:
    text = "Tapez `ls -l` : voyez https://ex.fr/a?b=c ! Ou <code>x ? y : z</code> ?"
    assert french(text) == (
        f"Tapez `ls -l`{N}: voyez https://ex.fr/a?b=c{N}! Ou <code>x ? y : z</code>{N}?"
    )


def test_without_insert_only_the_spaces_written_change() -> None:
    """The content bank's marks written against a word are code or literals."""
    assert french("if x > 5:\n    print(x)", insert=False) == "if x > 5:\n    print(x)"
    assert french("site:ameli.fr, Azerty123!", insert=False) == "site:ameli.fr, Azerty123!"
    assert french("«Montant» vaut « 3 € » !", insert=False) == f"«Montant» vaut «{N}3 €{N}»{N}!"


# --- properties ----------------------------------------------------------------------------

SPACES = re.compile("[ \u00a0\u202f]")
prose = st.text(alphabet="ab1 \u00a0\u202f:;!?«»\n'é)(", max_size=40)
protected = st.sampled_from(
    [
        "`a : b ! c`",
        "<code>x ? y : z ;</code>",
        "<pre>a ! b\nc : d</pre>",
        '<a href="https://ex.fr/?a=1&amp;b=2">',
        "</a>",
        "https://t.me/pixbot?start=go",
        "&amp;",
        "10:30",
    ]
)


@given(st.lists(st.one_of(prose, protected), max_size=8), st.booleans())
def test_french_is_idempotent_and_changes_only_spaces(parts: list[str], insert: bool) -> None:
    text = "".join(parts)
    once = french(text, insert=insert)
    assert french(once, insert=insert) == once
    assert SPACES.sub("", once) == SPACES.sub("", text)


@given(prose, protected, prose)
def test_french_never_touches_code_urls_or_tags(before: str, kept: str, after: str) -> None:
    # A space on each side keeps the protected span from merging with the prose around it.
    assert kept in french(f"{before} {kept} {after}")
