"""The units a number item may expect (`unit:` in the bank), with the spellings people type."""

from __future__ import annotations

from typing import Final

# Each unit a bank item may expect, with the spellings people type for it in English and French
# (compared without case, accents or a final "s"). An item names the unit it expects with
# `unit:`; any other unit of this table is a different answer ("19 MB" is not 19 GB).
UNITS: Final[dict[str, tuple[str, ...]]] = {
    "B": ("b", "byte", "octet", "o"),
    "KB": ("kb", "ko", "kilobyte", "kilooctet"),
    "MB": ("mb", "mo", "megabyte", "megaoctet", "mega"),
    "GB": ("gb", "go", "gigabyte", "gigaoctet", "giga"),
    "TB": ("tb", "to", "terabyte", "teraoctet"),
    # Systems label GiB as "GB" (Windows) or "Go": the number tells 931 GiB from 1000 GB.
    "GiB": ("gib", "gio", "gibibyte", "gibioctet", "gb", "go"),
    "kbit": ("kbit", "kb", "kilobit"),
    "Mbit": ("mbit", "mb", "megabit"),
    "kbit/s": ("kbit/", "kbps", "kb/", "kbit par seconde"),
    "Mbit/s": ("mbit/", "mbps", "mb/", "mbit par seconde"),
    "MB/s": ("mb/", "mo/", "megaoctet par seconde", "megabyte per second"),
    "second": ("s", "sec", "second", "seconde"),
    "minute": ("min", "mn", "minute"),
    "hour": ("h", "hr", "hour", "heure"),
    "day": ("d", "j", "day", "jour"),
    "month": ("month", "mois"),
    "year": ("y", "yr", "year", "an", "annee"),
    "EUR": ("€", "eur", "euro"),
    "percent": ("%", "percent", "per cent", "pour cent", "pourcent"),
    "point": ("point", "pt", "points de pourcentage", "percentage point"),
    "cm": ("cm", "centimetre", "centimeter"),
    "inch": ("in", "inch", "inche", "pouce", '"'),
    "pixel": ("px", "pixel"),
    "million": ("million", "m"),
    "GWh": ("gwh",),
    "times": ("x", "×", "time", "fois"),
    "ratio": (":1", "to 1", "pour 1"),
}
