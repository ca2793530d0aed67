"""Interface translations: gettext catalogs compiled in memory from the shipped .po files.

Message ids are the English texts, so English needs no catalog. The .po files are the only
source (no compiled .mo to keep in sync); `pybabel extract` refreshes the template. French
translations get their typography here (bot/core/typography.py), so no .po entry places a
narrow no-break space by hand.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Callable
from pathlib import Path
from typing import Final

from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot.core.typography import french
from content.models import INTERFACE_LANGUAGES

LOCALES: Final = Path(__file__).resolve().parent.parent / "locales"
DOMAIN: Final = "pixbot"
# Each language named in itself, as a language picker lists them.
LANGUAGE_NAMES: Final = {"en": "English", "fr": "Français", "sv": "Svenska"}
# The typography each language's translations get once, when its catalog is loaded.
TYPOGRAPHY: Final[dict[str, Callable[[str], str]]] = {"fr": french}


class Catalogs:
    def __init__(self, directory: Path = LOCALES) -> None:
        self._translations: dict[str, gettext.NullTranslations] = {
            "en": gettext.NullTranslations()
        }
        for language in INTERFACE_LANGUAGES:
            po = directory / language / "LC_MESSAGES" / f"{DOMAIN}.po"
            if po.exists():
                with po.open("rb") as source:
                    catalog = read_po(source, locale=language)
                if language in TYPOGRAPHY:
                    _typeset(catalog, TYPOGRAPHY[language])
                buffer = io.BytesIO()
                write_mo(buffer, catalog)
                buffer.seek(0)
                self._translations[language] = gettext.GNUTranslations(buffer)

    def get(self, language: str) -> gettext.NullTranslations:
        return self._translations.get(language, self._translations["en"])


def _typeset(catalog: Catalog, typography: Callable[[str], str]) -> None:
    for message in catalog:
        if not message.id:
            continue  # the header
        if isinstance(message.string, str):
            message.string = typography(message.string)
        elif message.string:
            message.string = tuple(typography(form) for form in message.string)


def language_name(code: str, language: str) -> str:
    """The language ``code`` named in ``language`` as a sentence writes it ("Langue : français",
    "Språk: svenska", "Language: English")."""
    return str(Locale.parse(language).languages.get(code, LANGUAGE_NAMES.get(code, code)))


def resolve_language(code: str | None, default: str = "en") -> str:
    """Telegram's IETF code (``fr-CA``, ``sv``, ``pt-br``) to an interface language."""
    if code:
        base = code.replace("_", "-").split("-")[0].lower()
        if base in INTERFACE_LANGUAGES:
            return base
    return default if default in INTERFACE_LANGUAGES else "en"
