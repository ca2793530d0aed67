"""The learner's profile as a radar chart: a square PNG sized for a phone screen.

Pure and thread-safe: matplotlib's object-oriented API with the Agg canvas only (no pyplot,
no global state, no rcParams changes), so the bot can call it with ``asyncio.to_thread``.
The output is deterministic (no timestamp or version in the PNG metadata), so it can be
cached by content.
"""

from __future__ import annotations

import io
import itertools
import math
import textwrap
from collections.abc import Sequence
from typing import Final

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.projections.polar import PolarAxes
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from bot.core.chart_input import ChartCompetence

HIGHEST_LEVEL: Final = 8  # Pix's levels; the scale ends at the open maximum, below or at it
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
NUMBER_PT: Final = 13  # level numbers
SMALL_PT: Final = 11  # legend, radial axis and names: the smallest text, legible on a phone
MARKER_PT: Final = 6.5

INNER_HOLE: Final = 2.0  # radial room below level 0, so level-0 marks do not meet at the centre
BADGE_GAP: Final = 1.0  # the level numbers, in circles this far outside the rim
BADGE_PAD: Final = 0.25  # a number's circle reaches this far beyond its digits, in font sizes
NAME_GAP: Final = 4.0  # points between a name and a number's circle or another name
PX: Final = DPI / 72  # pixels per point

# Layout, in fractions of the figure.
MARGIN: Final = 0.015
DIAMETERS: Final = (0.56, 0.53, 0.50, 0.47, 0.44, 0.41, 0.38)  # tried in turn until names fit
NAME_WIDTHS: Final = (None, 9)  # a short name on one line, else wrapped at this many characters
TITLE_WIDTHS: Final = (42, 34, 28, 22)  # characters per title line, tried in turn
LEGEND_WIDTHS: Final = (40, 30, 24, 18)  # characters per legend line, tried in turn


def profile_chart(
    competences: Sequence[ChartCompetence],
    total_pix: int,
    title: str,
    level_label: str,
    *,
    max_level: int,
    untested_label: str | None = None,
) -> bytes:
    """Draw the profile as a radar chart and return the PNG bytes (1080 x 1080 px).

    ``competences`` come in framework order; consecutive competences of one area form a
    coloured group, each named by its code and short name. The scale ends at ``max_level``,
    the highest level open (or at a higher level reached before it was lowered). ``title`` is
    drawn as is (it already carries ``total_pix``, accepted as part of callers' cache key).
    ``untested_label``, when given, adds a legend entry explaining the hollow marks of
    competences not tested. Raises ``ValueError`` on an empty profile or a level outside 0-8.
    """
    figure = profile_figure(
        competences,
        total_pix,
        title,
        level_label,
        max_level=max_level,
        untested_label=untested_label,
    )
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def profile_figure(
    competences: Sequence[ChartCompetence],
    total_pix: int,
    title: str,
    level_label: str,
    *,
    max_level: int,
    untested_label: str | None = None,
) -> Figure:
    """The figure :func:`profile_chart` saves, for tests to measure what it holds: the
    competences' names are the figure's texts, the level numbers its polar axes' texts."""
    del total_pix  # already in the translated title
    _validate(competences, max_level)
    top = max([max_level, *(c.level for c in competences if c.level is not None)])
    areas: dict[str, str] = {}
    for competence in competences:
        areas.setdefault(competence.area, competence.area_name)
    colours = {area: AREA_COLOURS[i % len(AREA_COLOURS)] for i, area in enumerate(areas)}

    figure = Figure(figsize=(SIZE_INCHES, SIZE_INCHES), dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)  # the Agg canvas, not pyplot's: no global state
    bottom = _legend(figure, areas, colours, untested_label)
    room = Bbox.from_extents(MARGIN, bottom, 1 - MARGIN, _title(figure, title))
    _chart(figure, room, competences, colours, level_label, top)
    return figure


def _chart(
    figure: Figure,
    room: Bbox,
    competences: Sequence[ChartCompetence],
    colours: dict[str, str],
    level_label: str,
    top: int,
) -> None:
    """The largest chart whose names fit in ``room`` beside their level numbers, each name
    clear of the others (the smallest tried when none does)."""
    spokes, _, _ = _angles(competences)
    area = room.transformed(figure.transFigure)  # in pixels from here on
    centre = (figure.bbox.width / 2, (area.y0 + area.y1) / 2)
    badge = _badge_radius(figure)
    names: list[Text] = []
    boxes: list[Bbox] = []
    diameter = DIAMETERS[-1]
    for width in NAME_WIDTHS:
        for text in names:
            text.remove()
        names = [
            figure.text(
                0,
                0,
                _name(competence, width),
                ha="left" if math.sin(angle) >= 0 else "right",
                va="center",
                multialignment="left" if math.sin(angle) >= 0 else "right",
                linespacing=1.1,
                fontsize=SMALL_PT,
                fontweight="bold",
                color=colours[competence.area],
                family=FONT,
            )
            for competence, angle in zip(competences, spokes, strict=True)
        ]
        sizes = [(box.width, box.height) for box in (t.get_window_extent() for t in names)]
        for diameter in DIAMETERS:
            rim = diameter * figure.bbox.width / 2
            ring = rim * (top + BADGE_GAP + INNER_HOLE) / (top + INNER_HOLE)
            badges = [
                (centre[0] + ring * math.sin(a), centre[1] + ring * math.cos(a)) for a in spokes
            ]
            boxes = _placed(badges, spokes, sizes, badge, area)
            if not _collisions(boxes, badges, badge, centre, rim, area):
                break
        else:
            continue
        break

    axes = figure.add_axes(
        (0.5 - diameter / 2, centre[1] / figure.bbox.height - diameter / 2, diameter, diameter),
        projection="polar",
    )
    assert isinstance(axes, PolarAxes)
    _draw(axes, competences, colours, level_label, top)
    for text, box in zip(names, boxes, strict=True):
        x = box.x0 if text.get_horizontalalignment() == "left" else box.x1
        text.set_position((x / figure.bbox.width, (box.y0 + box.y1) / 2 / figure.bbox.height))


def _badge_radius(figure: Figure) -> float:
    """The radius of a level number's circle, in pixels."""
    probe = figure.text(0, 0, "8", fontsize=NUMBER_PT, fontweight="bold", family=FONT)
    box = probe.get_window_extent()
    probe.remove()
    return max(box.width, box.height) / 2 + BADGE_PAD * NUMBER_PT * PX


def _placed(
    badges: Sequence[tuple[float, float]],
    angles: Sequence[float],
    sizes: Sequence[tuple[float, float]],
    badge: float,
    area: Bbox,
) -> list[Bbox]:
    """Each name just beyond its level number along its spoke, then, on each side, moved
    up or down as little as it takes to clear its neighbours, and to stay in ``area``."""
    wanted: list[tuple[float, float]] = []  # the inner edge's x and the middle's y
    for (x, y), angle, (_, height) in zip(badges, angles, sizes, strict=True):
        along_x, along_y = math.sin(angle), math.cos(angle)
        # Far enough along the spoke to clear the circle sideways or vertically.
        reach = [
            (badge + NAME_GAP * PX) / abs(along_x) if abs(along_x) > 0.05 else math.inf,
            (badge + NAME_GAP * PX + height / 2) / abs(along_y)
            if abs(along_y) > 0.05
            else math.inf,
        ]
        distance = min(reach)
        wanted.append((x + along_x * distance, y + along_y * distance))
    middles = [y for _, y in wanted]
    for right in (True, False):
        side = sorted(
            (i for i, angle in enumerate(angles) if (math.sin(angle) >= 0) == right),
            key=lambda i: -wanted[i][1],
        )
        _spread(side, middles, [h for _, h in sizes], area)
    boxes = []
    for (x, _), y, angle, (width, height) in zip(wanted, middles, angles, sizes, strict=True):
        x0 = x if math.sin(angle) >= 0 else x - width
        boxes.append(Bbox.from_bounds(x0, y - height / 2, width, height))
    return boxes


def _spread(
    order: Sequence[int], middles: list[float], heights: Sequence[float], area: Bbox
) -> None:
    """Move the names of one side (``order``: top first) apart vertically as little as it
    takes: names that would meet form a column, centred where its names want to be."""
    gap = NAME_GAP * PX / 2
    wanted = list(middles)
    columns: list[list[int]] = []
    for name in order:
        columns.append([name])
        while len(columns) > 1 and (
            middles[columns[-2][-1]] - heights[columns[-2][-1]] / 2
            < middles[columns[-1][0]] + heights[columns[-1][0]] / 2 + gap
        ):
            column = columns.pop(-2) + columns.pop()
            columns.append(column)
            # Each name's drop below the column's top; the top puts the column's mean middle
            # at the mean of where its names want to be, within the area.
            drops, drop = [], 0.0
            for member in column:
                drops.append(drop + heights[member] / 2)
                drop += heights[member] + gap
            top = (sum(wanted[m] for m in column) + sum(drops)) / len(column)
            top = max(min(top, area.y1), area.y0 + drop - gap)
            for member, below in zip(column, drops, strict=True):
                middles[member] = top - below


def _collisions(
    names: Sequence[Bbox],
    badges: Sequence[tuple[float, float]],
    badge: float,
    centre: tuple[float, float],
    rim: float,
    area: Bbox,
) -> bool:
    """Whether a name leaves the area, enters the chart, or meets a level number or a name."""
    circles = [Bbox.from_extents(x - badge, y - badge, x + badge, y + badge) for x, y in badges]
    for box in names:
        nearest_x = min(max(centre[0], box.x0), box.x1)
        nearest_y = min(max(centre[1], box.y0), box.y1)
        if math.hypot(nearest_x - centre[0], nearest_y - centre[1]) < rim:
            return True
        if box.x0 < area.x0 or box.x1 > area.x1 or box.y0 < area.y0 or box.y1 > area.y1:
            return True
    every = [*circles, *names]
    return any(a.overlaps(b) for a, b in itertools.combinations(every, 2))


def _validate(competences: Sequence[ChartCompetence], max_level: int) -> None:
    if not competences:
        raise ValueError("profile_chart needs at least one competence")
    if not 1 <= max_level <= HIGHEST_LEVEL:
        raise ValueError(f"max_level out of 1-{HIGHEST_LEVEL}: {max_level}")
    for competence in competences:
        if competence.level is not None and not 0 <= competence.level <= HIGHEST_LEVEL:
            raise ValueError(
                f"level of {competence.code} out of 0-{HIGHEST_LEVEL}: {competence.level}"
            )


def _box(artist: Text | Legend) -> Bbox:
    """The artist's extent, in fractions of the figure."""
    figure = artist.get_figure(root=True)
    assert isinstance(figure, Figure)
    return artist.get_window_extent().transformed(figure.transFigure.inverted())


def _fits(artist: Text | Legend) -> bool:
    box = _box(artist)
    return bool(box.x0 >= MARGIN and box.x1 <= 1 - MARGIN)


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
        if _fits(text):
            break
    return float(_box(text).y0) - MARGIN


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
        if _fits(legend):
            break
    assert legend is not None
    return float(_box(legend).y1) + MARGIN


def _angles(competences: Sequence[ChartCompetence]) -> tuple[list[float], float, float]:
    """Spoke angles, the scale's angle (the top) and the slot width: an empty slot between
    areas, and two at the top, where the scale and its label stand."""
    slots = len(competences) + len({c.area for c in competences}) + 1
    step = 2 * math.pi / slots
    spokes: list[float] = []
    slot = 0.5
    previous: str | None = None
    for competence in competences:
        if competence.area != previous:
            slot += 1  # the gap
            previous = competence.area
        spokes.append(slot * step)
        slot += 1
    return spokes, 0.0, step


def _name(competence: ChartCompetence, width: int | None) -> str:
    """The code over the short name (wrapped at spaces when ``width`` is given)."""
    short = competence.short.strip()
    if width is not None:
        short = "\n".join(textwrap.wrap(short, width, break_long_words=False)) or short
    return f"{competence.code}\n{short}" if short else competence.code


def _draw(
    axes: PolarAxes,
    competences: Sequence[ChartCompetence],
    colours: dict[str, str],
    level_label: str,
    top: int,
) -> None:
    """Draw the chart on ``axes``: the levels, as bars and as numbers beyond the rim."""
    spokes, gap, step = _angles(competences)
    badge_radius = top + BADGE_GAP
    axes.set_theta_zero_location("N")
    axes.set_theta_direction(-1)
    axes.set_ylim(0, top)
    axes.set_rorigin(-INNER_HOLE)
    axes.set_facecolor("white")
    for spine in axes.spines.values():
        spine.set_color(GRID_COLOUR)

    # Rings at every level, labelled every other level down from the top, along the empty
    # slot at the top.
    axes.set_yticks(range(top + 1))
    axes.set_yticklabels(
        [str(level) if (top - level) % 2 == 0 and level else "" for level in range(top + 1)],
        fontsize=SMALL_PT,
        color=UNTESTED_COLOUR,
        family=FONT,
    )
    axes.set_rlabel_position(math.degrees(gap))
    axes.yaxis.grid(True, color=GRID_COLOUR, linewidth=0.7)
    axes.annotate(
        level_label,
        (gap, top),
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

    # A spoke per competence (no tick labels: the names are drawn below, outside the numbers).
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
        # The level as a number in a circle (dashed and "–" when not tested).
        axes.text(
            angle,
            badge_radius,
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
                "boxstyle": f"circle,pad={BADGE_PAD}",
                "facecolor": "white",
                "edgecolor": UNTESTED_COLOUR if untested else colour,
                "linewidth": 1.8,
                "linestyle": "--" if untested else "-",
            },
        )
