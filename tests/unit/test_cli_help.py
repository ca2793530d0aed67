"""`pixbot --help` reads like a product: every command listed with one short line, every option
explained, no developer notes; `pixbot run --help` says what to set. And the way in: `make chat`
installs what running needs, no test tools."""

from __future__ import annotations

import argparse
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import LANGUAGES, _parser, main
from bot.settings import MissingToken, Settings
from content.models import INTERFACE_LANGUAGES

ROOT = Path(__file__).resolve().parents[2]


def parsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    """``parser`` and every command under it."""
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for command in action.choices.values():
                yield from parsers(command)


def commands(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    """The lines listing ``parser``'s commands (name and help)."""
    return [
        choice
        for action in parser._actions
        if isinstance(action, argparse._SubParsersAction)
        for choice in action._choices_actions
    ]


@pytest.fixture(autouse=True)
def width(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")  # a usual terminal, whatever runs the tests


def test_every_option_and_command_has_a_help_text() -> None:
    every = list(parsers(_parser()))
    assert len(every) > 15  # the walk reached the commands of commands
    for parser in every:
        for action in parser._actions:
            if isinstance(action, argparse._HelpAction | argparse._SubParsersAction):
                continue
            assert action.help and action.help.strip(), f"{parser.prog} {action.dest}"
        for command in commands(parser):
            assert command.help and command.help.strip(), f"{parser.prog} {command.dest}"


def test_no_help_text_is_a_developer_note() -> None:
    for parser in parsers(_parser()):
        shown = parser.format_help()
        assert "``" not in shown, parser.prog
        assert "imports only" not in shown, parser.prog


@pytest.mark.parametrize(
    "parser", [p for p in parsers(_parser()) if commands(p)], ids=lambda p: p.prog
)
def test_each_command_is_listed_on_one_line(parser: argparse.ArgumentParser) -> None:
    lines = parser.format_help().splitlines()
    for command in commands(parser):
        assert command.help
        [line] = [line for line in lines if line.split()[:1] == [command.dest]]
        assert line.rstrip().endswith(command.help), line


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    shown = capsys.readouterr().out
    for name in ("run", "chat", "db", "content", "simulate", "calibrate", "bench"):
        assert f"\n    {name} " in shown


@pytest.mark.parametrize("argv", [[], ["db"], ["content"], ["bench"]])
def test_a_command_missing_prints_the_help_and_exits_2(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    assert capsys.readouterr().out.startswith(f"usage: {' '.join(['pixbot', *argv])} ")


def test_run_help_names_what_to_set(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    shown = capsys.readouterr().out
    for name in ("BOT_TOKEN", "WEBHOOK_URL", "TELEGRAM_API_BASE", "TELEGRAM_LIBRARY", ".env"):
        assert name in shown


def test_chat_refuses_a_language_it_does_not_speak(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["chat", "--lang", "xx"])
    assert exit_.value.code == 2
    [*_, last] = capsys.readouterr().err.strip().splitlines()
    assert "--lang" in last and "'xx'" in last
    assert "'en', 'fr', 'sv'" in last


def test_the_chat_languages_are_the_interface_languages() -> None:
    assert LANGUAGES == INTERFACE_LANGUAGES


@pytest.mark.parametrize("token", [None, "not-a-token"])
def test_the_hint_without_a_token_works_after_make_install(token: str | None) -> None:
    with pytest.raises(MissingToken) as error:
        Settings(_env_file=None, bot_token=token).token()  # type: ignore[arg-type]
    assert str(error.value).endswith(
        "try the bot without one: make chat (or .venv/bin/pixbot chat)"
    )


def make(target: str) -> str:
    """What ``make target`` would run from nothing (-B: every step out of date; -n: run none)."""
    return subprocess.run(
        ["make", "-n", "-B", target], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.parametrize("target", ["install", "chat", "run"])
def test_running_pixbot_installs_no_test_tools(target: str) -> None:
    steps = make(target)
    assert "-m venv .venv" in steps and "pip install -q -e .\n" in steps
    assert "[test]" not in steps


@pytest.mark.parametrize("target", ["lint", "test"])
def test_testing_installs_the_test_tools(target: str) -> None:
    assert 'pip install -q -e ".[test]"' in make(target)
