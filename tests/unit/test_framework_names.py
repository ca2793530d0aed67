"""Short names fit a phone's button and each competence says what its levels mean (issue #17)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from content.bank import ContentBank
from content.loader import CONTENT_ROOT, load_bank
from content.models import (
    INTERFACE_LANGUAGES,
    LEVEL_MEANING_LIMIT,
    SHORT_NAME_LIMIT,
    Framework,
)

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "content"


@pytest.fixture(scope="module")
def shipped() -> ContentBank:
    return load_bank()


def test_the_shipped_bank_has_short_names_and_level_meanings_for_all_16(
    shipped: ContentBank,
) -> None:
    assert len(shipped.competences) == 16
    assert shipped.competence_short("4.1", "en") == "Security"
    assert shipped.competence_short("4.2", "fr") == "Vie privée"
    assert shipped.competence_short("1.1", "sv") == "Sökning"
    assert shipped.area_short("4", "en") == "Protection"
    # Languages without their own text read English, as Names.get does.
    assert shipped.competence_short("4.1", "de") == "Security"


@pytest.mark.parametrize("language", INTERFACE_LANGUAGES)
def test_short_names_are_short_and_unique(shipped: ContentBank, language: str) -> None:
    competences = [shipped.competence_short(code, language) for code in shipped.competences]
    areas = [shipped.area_short(code, language) for code in shipped.areas]
    for short in competences + areas:
        assert 0 < len(short) <= SHORT_NAME_LIMIT, short
    assert len({s.casefold() for s in competences}) == len(competences), competences
    assert len({s.casefold() for s in areas}) == len(areas), areas


@pytest.mark.parametrize("language", INTERFACE_LANGUAGES)
def test_every_level_line_fits_and_groups_differ(shipped: ContentBank, language: str) -> None:
    for code in shipped.competences:
        lines = [shipped.level_meaning(code, level, language) for level in (1, 3, 5, 7)]
        for line in lines:
            assert line is not None and 0 < len(line) <= LEVEL_MEANING_LIMIT, (code, line)
        assert len(set(lines)) == 4, code


@pytest.mark.parametrize(
    ("level", "group"),
    [
        (0, None),
        (1, "novice"),
        (2, "novice"),
        (3, "independent"),
        (4, "independent"),
        (5, "advanced"),
        (6, "advanced"),
        (7, "expert"),
        (8, "expert"),
    ],
)
def test_level_meaning_follows_the_pix_level_groups(
    shipped: ContentBank, level: int, group: str | None
) -> None:
    levels = shipped.competences["1.1"].levels
    for language in INTERFACE_LANGUAGES:
        expected = None if group is None else getattr(levels, group).get(language)
        assert shipped.level_meaning("1.1", level, language) == expected


def test_the_fixture_framework_is_the_shipped_one() -> None:
    """The tests' small bank keeps the real framework, so its names are the ones users see."""
    shipped = (CONTENT_ROOT / "framework.yaml").read_text(encoding="utf-8")
    assert (FIXTURE / "framework.yaml").read_text(encoding="utf-8") == shipped


def raw_framework() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((CONTENT_ROOT / "framework.yaml").read_text("utf-8"))
    return loaded


def test_a_short_name_over_16_characters_is_refused() -> None:
    raw = raw_framework()
    raw["areas"][0]["competences"][0]["short"]["fr"] = "Recherche d'information"
    with pytest.raises(ValidationError, match="at most 16"):
        Framework.model_validate(raw)


def test_a_short_name_used_twice_in_a_language_is_refused() -> None:
    raw = raw_framework()
    raw["areas"][3]["competences"][1]["short"]["sv"] = "säkerhet"  # 4.1's, in another case
    with pytest.raises(ValidationError, match=r"4\.1 and 4\.2 share"):
        Framework.model_validate(raw)


def test_a_level_line_over_110_characters_is_refused() -> None:
    raw = raw_framework()
    too_long = "Du " + "kan " * 28  # 115 characters: under Names' own 120
    raw["areas"][0]["competences"][0]["levels"]["expert"]["sv"] = too_long
    with pytest.raises(ValidationError, match=r"expert\.sv: .* at most 110"):
        Framework.model_validate(raw)


def test_a_competence_without_level_meanings_is_refused() -> None:
    raw = raw_framework()
    del raw["areas"][0]["competences"][0]["levels"]
    with pytest.raises(ValidationError, match="levels"):
        Framework.model_validate(raw)
