"""`pixbot chat` shows what Telegram shows: messages, the messages edited in place (marked as
updated), numbers for the newest keyboard alone, its own hints in the learner's language, a
prompt when a person types and an echo when a script does. Scripted through the real
conversation; the lines not UTF-8 and the process itself are in test_cli_failures and
test_commands."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

from bot.adapters.terminal import TerminalChat, chat
from bot.core.chat import Button, Command, Edit, Message, Outcome, Person, Press, Text
from bot.core.conversation import Conversation

UPDATED = "✎ (updated message)"
HINT = "  (type your answer, or #N to press a button)"
Line = bytes | Callable[[str], bytes]


def script(out: io.StringIO, *lines: Line) -> Callable[[], bytes]:
    """A ``read_line`` giving ``lines`` one by one, then the end of input; a callable line is
    typed from what the chat shows so far (and stays until it gives b"")."""
    queue = list(lines)

    def read_line() -> bytes:
        while queue:
            line = queue[0]
            if isinstance(line, bytes):
                return queue.pop(0)
            typed = line(out.getvalue())
            if typed:
                return typed
            queue.pop(0)
        return b""

    return read_line


def since_last_line(shown: str) -> str:
    return shown[shown.rfind("\n> ") :]


def until_typed(answer: bytes) -> Callable[[str], bytes]:
    """Skip challenges until one waits for typed text, then type ``answer`` into each of its
    fields; done once the answer was taken."""
    typed = answer.decode().strip()

    def react(shown: str) -> bytes:
        tail = since_last_line(shown)
        if tail.startswith(f"\n> {typed}\n"):
            # The challenge shows the answer (edited in place), or asks for its next field.
            return b"" if "✎" in tail else answer
        if "#N" in tail:  # the hint: a challenge waits for text
            return answer
        skip = re.search(r"\[(\d+)\] ⏭", tail)
        assert skip is not None, tail
        return f"{skip.group(1)}\n".encode()

    return react


async def transcript(
    conversation: Conversation, *lines: Line, language: str = "en", user_id: int = -1
) -> str:
    out = io.StringIO()
    person = Person(user_id, "", language)
    await chat(conversation, person, script(out, *lines), out, echo=True)
    return out.getvalue()


async def test_a_test_in_the_terminal_shows_the_edits(conversation: Conversation) -> None:
    # Take a test, area 1, competence 1.1; then skip to a challenge answered by typing.
    shown = await transcript(conversation, b"1\n", b"1\n", b"1\n", until_typed(b"wrong\n"))
    intro = shown.index("🎯 Test: 1.1")
    assert shown.rindex(UPDATED, 0, intro) > shown.rindex("\n> 1\n", 0, intro)
    assert f"{HINT}\n> wrong\n" in shown
    answered = shown.rindex("Your answer: wrong")
    assert shown.rindex(UPDATED, 0, answered) > shown.rindex("\n> wrong\n", 0, answered)
    # The newest keyboard alone is numbered: the next challenge's.
    last_keyboard = shown[shown.rindex("\n\n") :]
    assert "  [1] " in last_keyboard and "  [-] " not in last_keyboard


async def test_the_terminals_own_hints_speak_french(conversation: Conversation) -> None:
    url = "https://example.org/a"
    shown = await transcript(
        conversation,
        b"\xff\n",
        b"1\n",
        b"1\n",
        b"1\n",
        until_typed(b"faux\n"),
        language="fr",
    )
    assert "Je n'ai pas pu lire cette ligne" in shown
    assert "✎ (message modifié)" in shown and UPDATED not in shown
    assert "  (écrivez votre réponse, ou #N pour appuyer sur un bouton)\n> faux" in shown
    assert "(type your answer" not in shown

    out = io.StringIO()
    terminal = TerminalChat(conversation, Person(-1, "", "fr"), out)
    await terminal.show(Outcome([Message("Lien", ((Button("Ouvrir", url=url),),))]))
    await terminal.line(b"1\n")
    assert f"  [1] Ouvrir <{url}>\n  (ouvrez {url} dans un navigateur)\n" in out.getvalue()


async def test_a_person_typing_gets_a_prompt(conversation: Conversation) -> None:
    out = io.StringIO()
    lines = script(out, b"/profile\n")
    await chat(conversation, Person(-2, "", "en"), lines, out, prompt=True)
    shown = out.getvalue()
    assert shown.count("> ") == 2  # before each line read, the end of input included
    assert "> /profile" not in shown  # the terminal shows what was typed, not the chat
    assert shown.endswith("> \n")  # Ctrl-D: the shell's prompt on a line of its own


class Terminal:
    """A terminal chat whose outcomes are written by the test: what each kind of edit shows."""

    def __init__(self, conversation: Conversation) -> None:
        self.out = io.StringIO()
        self.chat = TerminalChat(conversation, Person(-3, "", "en"), self.out)

    async def show(self, *items: Message | Edit, pressed: int | None = None) -> str:
        start = len(self.out.getvalue())
        messages = [item for item in items if isinstance(item, Message)]
        edits = [item for item in items if isinstance(item, Edit)]
        await self.chat.show(Outcome(messages, edits), pressed)
        return self.out.getvalue()[start:]


def keyboard(*labels: str) -> tuple[tuple[Button, ...], ...]:
    return tuple((Button(label, data=f"d:{label}"),) for label in labels)


async def test_each_kind_of_edit_shows_as_telegram_shows_it(conversation: Conversation) -> None:
    terminal = Terminal(conversation)
    await terminal.show(Message("Question", keyboard("A", "B")))  # message 1
    pressed = terminal.chat.keyboard_of
    assert pressed == 1
    assert terminal.chat.parse("2") == Press("d:B", 1)

    # New buttons alone: the keyboard changed in place, nothing else.
    shown = await terminal.show(Edit(None, None, keyboard("A ✓", "B")), pressed=pressed)
    assert shown == "  [1] A ✓\n  [2] B\n"
    # New text and buttons: marked, then the text and its (still pressable) keyboard.
    shown = await terminal.show(
        Edit(None, "Question, <b>answered</b>", keyboard("Save")), pressed=1
    )
    assert shown == f"\n{UPDATED}\nQuestion, answered\n  [1] Save\n"
    assert terminal.chat.parse("1") == Press("d:Save", 1)
    # Buttons removed and nothing else: nothing shows, and numbers press nothing any more.
    assert await terminal.show(Edit(None, None), pressed=1) == ""
    assert terminal.chat.parse("1") == Text("1")
    # An edit answering typed text (no message pressed) edits nothing, in Telegram too.
    assert await terminal.show(Edit(None, "Changed")) == ""


async def test_the_newest_keyboard_alone_is_numbered(conversation: Conversation) -> None:
    terminal = Terminal(conversation)
    await terminal.show(Message("Challenge 1", keyboard("Skip"), expects_text=True))
    # Answered: the challenge becomes its correction with buttons, the next challenge follows.
    shown = await terminal.show(
        Edit(1, "Challenge 1, corrected", keyboard("Save", "Report")),
        Message("Challenge 2", keyboard("Skip"), expects_text=True),
    )
    assert shown == (
        f"\n{UPDATED}\nChallenge 1, corrected\n  [-] Save\n  [-] Report\n"
        f"\nChallenge 2\n  [1] Skip\n{HINT}\n"
    )
    assert terminal.chat.parse("#1") == Press("d:Skip", 2)
    # An older message edited keeps the newest keyboard pressable.
    shown = await terminal.show(Edit(1, None, keyboard("Saved")))
    assert shown == f"  [-] Saved\n{HINT}\n"
    assert terminal.chat.parse("#1") == Press("d:Skip", 2)
    # Of two new messages with buttons, the later one's are pressed.
    shown = await terminal.show(Message("Tip", keyboard("More")), Message("Menu", keyboard("Go")))
    assert "  [-] More\n" in shown and "  [1] Go\n" in shown
    assert terminal.chat.parse("1") == Press("d:Go", 4)


async def test_a_button_for_telegram_alone_says_so(conversation: Conversation) -> None:
    terminal = Terminal(conversation)
    shown = await terminal.show(Message("Share", ((Button("📣 Send to a chat"),),)))
    assert shown.endswith("  [1] 📣 Send to a chat (works in Telegram only)\n")
    await terminal.chat.line(b"1\n")
    assert terminal.out.getvalue().endswith("\n  (works in Telegram only)\n")


async def test_commands_and_files_show_as_before(conversation: Conversation) -> None:
    terminal = Terminal(conversation)
    assert terminal.chat.parse("/Start now\n") == Command("start", "now")
    await terminal.chat.send(Command("mydata"))
    assert "[file " in terminal.out.getvalue()
