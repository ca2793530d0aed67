"""`pixbot chat`: the same conversation in a terminal, scriptable through stdin.

Buttons show as numbered choices; type the number to press one. When a challenge waits for
typed text, whatever you type is the answer and buttons are pressed with `#N`. Input is read as
bytes: a line that is not UTF-8 text is refused with a word and changes nothing.
"""

from __future__ import annotations

import asyncio
import html
import re
import sys
from collections.abc import Callable
from typing import TextIO

from bot.core.chat import Button, Command, Event, Input, Keyboard, Outcome, Person, Press, Text
from bot.core.conversation import Conversation

_TAG = re.compile(r"</?(?:b|i|code|pre|a)(?:\s[^>]*)?>")
_LINK = re.compile(r'<a href="([^"]*)">(.*?)</a>')


def plain(text: str) -> str:
    """Telegram HTML to terminal text: links keep their address."""
    text = _LINK.sub(lambda m: f"{m.group(2)} <{html.unescape(m.group(1))}>", text)
    return html.unescape(_TAG.sub("", text))


class TerminalChat:
    def __init__(self, conversation: Conversation, person: Person, out: TextIO) -> None:
        self.conversation = conversation
        self.person = person
        self.out = out
        self.buttons: list[Button] = []
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
                self.print(f"> {raw.decode('utf-8', 'replace').rstrip()}")
            self.print(f"  ({await self.unreadable()})")
            return
        if echo:  # scripted input, so the transcript reads well
            self.print(f"> {line.rstrip()}")
        item = self.parse(line)
        if item is not None:
            await self.send(item)

    async def unreadable(self) -> str:
        """Said in the person's language (the one they chose, if they did)."""
        language = self.conversation.language_of(self.person)
        async with self.conversation.stores() as store:
            user = await store.get_user(self.person.id)
        if user is not None and user.language_chosen:
            language = user.language
        _ = self.conversation.views.catalogs.get(language).gettext
        return _("I could not read that line (it is not UTF-8 text), so I ignored it.")

    async def send(self, item: Input) -> None:
        outcome = await self.conversation.handle(Event(self.person, item))
        await self.show(outcome)

    async def show(self, outcome: Outcome) -> None:
        if outcome.notice:
            self.print(f"  ({outcome.notice})")
        for edit in outcome.edits:
            if edit.buttons:  # a screen or keyboard that changed in place
                if edit.text is not None:
                    self.print("")
                    self.print(plain(edit.text))
                self.print_buttons(edit.buttons)
                self.expects_text = False
        for message in outcome.messages:
            message_id = self.next_message_id
            self.next_message_id += 1
            self.print("")
            self.print(plain(message.text))
            if message.image is not None:
                self.print(f"  [image: {len(message.image)} bytes]")
            if message.file is not None:
                self.print(f"  [file {message.file.name}]")
                self.print(message.file.data.decode("utf-8", "replace"))
            if message.buttons:
                self.print_buttons(message.buttons)
                self.expects_text = message.expects_text
            if message.track is not None:
                await self.conversation.message_sent(message.track, message_id)
        if self.buttons and self.expects_text:
            self.print("  (type your answer, or #N to press a button)")

    def print_buttons(self, keyboard: Keyboard) -> None:
        self.buttons = [button for row in keyboard for button in row]
        for number, button in enumerate(self.buttons, 1):
            target = f" <{button.url}>" if button.url else ""
            self.print(f"  [{number}] {button.label}{target}")

    def parse(self, line: str) -> Input | None:
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
                if button.data:
                    return Press(button.data)
                self.print(f"  (open {button.url} in a browser)")
                return None
        return Text(line)

    def print(self, text: str) -> None:
        print(text, file=self.out, flush=True)


async def chat(
    conversation: Conversation,
    person: Person,
    read_line: Callable[[], bytes],
    out: TextIO,
    echo: bool = False,
) -> None:
    """Run until end of input (Ctrl-D, or the end of a piped script). ``read_line`` gives
    bytes (``sys.stdin.buffer.readline``): what is not UTF-8 is refused, not a crash."""
    terminal = TerminalChat(conversation, person, out)
    await terminal.send(Command("start"))
    while True:
        raw = await asyncio.to_thread(read_line)
        if raw == b"":
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
            echo = not sys.stdin.isatty()
            await chat(conversation, person, sys.stdin.buffer.readline, sys.stdout, echo)
        finally:
            await engine.dispose()

    asyncio.run(_main())
    return 0
