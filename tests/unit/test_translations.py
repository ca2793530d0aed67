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
