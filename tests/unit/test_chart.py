"""The profile radar chart: a valid, square, deterministic PNG, drawn without global state."""

from __future__ import annotations

import functools
import io
import itertools
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest
from PIL import Image

from bot.core.chart import profile_chart, profile_figure
from bot.core.chart_input import ChartCompetence

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SIZE = (1080, 1080)

AREAS_EN = {
    "1": "Information and data",
    "2": "Communication and collaboration",
    "3": "Content creation",
    "4": "Protection and security",
    "5": "Digital environment",
}
AREAS_FR = {
    "1": "Information et données",
    "2": "Communication et collaboration",
    "3": "Création de contenu",
    "4": "Protection et sécurité",
    "5": "Environnement numérique",
}
AREAS_SV = {
    "1": "Information och data",
    "2": "Kommunikation och samarbete",
    "3": "Skapa innehåll",
    "4": "Säkra den digitala miljön",
    "5": "Digital miljö",
}
# The framework's short names (content/framework.yaml), in framework order.
SHORTS = {
    "en": [
        "Search", "Data management", "Data processing", "Interaction", "Sharing",
        "Collaboration", "Citizenship", "Text documents", "Multimedia", "Adaptation",
        "Programming", "Security", "Privacy", "Health", "Troubleshooting", "Digital setup",
    ],
    "fr": [
        "Recherche", "Données", "Traitement", "Interaction", "Partage", "Collaboration",
        "Citoyenneté", "Documents texte", "Multimédia", "Adaptation", "Programmation",
        "Sécurité", "Vie privée", "Santé", "Dépannage", "Configuration",
    ],
    "sv": [
        "Sökning", "Datahantering", "Databehandling", "Interaktion", "Delning", "Samarbete",
        "Medborgarskap", "Textdokument", "Multimedia", "Anpassning", "Programmering",
        "Säkerhet", "Integritet", "Hälsa", "Felsökning", "Konfiguration",
    ],
}  # fmt: skip
AREAS = {"en": AREAS_EN, "fr": AREAS_FR, "sv": AREAS_SV}
CODES = [
    f"{area}.{n}"
    for area, count in (("1", 3), ("2", 4), ("3", 4), ("4", 3), ("5", 2))
    for n in range(1, count + 1)
]
LEVELS: list[int | None] = [3, 2, 4, 1, 0, None, 2, 5, 3, None, 1, 2, 6, 3, 6, None]
MAX_LEVEL = 6


def profile(
    levels: list[int | None] | None = None,
    names: dict[str, str] | None = None,
    shorts: list[str] | None = None,
) -> list[ChartCompetence]:
    levels = LEVELS if levels is None else levels
    names = names or AREAS_EN
    shorts = shorts or SHORTS["en"]
    return [
        ChartCompetence(
            code=code, area=code[0], area_name=names[code[0]], short=short, level=level
        )
        for code, short, level in zip(CODES, shorts, levels, strict=True)
    ]


def draw(
    competences: list[ChartCompetence],
    untested_label: str | None = None,
    max_level: int = MAX_LEVEL,
) -> bytes:
    title = "Your profile: 52 pix"
    return profile_chart(
        competences, 52, title, "level", max_level=max_level, untested_label=untested_label
    )


@functools.cache
def base_png() -> bytes:
    """The example profile, drawn once for the tests that compare against it."""
    return draw(profile())


def decoded_size(png: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(png)) as image:
        image.load()
        return tuple(image.size)


def test_the_chart_is_a_square_phone_sized_png() -> None:
    png = base_png()
    assert png.startswith(PNG_SIGNATURE)
    assert decoded_size(png) == SIZE


def test_the_same_profile_gives_the_same_bytes() -> None:
    assert draw(profile()) == base_png()


def test_the_png_carries_no_timestamp_or_software_version() -> None:
    png = base_png()
    assert b"tIME" not in png
    assert b"Software" not in png
    assert b"matplotlib" not in png.lower()


def test_a_changed_level_changes_the_image() -> None:
    competences = profile()
    changed = list(competences)
    changed[0] = replace(changed[0], level=4)
    assert draw(changed) != base_png()


def test_tested_at_level_zero_differs_from_not_tested() -> None:
    competences = profile()
    assert competences[5].level is None
    zero = list(competences)
    zero[5] = replace(zero[5], level=0)
    assert draw(zero) != base_png()


def test_the_title_and_axis_label_are_drawn() -> None:
    competences = profile()
    base = base_png()
    assert base != profile_chart(competences, 53, "Your profile: 53 pix", "level", max_level=6)
    assert base != profile_chart(competences, 52, "Your profile: 52 pix", "niveau", max_level=6)


@pytest.mark.parametrize(
    "levels",
    [[None] * 16, [6] * 16, [8] * 16, [0] * 16],
    ids=["nothing-tested", "all-six", "all-eight", "all-zero"],
)
def test_extreme_profiles(levels: list[int | None]) -> None:
    png = draw(profile(levels))
    assert png.startswith(PNG_SIGNATURE)
    assert decoded_size(png) == SIZE


@pytest.mark.parametrize("names", [AREAS_FR, AREAS_SV], ids=["fr", "sv"])
def test_non_ascii_area_names(names: dict[str, str]) -> None:
    png = profile_chart(profile(names=names), 52, "Ton profil : 52 pix", "niveau", max_level=6)
    assert decoded_size(png) == SIZE
    assert png != base_png()


def test_long_title_and_area_names_still_fit_the_square() -> None:
    names = {area: f"{name} — {name} — {name}" for area, name in AREAS_FR.items()}
    title = "Ton profil : 52 pix, mesuré sur les seize compétences du référentiel numérique"
    png = profile_chart(
        profile(names=names), 52, title, "niveau", max_level=6, untested_label="non testé"
    )
    assert decoded_size(png) == SIZE


def test_the_untested_legend_entry_is_optional() -> None:
    assert draw(profile(), untested_label="not tested") != base_png()


@pytest.mark.parametrize("level", [-1, 9])
def test_a_level_out_of_range_is_refused(level: int) -> None:
    competences = profile()
    competences[0] = replace(competences[0], level=level)
    with pytest.raises(ValueError, match=r"1\.1"):
        draw(competences)


def test_an_empty_profile_is_refused() -> None:
    with pytest.raises(ValueError):
        draw([])


def test_concurrent_calls_from_threads_give_the_serial_bytes() -> None:
    variants = [profile(), profile([8] * 16), profile(names=AREAS_SV)]
    serial = [draw(competences) for competences in variants]
    with ThreadPoolExecutor(max_workers=4) as pool:
        threaded = list(pool.map(draw, variants * 2))
    assert threaded == serial * 2


def test_no_global_matplotlib_state_is_touched() -> None:
    import matplotlib

    before = dict(matplotlib.rcParams)
    draw(profile([None] * 16))
    assert dict(matplotlib.rcParams) == before


def test_pyplot_is_never_imported() -> None:
    code = (
        "import sys\n"
        "from bot.core.chart import profile_chart\n"
        "from bot.core.chart_input import ChartCompetence\n"
        "profile_chart([ChartCompetence('1.1', '1', 'A', 'a', 3)], 24, 't', 'l', max_level=6)\n"
        "assert 'matplotlib.pyplot' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_the_scale_ends_at_the_open_maximum() -> None:
    """Levels 1-6 open: the rings stop at 6 (labelled 2, 4, 6), not at Pix's 8."""
    figure = profile_figure(profile(), 52, "t", "level", max_level=MAX_LEVEL)
    (axes,) = figure.axes
    assert axes.get_ylim() == (0, 6)
    labels = [label.get_text() for label in axes.get_yticklabels() if label.get_text()]
    assert labels == ["2", "4", "6"]
    assert draw(profile(), max_level=8) != base_png()


def test_a_level_above_a_lowered_maximum_still_shows_whole() -> None:
    levels = [7, *[None] * 15]
    (axes,) = profile_figure(profile(levels), 52, "t", "level", max_level=6).axes
    assert axes.get_ylim() == (0, 7)


@pytest.mark.parametrize("language", ["en", "fr", "sv"])
@pytest.mark.parametrize(
    "levels", [LEVELS, [5, *[None] * 15], [6] * 16], ids=["mixed", "one", "all"]
)
def test_each_competence_is_named_by_code_and_short_name_without_overlaps(
    language: str, levels: list[int | None]
) -> None:
    competences = profile(levels, AREAS[language], SHORTS[language])
    figure = profile_figure(competences, 52, "Profile: 52 pix", "level", max_level=MAX_LEVEL)
    figure.canvas.draw()  # places the numbers' circles
    title = figure.get_suptitle()
    assert title == "Profile: 52 pix"
    names = [text for text in figure.texts if text.get_text() != title]
    assert [text.get_text() for text in names] == [
        f"{code}\n{short}" for code, short in zip(CODES, SHORTS[language], strict=True)
    ]
    (axes,) = figure.axes
    circles = [
        patch.get_window_extent()
        for patch in (text.get_bbox_patch() for text in axes.texts)
        if patch is not None
    ]
    assert len(circles) == 16
    scale = [text.get_window_extent() for text in axes.texts if text.get_bbox_patch() is None]
    others = [*circles, *scale, *(legend.get_window_extent() for legend in figure.legends)]
    others += [text.get_window_extent() for text in figure.texts if text.get_text() == title]
    page = figure.bbox
    placed = [name.get_window_extent() for name in names]
    for name, box in zip(names, placed, strict=True):
        assert page.x0 <= box.x0 and box.x1 <= page.x1, name.get_text()
        assert page.y0 <= box.y0 and box.y1 <= page.y1, name.get_text()
        assert not any(box.overlaps(other) for other in others), name.get_text()
    for a, b in itertools.combinations(placed, 2):
        assert not a.overlaps(b)
