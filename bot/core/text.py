"""Text helpers shared by the screens: Telegram HTML from content text, a learner's text
echoed back, a progress bar, and the marker for strings translated later."""

from __future__ import annotations

import re
from html import escape
from typing import Final

BAR_WIDTH: Final = 10
ECHO_LIMIT: Final = 120


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
    """A learner's own text, shown back: escaped and shortened."""
    text = " ".join(text.split())
    if len(text) > ECHO_LIMIT:
        text = text[: ECHO_LIMIT - 1] + "…"
    return escape(text, quote=False)


def progress_bar(index: int, total: int) -> str:
    total = max(total, index, 1)
    filled = round(BAR_WIDTH * index / total)
    return "▰" * filled + "▱" * (BAR_WIDTH - filled) + f" {index}/{total}"
