"""The class picture: a heatmap of learners (rows) by competences (columns), each cell the
learner's level, sized for a phone (1080 px wide, a row per learner).

Pure and thread-safe like bot/core/chart.py (matplotlib's object API on an Agg canvas, no
pyplot): the bot draws it with ``asyncio.to_thread``, and matplotlib loads in that thread with
the first picture, never at start. The PNG is deterministic (no timestamp in its metadata).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Final

from bot.core.text import cut

MAX_ROWS: Final = 60  # learners drawn; Telegram refuses a photo over 10,000 px high or 1:20
WIDTH_IN: Final = 6.0
DPI: Final = 180  # 6 in x 180 dpi = 1080 px wide
ROW_IN: Final = 0.34
HEAD_IN: Final = 0.95  # the title and the competences' codes
FOOT_IN: Final = 0.45  # the colour scale
LABEL_IN: Final = 1.9  # the learners' names
NAME_CHARACTERS: Final = 16
TITLE_CHARACTERS: Final = 44
FONT: Final = "DejaVu Sans"  # bundled with matplotlib
TEXT_COLOUR: Final = "#222222"
EMPTY_COLOUR: Final = "#EEEEEE"
NUMBER_PT: Final = 11
NAME_PT: Final = 11
TITLE_PT: Final = 14
# Light to dark blue (ColorBrewer Blues, colour-blind safe): one shade per level 0-8.
SHADES: Final = (
    "#F7FBFF",
    "#DEEBF7",
    "#C6DBEF",
    "#9ECAE1",
    "#6BAED6",
    "#4292C6",
    "#2171B5",
    "#08519C",
    "#08306B",
)
DARK_FROM: Final = 5  # white digits on these shades and darker


@dataclass(frozen=True)
class HeatmapRow:
    label: str  # "3. Léa · S-12"
    levels: tuple[int | None, ...]  # per column; None: not finished


@cache
def _drawable() -> frozenset[int]:
    """The code points the bundled font draws: any other (an emoji in a first name) would
    make matplotlib warn about a missing glyph and draw a box."""
    from matplotlib import font_manager, ft2font

    return frozenset(ft2font.FT2Font(font_manager.findfont(FONT)).get_charmap())


def drawable(text: str, room: int) -> str:
    kept = "".join(c if ord(c) in _drawable() else "?" for c in text if c.isprintable())
    return cut(kept, room)


def class_heatmap(
    title: str, columns: Sequence[str], rows: Sequence[HeatmapRow], max_level: int
) -> bytes:
    """The heatmap as PNG bytes; at most MAX_ROWS rows are drawn (the caller says so)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    rows = list(rows)[:MAX_ROWS]
    count = max(len(rows), 1)
    height = HEAD_IN + count * ROW_IN + FOOT_IN
    figure = Figure(figsize=(WIDTH_IN, height), dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)
    grid_left = LABEL_IN / WIDTH_IN
    grid_width = (WIDTH_IN - LABEL_IN - 0.15) / WIDTH_IN
    cell_w = grid_width / max(len(columns), 1)
    cell_h = ROW_IN / height
    top = 1 - HEAD_IN / height
    style: dict[str, Any] = {"family": FONT, "color": TEXT_COLOUR, "parse_math": False}

    figure.text(
        0.03,
        1 - 0.12 / height,
        drawable(title, TITLE_CHARACTERS),
        fontsize=TITLE_PT,
        fontweight="bold",
        va="top",
        **style,
    )
    for index, code in enumerate(columns):
        figure.text(
            grid_left + (index + 0.5) * cell_w,
            top + 0.06 / height,
            drawable(code, 5),
            fontsize=NUMBER_PT if len(columns) <= 12 else NUMBER_PT - 2,
            ha="center",
            va="bottom",
            rotation=0 if len(columns) <= 12 else 90,
            **style,
        )
    for position, row in enumerate(rows):
        y = top - (position + 1) * cell_h
        figure.text(
            0.03,
            y + cell_h / 2,
            drawable(row.label, NAME_CHARACTERS),
            fontsize=NAME_PT,
            va="center",
            **style,
        )
        for index, level in enumerate(row.levels[: len(columns)]):
            shade = EMPTY_COLOUR if level is None else SHADES[min(max(level, 0), 8)]
            x = grid_left + index * cell_w
            figure.add_artist(
                Rectangle(
                    (x, y),
                    cell_w,
                    cell_h,
                    transform=figure.transFigure,
                    facecolor=shade,
                    edgecolor="white",
                    linewidth=1.5,
                )
            )
            dark = level is not None and level >= DARK_FROM
            figure.text(
                x + cell_w / 2,
                y + cell_h / 2,
                "–" if level is None else str(level),
                fontsize=NUMBER_PT,
                fontweight="bold",
                ha="center",
                va="center",
                **(style | {"color": "white" if dark else TEXT_COLOUR}),
            )
    # The scale: each level's shade with its number, under the grid.
    step = grid_width / (max_level + 1)
    scale_y = 0.12 / height
    scale_h = 0.22 / height
    for level in range(max_level + 1):
        x = grid_left + level * step
        figure.add_artist(
            Rectangle(
                (x, scale_y),
                step,
                scale_h,
                transform=figure.transFigure,
                facecolor=SHADES[min(level, 8)],
                edgecolor="white",
            )
        )
        figure.text(
            x + step / 2,
            scale_y + scale_h / 2,
            str(level),
            fontsize=NUMBER_PT - 2,
            ha="center",
            va="center",
            **(style | {"color": "white" if level >= DARK_FROM else TEXT_COLOUR}),
        )
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()
