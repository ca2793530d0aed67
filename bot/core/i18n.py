"""Interface translations: gettext catalogs compiled in memory from the shipped .po files.

Message ids are the English texts, so English needs no catalog. The .po files are the only
source (no compiled .mo to keep in sync); `pybabel extract` refreshes the template.
"""

from __future__ import annotations

import gettext
import io
from pathlib import Path
from typing import Final

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from content.models import INTERFACE_LANGUAGES

LOCALES: Final = Path(__file__).resolve().parent.parent / "locales"
DOMAIN: Final = "pixbot"
LANGUAGE_NAMES: Final = {"en": "English", "fr": "Français", "sv": "Svenska"}


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
                buffer = io.BytesIO()
                write_mo(buffer, catalog)
                buffer.seek(0)
                self._translations[language] = gettext.GNUTranslations(buffer)

    def get(self, language: str) -> gettext.NullTranslations:
        return self._translations.get(language, self._translations["en"])


def resolve_language(code: str | None, default: str = "en") -> str:
    """Telegram's IETF code (``fr-CA``, ``sv``, ``pt-br``) to an interface language."""
    if code:
        base = code.replace("_", "-").split("-")[0].lower()
        if base in INTERFACE_LANGUAGES:
            return base
    return default if default in INTERFACE_LANGUAGES else "en"
