"""Text helpers shared by the screens: Telegram HTML from content text, a learner's text
echoed back, a person's text cleaned as it enters the core and isolated where it is shown, a
progress bar, a date in words, and the marker for strings translated later."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from html import escape
from typing import Final

from babel.dates import format_date

BAR_WIDTH: Final = 10
ECHO_LIMIT: Final = 120
# A message's text, counted on its HTML (longer than what Telegram counts: its 4096 hold).
TEXT_LIMIT: Final = 4096

# What the core accepts of a person's typed text (longer gets a message saying so).
SEARCH_LIMIT: Final = 200  # library searches, typed or after /library
ANSWER_LIMIT: Final = 500  # a typed answer, all its fields at once
NAME_LIMIT: Final = 64  # a first name (Telegram's own limit)
TITLE_LIMIT: Final = 128  # a group's title (Telegram's own limit)

# Characters PostgreSQL text cannot hold (NUL, lone surrogates) or that mean nothing in typed
# text: the C0 and C1 control characters. Line breaks become spaces in one-line text (a name, a
# search), "\n" in multi-line text (answers); tabs become spaces; the others go.
_CONTROLS: Final = frozenset(
    [chr(code) for code in range(0x20)]
    + [chr(code) for code in range(0x7F, 0xA0)]
    + [chr(code) for code in range(0xD800, 0xE000)]
    + ["\u2028", "\u2029"]
)
_BREAKS: Final = frozenset("\n\v\f\r\x1c\x1d\x1e\x85\u2028\u2029")
_SPACES: Final = frozenset("\t\x1f")
# Explicit bidirectional formatting (embeddings, overrides, isolates and their ends): in a
# person's text they only serve to reorder what the bot writes around it.
_BIDI_FORMATTING: Final = dict.fromkeys(
    map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
)
# Bidirectional classes that can reorder the text around them in a left-to-right line.
_REORDERING: Final = frozenset(
    {"R", "AL", "AN", "LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"}
)
FSI: Final = "\u2068"  # FIRST STRONG ISOLATE
PDI: Final = "\u2069"  # POP DIRECTIONAL ISOLATE


def N_(text: str) -> str:
    """Marks ``text`` for extraction; it is translated where it is shown."""
    return text


FORMAT_NAMES: Final = {
    "page": N_("page"),
    "video": N_("video"),
    "course": N_("course"),
    "game": N_("game"),
    "pdf": N_("PDF"),
    "tool": N_("tool"),
}

_CODE_BLOCK: Final = re.compile(r"```\n?(.*?)```", re.DOTALL)
_CODE: Final = re.compile(r"`([^`\n]+)`")


def rich(text: str) -> str:
    """Content text to Telegram HTML: escaped, with `code` and ```blocks```."""
    html = escape(text, quote=False)
    html = _CODE_BLOCK.sub(lambda m: f"<pre>{m.group(1).rstrip()}</pre>", html)
    return _CODE.sub(lambda m: f"<code>{m.group(1)}</code>", html)


def echo(text: str) -> str:
    """A learner's own text, shown back: escaped, shortened and isolated (see ``shown``)."""
    text = " ".join(text.split())
    if len(text) > ECHO_LIMIT:
        text = text[: ECHO_LIMIT - 1] + "…"
    return shown(text)


def clean(text: str, multiline: bool = False) -> str:
    """A person's text as the core takes it: without NUL and the other control characters;
    line breaks kept (as ``\\n``) only when ``multiline``."""
    if text.isprintable():  # the usual case: nothing to do
        return text
    text = text.replace("\r\n", "\n")
    kept = []
    for char in text:
        if char not in _CONTROLS:
            kept.append(char)
        elif char in _BREAKS:
            kept.append("\n" if multiline else " ")
        elif char in _SPACES:
            kept.append(" ")
    return "".join(kept)


def without_bidi(text: str) -> str:
    """``text`` without explicit bidirectional formatting characters (U+202A-U+202E,
    U+2066-U+2069), for places that show it raw (a CSV cell)."""
    return text.translate(_BIDI_FORMATTING)


def isolated(text: str) -> str:
    """``text`` (not HTML) made safe to show inside a line: without explicit bidirectional
    formatting, and between U+2068 FIRST STRONG ISOLATE and U+2069 POP DIRECTIONAL ISOLATE
    when it could reorder the line around it (right-to-left letters, Arabic digits, such
    formatting). Text that cannot reorder anything is left as it is: no invisible characters
    for terminals that would show them."""
    if not any(unicodedata.bidirectional(char) in _REORDERING for char in text):
        return text
    return FSI + without_bidi(text) + PDI


def cut(text: str, room: int) -> str:
    """``text`` in at most ``room`` characters, an ellipsis marking a cut (labels, excerpts)."""
    return text if len(text) <= room else text[: max(room - 1, 1)].rstrip() + "…"


def shown(text: str) -> str:
    """A person's text (a first name, a campaign name, a group title, a search, an answer) in
    a Telegram HTML line: isolated, then escaped."""
    return escape(isolated(text), quote=False)


def bar(fraction: float) -> str:
    """A bar filled to ``fraction`` (0 to 1), full only at 1: a test's bar fills when it ends."""
    filled = min(BAR_WIDTH, max(0, int(BAR_WIDTH * fraction)))
    return "▰" * filled + "▱" * (BAR_WIDTH - filled)


def long_date(language: str, moment: datetime) -> str:
    """The day of ``moment`` in words, in ``language`` ("May 6, 2024")."""
    return format_date(moment.date(), format="long", locale=language)
