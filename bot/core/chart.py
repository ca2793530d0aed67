"""The learner's profile as a radar chart: a square PNG sized for a phone screen.

Pure and thread-safe: matplotlib's object-oriented API with the Agg canvas only (no pyplot,
no global state, no rcParams changes), so the bot can call it with ``asyncio.to_thread``.
The output is deterministic (no timestamp or version in the PNG metadata), so it can be
cached by content.
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.projections.polar import PolarAxes
from matplotlib.text import Text

MAX_LEVEL: Final = 8
SIZE_INCHES: Final = 6.0
DPI: Final = 180  # 6 in x 180 dpi = 1080 x 1080 px

# Okabe-Ito, the colour-blind-safe palette, without yellow (too pale on white).
AREA_COLOURS: Final = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9")
TEXT_COLOUR: Final = "#222222"
GRID_COLOUR: Final = "#BBBBBB"
UNTESTED_COLOUR: Final = "#777777"
UNTESTED_MARK: Final = "–"  # written instead of a level number: language-neutral
BAR_ALPHA: Final = 0.85

FONT: Final = "DejaVu Sans"  # bundled with matplotlib: the same glyphs, hence bytes, everywhere
TITLE_PT: Final = 16
NUMBER_PT: Final = 13  # level numbers and competence codes
SMALL_PT: Final = 11  # legend and radial axis: the smallest text, still legible on a phone
MARKER_PT: Final = 6.5

INNER_HOLE: Final = 2.0  # radial room below level 0, so level-0 marks do not meet at the centre
BADGE_RADIUS: Final = MAX_LEVEL + 1.0  # the level numbers, in circles just outside the rim
CODE_OFFSET_PT: Final = 13.0  # the competence codes, this far beyond the level numbers' centres

# Layout, in fractions of the figure.
MARGIN: Final = 0.015
LABEL_ROOM: Final = 0.09  # beyond the rim, for level numbers and codes (above and below)
MAX_DIAMETER: Final = 0.62
TITLE_WIDTHS: Final = (42, 34, 28, 22)  # characters per title line, tried in turn
LEGEND_WIDTHS: Final = (40, 30, 24, 18)  # characters per legend line, tried in turn


@dataclass(frozen=True)
class ChartCompetence:
    code: str  # "1.1"
    area: str  # "1"
    area_name: str  # translated, e.g. "Information and data"
    level: int | None  # 0-8, None = not tested


def profile_chart(
    competences: Sequence[ChartCompetence],
    total_pix: int,
    title: str,
    level_label: str,
    *,
    untested_label: str | None = None,
) -> bytes:
    """Draw the profile as a radar chart and return the PNG bytes (1080 x 1080 px).

    ``competences`` come in framework order; consecutive competences of one area form a
    coloured group. ``title`` is drawn as is (it already carries ``total_pix``, which is
    accepted for callers' convenience and as part of their cache key). ``untested_label``,
    when given, adds a legend entry explaining the hollow marks of competences not tested.
    Raises ``ValueError`` on an empty profile or a level outside 0-8.
    """
    del total_pix  # already in the translated title
    _validate(competences)
    areas: dict[str, str] = {}
    for competence in competences:
        areas.setdefault(competence.area, competence.area_name)
    colours = {area: AREA_COLOURS[i % len(AREA_COLOURS)] for i, area in enumerate(areas)}

    figure = Figure(figsize=(SIZE_INCHES, SIZE_INCHES), dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)  # the Agg canvas, not pyplot's: no global state
    chart_top = _title(figure, title)
    chart_bottom = _legend(figure, areas, colours, untested_label)

    # The chart fills the band between title and legend, keeping room for the outer labels.
    band = chart_top - chart_bottom - 2 * LABEL_ROOM
    diameter = max(min(MAX_DIAMETER, band), 0.2)
    centre = (chart_top + chart_bottom) / 2
    axes = figure.add_axes(
        (0.5 - diameter / 2, centre - diameter / 2, diameter, diameter), projection="polar"
    )
    assert isinstance(axes, PolarAxes)
    _draw(axes, competences, colours, level_label)

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def _validate(competences: Sequence[ChartCompetence]) -> None:
    if not competences:
        raise ValueError("profile_chart needs at least one competence")
    for competence in competences:
        if competence.level is not None and not 0 <= competence.level <= MAX_LEVEL:
            raise ValueError(
                f"level of {competence.code} out of 0-{MAX_LEVEL}: {competence.level}"
            )


def _fits(artist: Text | Legend, figure: Figure) -> bool:
    box = artist.get_window_extent()
    width = figure.bbox.width
    return bool(box.x0 >= MARGIN * width and box.x1 <= (1 - MARGIN) * width)


def _height(artist: Text | Legend, figure: Figure) -> float:
    """The artist's height as a fraction of the figure's."""
    box = artist.get_window_extent()
    return float(box.height / figure.bbox.height)


def _title(figure: Figure, title: str) -> float:
    """Draw the title at the top, wrapped to fit; return the bottom of its room."""
    text = figure.suptitle(
        " ",
        fontsize=TITLE_PT,
        fontweight="bold",
        color=TEXT_COLOUR,
        family=FONT,
        y=1 - MARGIN,
        va="top",
    )
    for width in TITLE_WIDTHS:
        text.set_text("\n".join(textwrap.wrap(title, width)) or " ")
        if _fits(text, figure):
            break
    return 1 - MARGIN - _height(text, figure) - MARGIN


def _legend(
    figure: Figure,
    areas: dict[str, str],
    colours: dict[str, str],
    untested_label: str | None,
) -> float:
    """Name the areas (and the hollow mark) at the bottom, wrapped to fit; return its top."""
    legend: Legend | None = None
    for width in LEGEND_WIDTHS:
        if legend is not None:
            legend.remove()
        handles: list[Patch | Line2D] = [
            Patch(
                facecolor=colours[area],
                alpha=BAR_ALPHA,
                label="\n".join(textwrap.wrap(f"{area}  {name}", width)),
            )
            for area, name in areas.items()
        ]
        if untested_label:
            handles.append(
                Line2D(
                    [],
                    [],
                    linestyle="none",
                    marker="o",
                    markersize=MARKER_PT + 2,
                    markerfacecolor="white",
                    markeredgecolor=UNTESTED_COLOUR,
                    markeredgewidth=1.8,
                    label="\n".join(textwrap.wrap(f"{UNTESTED_MARK}  {untested_label}", width)),
                )
            )
        legend = figure.legend(
            handles=handles,
            loc="lower center",
            bbox_to_anchor=(0.5, MARGIN),
            ncols=2,
            frameon=False,
            prop={"size": SMALL_PT, "family": FONT},
            handlelength=1.2,
            columnspacing=1.2,
            labelspacing=0.4,
            labelcolor=TEXT_COLOUR,
            borderaxespad=0,
        )
        if _fits(legend, figure):
            break
    assert legend is not None
    return MARGIN + _height(legend, figure) + MARGIN


def _angles(competences: Sequence[ChartCompetence]) -> tuple[list[float], float, float]:
    """Spoke angles, the first gap's angle and the slot width: one empty slot before each area."""
    slots = len(competences) + len({c.area for c in competences})
    step = 2 * math.pi / slots
    spokes: list[float] = []
    slot = 0
    previous: str | None = None
    for competence in competences:
        if competence.area != previous:
            slot += 1  # the gap
            previous = competence.area
        spokes.append(slot * step)
        slot += 1
    return spokes, 0.0, step


def _outward(component: float, positive: str, negative: str) -> str:
    """Text alignment that pushes a label away from the centre along one screen axis."""
    if component > 0.3:
        return positive
    if component < -0.3:
        return negative
    return "center"


def _draw(
    axes: PolarAxes,
    competences: Sequence[ChartCompetence],
    colours: dict[str, str],
    level_label: str,
) -> None:
    spokes, gap, step = _angles(competences)
    axes.set_theta_zero_location("N")
    axes.set_theta_direction(-1)
    axes.set_ylim(0, MAX_LEVEL)
    axes.set_rorigin(-INNER_HOLE)
    axes.set_facecolor("white")
    for spine in axes.spines.values():
        spine.set_color(GRID_COLOUR)

    # Rings at every level, labelled every other level along the empty slot at the top.
    axes.set_yticks(range(MAX_LEVEL + 1))
    axes.set_yticklabels(
        [str(level) if level % 2 == 0 and level else "" for level in range(MAX_LEVEL + 1)],
        fontsize=SMALL_PT,
        color=UNTESTED_COLOUR,
        family=FONT,
    )
    axes.set_rlabel_position(math.degrees(gap))
    axes.yaxis.grid(True, color=GRID_COLOUR, linewidth=0.7)
    axes.annotate(
        level_label,
        (gap, MAX_LEVEL),
        xytext=(0, 10),
        textcoords="offset points",
        annotation_clip=False,
        ha="center",
        va="bottom",
        fontsize=SMALL_PT,
        fontstyle="italic",
        color=UNTESTED_COLOUR,
        family=FONT,
    )

    # A spoke per competence (no tick labels: the codes are drawn below, outside the numbers).
    axes.set_xticks(spokes)
    axes.set_xticklabels([])
    axes.xaxis.grid(True, color=GRID_COLOUR, linewidth=0.7)

    # The levels: a bar per tested competence, from the inner ring (level 0) outwards.
    tested = [(a, c) for a, c in zip(spokes, competences, strict=True) if c.level is not None]
    axes.bar(
        [angle for angle, _ in tested],
        [c.level or 0 for _, c in tested],
        width=step * 0.78,
        bottom=0,
        color=[colours[c.area] for _, c in tested],
        alpha=BAR_ALPHA,
        edgecolor="white",
        linewidth=1,
        zorder=2,
    )

    for angle, competence in zip(spokes, competences, strict=True):
        colour = colours[competence.area]
        untested = competence.level is None
        # Level 0 has no bar: a filled dot on the inner ring; not tested: a hollow one.
        if competence.level is None or competence.level == 0:
            axes.plot(
                [angle],
                [0],
                linestyle="none",
                marker="o",
                markersize=MARKER_PT,
                markerfacecolor="white" if untested else colour,
                markeredgecolor=UNTESTED_COLOUR if untested else colour,
                markeredgewidth=1.8,
                zorder=4,
                clip_on=False,
            )
        # The level as a number in a circle (dashed and "–" when not tested)...
        axes.text(
            angle,
            BADGE_RADIUS,
            UNTESTED_MARK if competence.level is None else str(competence.level),
            ha="center",
            va="center",
            fontsize=NUMBER_PT,
            fontweight="bold",
            color=UNTESTED_COLOUR if untested else TEXT_COLOUR,
            family=FONT,
            zorder=5,
            clip_on=False,
            bbox={
                "boxstyle": "circle,pad=0.25",
                "facecolor": "white",
                "edgecolor": UNTESTED_COLOUR if untested else colour,
                "linewidth": 1.8,
                "linestyle": "--" if untested else "-",
            },
        )
        # ... and, beyond it, the competence code in the area's colour.
        axes.annotate(
            competence.code,
            (angle, BADGE_RADIUS),
            xytext=(CODE_OFFSET_PT * math.sin(angle), CODE_OFFSET_PT * math.cos(angle)),
            textcoords="offset points",
            annotation_clip=False,
            ha=_outward(math.sin(angle), "left", "right"),
            va=_outward(math.cos(angle), "bottom", "top"),
            fontsize=NUMBER_PT,
            fontweight="bold",
            color=colour,
            family=FONT,
        )
