"""Every interface text has a French and a Swedish translation with the same placeholders."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po

LOCALES = Path(__file__).resolve().parents[2] / "bot" / "locales"
PLACEHOLDER = re.compile(r"\{[a-z_]+\}|<[^>]+>")


def catalog(path: Path) -> Any:
    with path.open("rb") as source:
        return read_po(source)


@pytest.mark.parametrize("language", ["fr", "sv"])
def test_every_message_is_translated(language: str) -> None:
    template = catalog(LOCALES / "pixbot.pot")
    translated = catalog(LOCALES / language / "LC_MESSAGES" / "pixbot.po")
    for message in template:
        if not message.id:
            continue
        found = translated.get(message.id)
        assert found is not None and found.string, f"{language}: {message.id!r} untranslated"
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = found.string if isinstance(found.string, tuple) else (found.string,)
        assert all(strings), f"{language}: {message.id!r} has an empty plural form"
        expected = sorted(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            assert sorted(PLACEHOLDER.findall(string)) == expected, (language, message.id)


def test_every_text_of_the_code_is_in_the_template() -> None:
    """A text added with `_()` or `N_()` but not to pixbot.pot would stay English everywhere."""
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir

    keywords = {**DEFAULT_KEYWORDS, "N_": None}
    template = {
        m.id if isinstance(m.id, str) else m.id[0] for m in catalog(LOCALES / "pixbot.pot")
    }
    bot = LOCALES.parent
    missing = [
        f"{path}:{line}: {message!r}"
        for path, line, message, _, _ in extract_from_dir(
            bot, method_map=[("**.py", "python")], keywords=keywords
        )
        if (message if isinstance(message, str) else message[0]) not in template
    ]
    assert not missing, "\n".join(missing)


def test_no_text_is_translated_inside_an_f_string() -> None:
    """Babel's extractor does not look inside f-strings: a `_()` there never reaches the
    template, so the text stays English in every language."""
    bot = LOCALES.parent
    inside = re.compile(r"\{_\(")
    found = [
        f"{path}:{number}"
        for path in sorted(bot.rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if inside.search(line)
    ]
    assert not found, found
