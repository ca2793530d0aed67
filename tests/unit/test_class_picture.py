"""The class picture (issue 21): a PNG 1080 px wide, one row per learner who shared, a cell
per competence, deterministic, that Telegram accepts as a photo for a large class, and drawn
whatever a learner's first name holds (emoji, dollar signs that matplotlib would read as maths)."""

from __future__ import annotations

import io

from PIL import Image

from bot.core.campaigns.picture import MAX_ROWS, HeatmapRow, class_heatmap

CODES = [
    f"{area}.{n}"
    for area, count in ((1, 3), (2, 4), (3, 4), (4, 3), (5, 2))
    for n in range(1, count + 1)
]


def rows(count: int, columns: int = 16) -> list[HeatmapRow]:
    return [
        HeatmapRow(f"{n}. Léa · S-{n:03d}", tuple((n + c) % 7 for c in range(columns)))
        for n in range(1, count + 1)
    ]


def size(png: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(png)) as image:
        return image.size


def test_a_class_is_a_phone_wide_png_a_row_per_learner() -> None:
    small = class_heatmap("5B", CODES, rows(3), 6)
    large = class_heatmap("5B", CODES, rows(35), 6)
    assert small.startswith(b"\x89PNG\r\n\x1a\n")
    assert size(small)[0] == size(large)[0] == 1080
    assert size(large)[1] > size(small)[1] + 30 * 50  # about 60 px a learner


def test_the_same_class_gives_the_same_bytes_and_a_level_changes_them() -> None:
    first = class_heatmap("5B", CODES[:2], rows(4, 2), 6)
    assert first == class_heatmap("5B", CODES[:2], rows(4, 2), 6)
    changed = rows(4, 2)
    changed[0] = HeatmapRow(changed[0].label, (6, None))
    assert class_heatmap("5B", CODES[:2], changed, 6) != first


def test_any_first_name_is_drawn_without_a_warning() -> None:
    """Tests turn warnings into errors: a glyph missing from the font, or a name read as
    mathtext ("$x$"), would fail here."""
    odd = [
        HeatmapRow("1. 😀 $x$ Zoë", (1, 2)),
        HeatmapRow("2. 李小龍 · ١٢٣", (None, 0)),
        HeatmapRow("3. " + "W" * 80, (6, 6)),
    ]
    assert class_heatmap("$5B$ — 🎓 " + "long " * 30, CODES[:2], odd, 6).startswith(b"\x89PNG")


def test_a_very_large_class_stays_within_telegrams_photo_limits() -> None:
    """Telegram refuses a photo whose width and height add up to over 10,000 px or whose
    sides differ by over 20 times: the picture draws at most MAX_ROWS learners."""
    width, height = size(class_heatmap("5B", CODES, rows(500), 6))
    assert height == size(class_heatmap("5B", CODES, rows(MAX_ROWS), 6))[1]
    assert width + height <= 10_000 and height / width <= 20
    width, height = size(class_heatmap("5B", CODES[:1], rows(1, 1), 6))
    assert width / height <= 20
