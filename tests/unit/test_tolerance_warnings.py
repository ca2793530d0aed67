"""`pixbot content validate` warns when a tolerance erases what an item tests: the answer a
learner without the skill types is accepted because T1 or T2 removes the difference."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from content.bank import ContentBank
from content.loader import Locations, load_bank
from content.models import Challenge
from content.tolerances import tolerance_warnings
from tests.conftest import FIXTURES

NOWHERE = Locations({}, {})


def bank_with(**item: Any) -> ContentBank:
    bank = load_bank(FIXTURES / "content")
    data = {"id": "alpha-9z", "skill": "@alpha3", "type": "text", **item}
    challenge = Challenge.model_validate(data)
    bank.challenges[challenge.id] = challenge
    return bank


def warnings(**item: Any) -> list[str]:
    return [problem.message for problem in tolerance_warnings(bank_with(**item), NOWHERE)]


@pytest.mark.parametrize(
    ("item", "wrong"),
    [
        # The review's cases: a file name's separators, code's output split by a space.
        ({"en": {"prompt": "Name the file.", "accept": ["2025-03_report"]}}, "'202503report'"),
        ({"en": {"prompt": 'What does print("3" + "4") show?', "accept": ["34"]}}, "'3 4'"),
        # A formula's operator: another operator is another answer.
        ({"en": {"prompt": "Type the formula.", "accept": ["=A1+B1"]}}, "'=A1*B1'"),
        ({"en": {"prompt": "Type the formula.", "accept": ["=A1/B1"]}}, "'=A1*B1'"),
    ],
)
def test_a_tolerance_that_accepts_a_plausible_wrong_answer_is_named(
    item: dict[str, Any], wrong: str
) -> None:
    found = warnings(**item)
    assert len(found) == 1 and wrong in found[0], found
    assert found[0].startswith("warning: alpha-9z: ")


@pytest.mark.parametrize(
    "item",
    [
        # The tolerance is off: nothing to warn about.
        {"tolerances": ["t1"], "en": {"prompt": "Name the file.", "accept": ["2025-03_report"]}},
        {"tolerances": ["t2"], "en": {"prompt": "print(3 * 4)", "accept": ["12"]}},
        # Punctuation that is no answer of its own: a domain, a shortcut, a reference.
        {"en": {"prompt": "Which domain?", "accept": ["ademe.fr", "https://www.ademe.fr"]}},
        {"en": {"prompt": "Which shortcut undoes?", "accept": ["Ctrl+Z"]}},
        {"en": {"prompt": "Journal of Youth Health, 12(3). The volume?", "accept": ["12"]}},
        # Numbers are compared as numbers.
        {"format": "number", "en": {"prompt": "print(3 * 4)", "accept": ["12"]}},
    ],
)
def test_harmless_tolerances_are_not_warned(item: dict[str, Any]) -> None:
    assert warnings(**item) == []


def test_the_shipped_bank_has_no_tolerance_warning() -> None:
    assert tolerance_warnings(load_bank(None), NOWHERE) == []


def test_content_validate_prints_the_warning_and_still_passes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(FIXTURES / "content", tmp_path / "content")
    competence = tmp_path / "content" / "competences" / "1.1.yaml"
    with competence.open("a", encoding="utf-8") as file:
        file.write(
            "- id: alpha-9z\n"
            "  skill: '@alpha3'\n"
            "  type: text\n"
            "  en:\n"
            "    prompt: Name the monthly report file as the team's rule says.\n"
            "    accept: [2025-03_report]\n"
            "  fr:\n"
            "    prompt: Nommez le rapport mensuel selon la règle de l'équipe.\n"
            "    accept: [2025-03_rapport]\n"
        )
    assert main(["content", "validate", str(tmp_path / "content")]) == 0
    out = capsys.readouterr().out
    assert "1.1.yaml:" in out and "warning: alpha-9z:" in out and "'202503report'" in out
