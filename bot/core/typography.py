"""French typography in one place: a narrow no-break space (U+202F) before « : ; ! ? » and
inside « guillemets », so a phone never wraps a line before the punctuation.

``french`` takes Telegram HTML or plain text and changes nothing but spaces. It leaves alone
what is not prose: HTML tags and entities, ``<code>``/``<pre>`` and `backtick` spans, URLs,
times and ratios (``10:30``), ``!=``, a ``?`` inside a word, and punctuation that starts a
line, or a run of several spaces (someone wrote them on purpose). It is idempotent, so text
that went through it once can go through it again.

With ``insert=False`` it only rewrites the spaces that are there: in the content bank, a mark
written against a word is nearly always code or a literal (``if x > 5:``, ``site:``,
``Azerty123!``, a mail-merge «Champ»), and these are shown as written.
"""

from __future__ import annotations

import re
from typing import Final

NNBSP: Final = "\u202f"
_SPACES: Final = " \u00a0\u202f"

# Spans the typography never looks inside; a URL's trailing punctuation is the sentence's.
_PROTECTED: Final = re.compile(
    r"<(code|pre)\b[^>]*>.*?</\1\s*>"  # code in Telegram HTML
    r"|```.*?```|`[^`\n]*`"  # code in content (rich() turns it into <code>/<pre>)
    r"|<[^<>]*>"  # any other tag, with its attributes
    r"|&(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);"  # entities (&amp; ends with ;)
    r"|(?:https?://|tg://|www\.|t\.me/)[^\s<>\"«»]*[^\s<>\"«».,:;!?)]",
    re.DOTALL,
)
# A space written next to a mark: without one, ``insert=False`` changes nothing (the bank's
# load skips the walk for most of its texts).
_WRITTEN_SPACE: Final = re.compile("[ \u00a0][:;!?»]|«[ \u00a0]")
_MARKS: Final = re.compile("[:;!?»«]")
# A closing character after which a word's punctuation may follow with no space written.
_CLOSERS: Final = frozenset(")]»\"”’'…%°*")
# What may follow « : ; ! ? » when it ends a clause (anything else: a time, a URL, "!=").
_COLON_END: Final = frozenset(' \t\n\u00a0\u202f<"”’»)]')
_MARK_END: Final = _COLON_END | frozenset("!?.,;:…")


def _wordish(char: str) -> bool:
    return char.isalnum() or char in _CLOSERS


def _clause_end(text: str, index: int) -> bool:
    """Whether the « : ; ! ? » at ``index`` ends a clause (by what follows it)."""
    if index + 1 == len(text):
        return True
    follower = text[index + 1]
    return follower in (_COLON_END if text[index] in ":;" else _MARK_END)


def _protected(text: str) -> list[bool]:
    marks = [False] * len(text)
    for match in _PROTECTED.finditer(text):
        marks[match.start() : match.end()] = [True] * (match.end() - match.start())
    return marks


def french(text: str, *, insert: bool = True) -> str:
    """``text`` with French narrow no-break spaces (see the module's docstring)."""
    if not any(char in text for char in ":;!?«»"):
        return text
    if not insert and not _WRITTEN_SPACE.search(text):  # no space to rewrite: as it is
        return text
    protected = _protected(text)
    out: list[str] = []
    index = 0
    for found in _MARKS.finditer(text):  # from mark to mark: the text between stays as it is
        at = found.start()
        if at < index:  # already taken in (the spaces after a «)
            continue
        out.extend(text[index:at])
        char = text[at]
        if protected[at]:
            out.append(char)
            index = at + 1
        elif char == "«":
            out.append(char)
            index = _space_after(out, text, at + 1, protected, insert)
        else:
            _space_before(out, text, at, protected, insert)
            out.append(char)
            index = at + 1
    out.extend(text[index:])
    return "".join(out)


def _space_before(
    out: list[str], text: str, index: int, protected: list[bool], insert: bool
) -> None:
    """Put one narrow no-break space before the mark at ``index`` if it needs one; ``out``
    holds the text before it, in which the spaces before the mark may be rewritten."""
    char = text[index]
    if char != "»" and not _clause_end(text, index):
        return
    start = index
    while start > 0 and text[start - 1] in _SPACES and not protected[start - 1]:
        start -= 1
    if start == 0 or text[start - 1] in "\n\r\t":
        return  # at the start of a line: nothing to hold it to
    before = text[start - 1]
    if start == index - 1:  # written with a space: make it a narrow no-break one
        out[-1] = NNBSP
    elif start == index and insert and _wordish(before) and not protected[start - 1]:
        out.append(NNBSP)


def _space_after(
    out: list[str], text: str, index: int, protected: list[bool], insert: bool
) -> int:
    """After a «: one narrow no-break space before the quoted text; returns where it goes on."""
    end = index
    while end < len(text) and text[end] in _SPACES and not protected[end]:
        end += 1
    one_space = end - index == 1 or (end == index and insert)
    if one_space and end < len(text) and text[end] not in "\n\r\t»":
        out.append(NNBSP)
        return end
    out.extend(text[index:end])
    return end
