"""Every interface text has a French and a Swedish translation with the same placeholders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

LOCALES = Path(__file__).resolve().parents[2] / "bot" / "locales"
PLACEHOLDER = re.compile(r"\{[a-z_]+\}|<[^>]+>")


def catalog(path: Path):  # type: ignore[no-untyped-def]
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
        assert sorted(PLACEHOLDER.findall(found.string)) == sorted(
            PLACEHOLDER.findall(message.id)
        ), message.id
