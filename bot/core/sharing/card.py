"""A test's result as a card to share: a 1200 x 630 PNG (the size chats preview best), readable
on a phone. Drawn like the profile chart (bot/core/chart.py): matplotlib's object-oriented API
on the Agg canvas, no pyplot and no global state, so it runs in ``asyncio.to_thread``; the
fonts are matplotlib's own (no network, no download), and the PNG has no timestamp.

matplotlib is imported inside ``result_card``: only a share pays for loading it."""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from matplotlib.text import Text

WIDTH_PX: Final = 1200
HEIGHT_PX: Final = 630
DPI: Final = 100
MARGIN: Final = 0.06  # of the width, left and right
LEFT: Final = 0.09  # the texts start right of the area's colour band
BAND: Final = 0.035  # the colour band's width

BACKGROUND: Final = "#FFFFFF"
EMPTY_STEP: Final = "#E4E4E4"
MUTED: Final = "#666666"
CODE_PT: Final = 40
NAME_PT: Final = (30, 26, 22)  # tried in turn until the name fits in two lines
LEVEL_PT: Final = 44
PIX_PT: Final = 28
MEANING_PT: Final = (22, 20, 18)
LINK_PT: Final = 20
NAME_WIDTHS: Final = (40, 34, 28, 24)  # characters per line, tried in turn
MEANING_WIDTHS: Final = (60, 52, 46, 40)


@dataclass(frozen=True)
class CardText:
    """What the card says, already translated (plain text, no HTML)."""

    code: str  # "4.1"
    name: str  # the competence's name
    level: int
    max_level: int
    level_line: str  # "Level 3 of 6"
    pix_line: str  # "24 pix"
    meaning: str  # a short line on what the level means
    link: str = ""  # "t.me/<bot>", or nothing (the terminal chat knows no bot)


def result_card(card: CardText) -> bytes:
    """The card as PNG bytes, WIDTH_PX x HEIGHT_PX. Raises ValueError on a level outside
    0..max_level."""
    if not 0 <= card.level <= card.max_level or card.max_level < 1:
        raise ValueError(f"level {card.level} out of 0-{card.max_level}")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    from bot.core.chart import AREA_COLOURS, FONT, TEXT_COLOUR

    area = card.code.split(".")[0]
    colour = AREA_COLOURS[(int(area) - 1) % len(AREA_COLOURS)] if area.isdigit() else MUTED
    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, facecolor=BACKGROUND)
    FigureCanvasAgg(figure)
    figure.add_artist(Rectangle((0, 0), BAND, 1, transform=figure.transFigure, color=colour))

    def write(x: float, y: float, text: str, **options: Any) -> Text:
        style: dict[str, Any] = {"family": FONT, "color": TEXT_COLOUR, "va": "top"}
        return figure.text(x, y, text, **(style | options))

    write(LEFT, 0.92, card.code, fontsize=CODE_PT, fontweight="bold", color=colour)
    _fit(figure, write(LEFT, 0.78, "", fontweight="bold"), card.name, NAME_PT, NAME_WIDTHS)

    # The level in words and pix, then one step per level, filled up to the learner's.
    write(LEFT, 0.54, card.level_line, fontsize=LEVEL_PT, fontweight="bold")
    write(1 - MARGIN, 0.54, card.pix_line, fontsize=PIX_PT, ha="right", color=MUTED)
    step = (1 - LEFT - MARGIN) / card.max_level
    for index in range(card.max_level):
        filled = colour if index < card.level else EMPTY_STEP
        figure.add_artist(
            Rectangle(
                (LEFT + index * step, 0.31),
                step * 0.9,
                0.05,
                transform=figure.transFigure,
                color=filled,
            )
        )

    meaning = write(LEFT, 0.25, "", fontstyle="italic")
    _fit(figure, meaning, card.meaning, MEANING_PT, MEANING_WIDTHS)
    if card.link:
        write(
            1 - MARGIN,
            0.05,
            card.link,
            fontsize=LINK_PT,
            fontweight="bold",
            ha="right",
            va="bottom",
            color=colour,
        )

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def _fit(
    figure: Figure, artist: Text, text: str, sizes: tuple[int, ...], widths: tuple[int, ...]
) -> None:
    """Wrap ``text`` in at most two lines that fit between the margins, at the largest size
    that allows it; at the smallest size, cut to two lines when none does."""
    right = (1 - MARGIN) * figure.bbox.width
    for size, cut in [(size, False) for size in sizes] + [(sizes[-1], True)]:
        artist.set_fontsize(size)
        for width in widths:
            lines = textwrap.wrap(text, width, max_lines=2 if cut else None, placeholder="…")
            artist.set_text("\n".join(lines[:2]) or " ")
            if len(lines) <= 2 and artist.get_window_extent().x1 <= right:
                return
