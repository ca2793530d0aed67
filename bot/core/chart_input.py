"""What the profile chart draws, as plain data: the profile builds it without loading matplotlib
(40 MB), which bot/core/chart.py imports when a worker first draws a picture."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ChartCompetence:
    code: str  # "1.1"
    area: str  # "1"
    area_name: str  # translated, e.g. "Information and data"
    short: str  # the competence's short name, translated, e.g. "Searching"
    level: int | None  # 0-8, None = not tested
