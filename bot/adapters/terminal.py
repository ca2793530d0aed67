"""`pixbot chat`: the same conversation in a terminal, scriptable through stdin.

It shows what Telegram shows: new messages, and earlier ones edited in place (marked as such).
Buttons show as numbered choices; type the number to press one. Only the newest keyboard is
pressable, as in a chat where the older ones scrolled away. When a challenge waits for typed
text, whatever you type is the answer and buttons are pressed with `#N`. Input is read as bytes:
a line that is not UTF-8 text is refused with a word and changes nothing.
"""

from __future__ import annotations

import asyncio
import html
import re
import sys
from collections.abc import Callable
from typing import TextIO

from bot.core.chat import (
    Button,
    Command,
    Edit,
    Event,
    Input,
    Keyboard,
    Message,
    Outcome,
    Person,
    Press,
    Text,
)
from bot.core.conversation import Conversation
from bot.core.text import N_

_TAG = re.compile(r"</?(?:b|i|code|pre|a)(?:\s[^>]*)?>")
_LINK = re.compile(r'<a href="([^"]*)">(.*?)</a>')
PROMPT = "> "

Translate = Callable[[str], str]
TELEGRAM_ONLY = N_("(works in Telegram only)")


def plain(text: str) -> str:
    """Telegram HTML to terminal text: links keep their address."""
    text = _LINK.sub(lambda m: f"{m.group(2)} <{html.unescape(m.group(1))}>", text)
    return html.unescape(_TAG.sub("", text))


def pressable(button: Button) -> bool:
    """A button the terminal can press or follow (not one that opens Telegram's own UI, such
    as choosing a chat to send something to)."""
    return bool(button.data or button.url or button.web_app)


class TerminalChat:
    def __init__(self, conversation: Conversation, person: Person, out: TextIO) -> None:
        self.conversation = conversation
        self.person = person
        self.out = out
        self.buttons: list[Button] = []  # the newest keyboard, the one numbers press
        self.keyboard_of: int | None = None  # the message that keyboard is under
        self.expects_text = False
        self.next_message_id = 1

    async def line(self, raw: bytes, echo: bool = False) -> None:
        """One line as read from the terminal or a script."""
        try:
            line = raw.decode("utf-8")
            if "\x00" in line:  # not text either (and PostgreSQL refuses it)
                raise UnicodeDecodeError("utf-8", raw, raw.index(0), raw.index(0) + 1, "NUL")
        except UnicodeDecodeError:
            if echo:
                self.print(f"{PROMPT}{raw.decode('utf-8', 'replace').rstrip()}")
            _ = await self.translations()
            refused = _("I could not read that line (it is not UTF-8 text), so I ignored it.")
            self.print(f"  ({refused})")
            return
        if echo:  # scripted input, so the transcript reads well
            self.print(f"{PROMPT}{line.rstrip()}")
        item = self.parse(line)
        if isinstance(item, Button):  # pressed, but nothing to send from here
            _ = await self.translations()
            if item.url or item.web_app:  # a Mini App too: a page, whose data need Telegram
                link = item.url or item.web_app
                self.print("  " + _("(open {url} in a browser)").format(url=link))
            else:
                self.print("  " + _(TELEGRAM_ONLY))
        elif item is not None:
            await self.send(item)

    async def translations(self) -> Translate:
        """The person's language (the one they chose, if they did) for the terminal's own
        hints, as the core picks it for its messages."""
        language = self.conversation.language_of(self.person)
        async with self.conversation.stores() as store:
            user = await store.get_user(self.person.id)
        if user is not None and user.language_chosen:
            language = user.language
        return self.conversation.views.catalogs.get(language).gettext

    async def send(self, item: Input) -> None:
        pressed = self.keyboard_of if isinstance(item, Press) else None
        outcome = await self.conversation.handle(Event(self.person, item))
        await self.show(outcome, pressed)

    async def show(self, outcome: Outcome, pressed: int | None = None) -> None:
        """``pressed``: the message whose button was pressed (the target of ``Edit(None)``)."""
        _ = await self.translations()
        if outcome.notice:
            self.print(f"  ({outcome.notice})")
        # Numbers press the newest keyboard alone: a later message's keyboard supersedes.
        newest = max((i for i, m in enumerate(outcome.messages) if m.buttons), default=None)
        for edit in outcome.edits:  # edits first, then new messages, as Telegram gets them
            self.show_edit(edit, pressed, newest is None, _)
        for index, message in enumerate(outcome.messages):
            await self.show_message(message, index == newest, _)
        if self.buttons and self.expects_text:
            self.print("  " + _("(type your answer, or #N to press a button)"))

    def show_edit(self, edit: Edit, pressed: int | None, newest: bool, _: Translate) -> None:
        target = edit.message_id or pressed
        if target is None:  # typed text has no pressed message: Telegram edits nothing either
            return
        if edit.text is not None:
            self.print("")
            self.print("✎ " + _("(updated message)"))
            self.print(plain(edit.text))
        if target == self.keyboard_of and newest:  # the pressable keyboard changed (or went)
            self.keyboard(target, edit.buttons, False, _)
        else:  # an older message, or one a new message's keyboard supersedes
            self.print_buttons(edit.buttons, False, _)

    async def show_message(self, message: Message, newest: bool, _: Translate) -> None:
        message_id = self.next_message_id
        self.next_message_id += 1
        self.print("")
        self.print(plain(message.text))
        if message.image is not None:
            self.print(f"  [image: {len(message.image)} bytes]")
        if message.file is not None:
            self.print(f"  [file {message.file.name}]")
            self.print(message.file.data.decode("utf-8", "replace"))
        if newest:
            self.keyboard(message_id, message.buttons, message.expects_text, _)
        else:
            self.print_buttons(message.buttons, False, _)
        if message.track is not None:
            await self.conversation.message_sent(message.track, message_id)

    def keyboard(
        self, message_id: int, keyboard: Keyboard, expects_text: bool, _: Translate
    ) -> None:
        """``keyboard`` under ``message_id`` becomes the one numbers press (none: no buttons)."""
        self.buttons = [button for row in keyboard for button in row]
        self.keyboard_of = message_id
        self.expects_text = expects_text
        self.print_buttons(keyboard, True, _)

    def print_buttons(self, keyboard: Keyboard, numbered: bool, _: Translate) -> None:
        """One line a button: ``[N]`` when a number presses it, ``[-]`` when it is shown but
        out of reach (superseded by a newer keyboard)."""
        for number, button in enumerate((b for row in keyboard for b in row), 1):
            if button.url or button.web_app:
                target = f" <{button.url or button.web_app}>"
            elif not pressable(button):
                target = " " + _(TELEGRAM_ONLY)
            else:
                target = ""
            self.print(f"  [{number if numbered else '-'}] {button.label}{target}")

    def parse(self, line: str) -> Input | Button | None:
        """What a line means: a command, a press, typed text; a Button that cannot be pressed
        here (a link, or one for Telegram alone); None for nothing."""
        line = line.rstrip("\r\n")
        if not line.strip():
            return None
        if line.startswith("/"):
            name, _, args = line[1:].partition(" ")
            return Command(name.lower(), args.strip())
        choice = line.strip()
        if choice.startswith("#") or not self.expects_text:
            number = choice.removeprefix("#")
            if number.isdecimal() and 1 <= int(number) <= len(self.buttons):
                button = self.buttons[int(number) - 1]
                return Press(button.data, self.keyboard_of) if button.data else button
        return Text(line)

    def print(self, text: str, end: str = "\n") -> None:
        print(text, end=end, file=self.out, flush=True)


async def chat(
    conversation: Conversation,
    person: Person,
    read_line: Callable[[], bytes],
    out: TextIO,
    echo: bool = False,
    prompt: bool = False,
) -> None:
    """Run until end of input (Ctrl-D, or the end of a piped script). ``read_line`` gives
    bytes (``sys.stdin.buffer.readline``): what is not UTF-8 is refused, not a crash.
    ``echo``: print each line read (a script); ``prompt``: ask for each (a person typing)."""
    terminal = TerminalChat(conversation, person, out)
    await terminal.send(Command("start"))
    while True:
        if prompt:
            terminal.print(PROMPT, end="")
        raw = await asyncio.to_thread(read_line)
        if raw == b"":
            if prompt:  # Ctrl-D: the shell's prompt on a line of its own
                terminal.print("")
            break
        await terminal.line(raw, echo)


def run_chat(language: str | None, db_path: str | None, user_id: int) -> int:
    from bot.bootstrap import build_conversation, open_database
    from bot.logs import configure_logging
    from bot.settings import Settings

    overrides: dict[str, str] = {"log_level": "WARNING"}
    if db_path:
        overrides["database_url"] = f"sqlite+aiosqlite:///{db_path}"
    settings = Settings(**overrides)  # type: ignore[arg-type]
    configure_logging(settings.log_level)

    async def _main() -> None:
        engine = await open_database(settings.database_url)
        try:
            conversation = await build_conversation(settings, engine)
            person = Person(user_id, "", language or settings.default_language)
            typing = sys.stdin.isatty()
            stdin = sys.stdin.buffer.readline
            await chat(conversation, person, stdin, sys.stdout, echo=not typing, prompt=typing)
        finally:
            await engine.dispose()

    asyncio.run(_main())
    return 0
