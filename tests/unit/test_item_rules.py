"""Item-writing rules (content/rules.py) on small synthetic banks built on the fixture's
framework: competence 1.1 has the skills @alpha1-5 and @beta1-5, competence 4.1 @gamma1-3."""

from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from content.bank import ContentBank
from content.loader import Locations, locate
from content.models import Challenge
from content.rules import (
    above_option,
    check_rules,
    cue_stats,
    format_cue_stats,
    near_duplicates,
    prompt_tokens,
)
from tests.conftest import FIXTURES

NOWHERE = Locations({}, {})
WORDS = ("apple", "bridge", "candle", "desert", "engine", "forest", "garden", "harbour")
_prompts = itertools.count()


def fresh(language: str) -> str:
    """A prompt that shares no word with the other fresh prompts."""
    n = next(_prompts)
    words = [WORDS[(3 * n + k) % len(WORDS)] + str(n) for k in range(3)]
    return f"{' '.join(words)}?" if language == "en" else f"{' '.join(words)} ?"


FILE = "content/competences/1.1.yaml"


def single(
    cid: str,
    options: list[str],
    answer: int = 1,
    skill: str = "@alpha1",
    fr: list[str] | None = None,
    prompt: str | None = None,
    status: str = "validated",
) -> Challenge:
    return Challenge.model_validate(
        {
            "id": cid,
            "skill": skill,
            "type": "single",
            "answer": answer,
            "status": status,
            "en": {"prompt": prompt or fresh("en"), "options": options},
            "fr": {"prompt": prompt or fresh("fr"), "options": fr or options},
        }
    )


def multiple(
    cid: str, right: list[int], options: int = 5, skill: str = "@alpha2", prompt: str = ""
) -> Challenge:
    texts = [f"option {n}" for n in range(1, options + 1)]
    return Challenge.model_validate(
        {
            "id": cid,
            "skill": skill,
            "type": "multiple",
            "answer": right,
            "en": {"prompt": prompt or fresh("en"), "options": texts},
            "fr": {"prompt": prompt or fresh("fr"), "options": texts},
        }
    )


def text(cid: str, prompt: str, skill: str, fr: str | None = None) -> Challenge:
    return Challenge.model_validate(
        {
            "id": cid,
            "skill": skill,
            "type": "text",
            "en": {"prompt": prompt, "accept": ["x"]},
            "fr": {"prompt": fr or prompt, "accept": ["x"]},
        }
    )


def with_challenges(bank: ContentBank, *challenges: Challenge) -> ContentBank:
    tubes = {
        name: {"competence": bank.tube_competence[name], "tube": tube}
        for name, tube in bank.tubes.items()
    }
    return ContentBank.build(bank.framework, tubes, challenges, [], [])


def messages(bank: ContentBank, *challenges: Challenge) -> list[str]:
    return [p.message for p in check_rules(with_challenges(bank, *challenges), NOWHERE)]


EVEN = ["aaaa", "bbbb", "cccc"]  # three options of one length: no cue


def test_the_fixture_bank_follows_the_rules(bank: ContentBank) -> None:
    assert check_rules(bank, locate(FIXTURES / "content")) == []


def test_the_right_option_strictly_longest_is_a_cue(bank: ContentBank) -> None:
    found = messages(
        bank,
        single("long-1a", ["the right one, because", "wrong", "other"]),
        *[single(f"even-{n}a", EVEN, skill="@beta1") for n in range(5)],
    )
    assert found == [
        "long-1a: en: the right option is the strictly longest (22 characters, the next 5); "
        "make a wrong option as long, or every option at least 85% of the longest",
        "long-1a: fr: the right option is the strictly longest (22 characters, the next 5); "
        "make a wrong option as long, or every option at least 85% of the longest",
    ]


def test_each_language_is_measured(bank: ContentBank) -> None:
    found = messages(
        bank,
        single("fr-only-1a", ["right", "wrong", "other"], fr=["la bonne réponse", "non", "autre"]),
        *[single(f"even-{n}a", EVEN, skill="@beta1") for n in range(5)],
    )
    assert [m.split(":")[:2] for m in found] == [["fr-only-1a", " fr"]]


@pytest.mark.parametrize(
    ("options", "flagged"),
    [
        (["x" * 20, "y" * 17, "z" * 17], False),  # 17 >= 0.85 x 20: within 15 %
        (["x" * 20, "y" * 17, "z" * 16], True),  # 16 < 17: one option is too short
        (["x" * 20, "y" * 20, "z" * 3], False),  # a tie is not strictly longest
        (["x" * 3, "y" * 20, "z" * 19], False),  # the right option is the shortest
    ],
)
def test_the_15_percent_exemption_is_shortest_at_least_85_percent_of_longest(
    bank: ContentBank, options: list[str], flagged: bool
) -> None:
    found = messages(
        bank,
        single("edge-1a", options),
        *[single(f"even-{n}a", EVEN, skill="@beta1") for n in range(5)],
    )
    assert any(m.startswith("edge-1a: en: the right option") for m in found) is flagged


def test_at_most_a_third_of_a_competences_singles_have_the_right_option_longest(
    bank: ContentBank,
) -> None:
    near = ["x" * 20, "y" * 18, "z" * 18]  # right strictly longest, but within 15 %
    third = [single("near-1a", near), single("even-1a", EVEN), single("even-2a", EVEN)]
    assert messages(bank, *third) == []  # 1 of 3
    found = messages(bank, *third, single("near-2a", near, skill="@alpha2"))  # 2 of 4
    assert found == [
        "competence 1.1: en: 2 of 4 single-choice challenges have the right option strictly "
        "longest (at most a third: 1); near-1a, near-2a",
        "competence 1.1: fr: 2 of 4 single-choice challenges have the right option strictly "
        "longest (at most a third: 1); near-1a, near-2a",
    ]
    # Another competence has its own count.
    assert messages(bank, *third, single("near-1b", near, skill="@gamma1")) == [
        "competence 4.1: en: 1 of 1 single-choice challenges have the right option strictly "
        "longest (at most a third: 0); near-1b",
        "competence 4.1: fr: 1 of 1 single-choice challenges have the right option strictly "
        "longest (at most a third: 0); near-1b",
    ]


def test_multiple_choice_varies_its_count_of_right_answers(bank: ContentBank) -> None:
    varied = [multiple("m-1", [1, 2, 3]), multiple("m-2", [2, 4]), multiple("m-3", [1, 2, 3, 5])]
    assert messages(bank, *varied) == []
    assert messages(bank, multiple("m-1", [1, 2, 3]), multiple("m-2", [2, 4])) == []  # half
    assert messages(bank, *varied, multiple("m-4", [1, 4, 5])) == []  # 2 of 4: half
    found = messages(bank, *varied, multiple("m-4", [1, 4, 5]), multiple("m-5", [2, 3, 4]))
    assert found == [
        "competence 1.1: 3 of 5 multiple-choice challenges have 3 right answers (at most half "
        "may share a count; counts used: 2 right x1, 3 right x3, 4 right x1); vary the number "
        "of right answers"
    ]


def test_some_multiple_choice_has_one_or_two_right_among_four_options(bank: ContentBank) -> None:
    assert messages(bank, multiple("m-1", [1, 2, 3]), multiple("m-2", [1], options=4)) == []
    found = messages(bank, multiple("m-1", [1, 2, 3]), multiple("m-2", [1, 2], options=3))
    assert found == [
        "competence 1.1: no multiple-choice challenge has 1 or 2 right answers among 4 or more "
        "options (counts used: 2 right x1, 3 right x1)"
    ]
    # One multiple-choice challenge alone is not held to the half rule, only to this one.
    assert messages(bank, multiple("m-1", [1, 2])) == []
    assert len(messages(bank, multiple("m-1", [1, 2, 3]))) == 1


@pytest.mark.parametrize(
    "option",
    [
        "All of the above",
        "none of the above",
        "Both of the above",
        "None of these",
        "All the above",
        "None of the other answers",
        "All answers are correct",
        "Toutes les réponses",
        "Toutes les réponses ci-dessus",
        "Aucune des réponses ci-dessus",
        "Aucune des propositions précédentes",
        "Aucune de ces réponses",
        "Toutes ces réponses",
        "« Toutes les réponses »",
        "Les deux réponses précédentes",
        "Aucune réponse ne convient",
    ],
)
def test_all_or_none_of_the_above_is_found(option: str) -> None:
    assert above_option(option)


@pytest.mark.parametrize(
    "option",
    [
        "Delete all of them at once",
        "Back up all your files",
        "None",
        "Ne répondre à aucun message",
        "Tous les fichiers du dossier",
        "Sign out of all devices",
        "The above link",
    ],
)
def test_ordinary_options_are_not_all_or_none_of_the_above(option: str) -> None:
    assert not above_option(option)


def test_an_all_of_the_above_option_is_reported(bank: ContentBank) -> None:
    found = messages(
        bank,
        single("above-1a", ["None", "Some", "All of the above"], answer=3, fr=["a", "b", "c"]),
        *[single(f"even-{n}a", EVEN, skill="@beta1") for n in range(5)],
    )
    assert (
        "above-1a: en: option 3 is an all/none-of-the-above option ('All of the above'); "
        "write a real alternative"
    ) in found
    assert not any(m.startswith("above-1a: fr: option") for m in found)


def test_near_identical_prompts_of_different_skills(bank: ContentBank) -> None:
    one = text("dup-1", "Which of these files are videos? Select all that apply.", "@alpha1")
    two = text("dup-2", "Which of these files are images? Select all that apply.", "@beta2")
    variant = text("dup-3", "Which of these files are videos? Select all that apply.", "@alpha1")
    [found] = messages(bank, one, two)
    assert found.startswith("dup-2: prompt near-identical to dup-1's (content/competences/")
    assert "; token-set similarity en 94, fr 94) of another skill (@alpha1)" in found
    # Variants of one skill may share a prompt; the others must not.
    assert messages(bank, one, variant) == []
    # Only validated challenges count.
    draft = two.model_copy(update={"status": "draft"})
    assert messages(bank, one, draft) == []


def test_programs_with_different_code_are_different_prompts(bank: ContentBank) -> None:
    first = text("py-1", "What does this Python line display?\n\nprint(2 + 3 * 4)", "@alpha3")
    other = text("py-2", 'What does this Python line display?\n\nprint(len("abc") * 10)', "@beta3")
    assert near_duplicates([first, other]) == []
    assert prompt_tokens("Which files? « Select », all.") == "which files select all"


def test_drafts_do_not_count(bank: ContentBank) -> None:
    cued = single("long-1a", ["the right one, because", "wrong", "other"], status="draft")
    assert messages(bank, cued) == []


def test_problems_name_the_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pack = tmp_path / "content"
    shutil.copytree(FIXTURES / "content", pack)
    path = pack / "competences" / "4.1.yaml"
    before = path.read_text(encoding="utf-8")
    line = before.count("\n") + 1
    path.write_text(
        before
        + """- id: gamma-2z
  skill: '@gamma2'
  type: single
  answer: 1
  en: {prompt: Which one is right here?, options: ['the right one, because', wrong, other]}
  fr: {prompt: Laquelle est juste ici ?, options: [a, b, c]}
""",
        encoding="utf-8",
    )
    problem = f"content/competences/4.1.yaml:{line}: gamma-2z: en: the right option is the "
    assert main(["content", "rules", str(pack)]) == 1
    assert problem in capsys.readouterr().out
    assert main(["content", "validate", str(pack)]) == 1  # validate enforces the rules
    assert problem in capsys.readouterr().out
    assert main(["content", "validate", str(FIXTURES / "content")]) == 0
    assert capsys.readouterr().out.startswith("ok: ")
    assert main(["content", "rules", str(FIXTURES / "content")]) == 0
    assert capsys.readouterr().out.startswith("ok: ")


def test_stats_give_the_cue_figures(bank: ContentBank) -> None:
    data: dict[str, Any] = cue_stats(
        with_challenges(
            bank,
            single("s-1", ["right, with a reason", "wrong", "other"]),  # right strictly longest
            single("s-2", ["aaaa", "bbbb", "cc"]),  # a tie: picking the longest is right half
            single("s-3", ["a", "bbbbb", "c"], skill="@alpha3"),  # the longest is wrong
            multiple("m-1", [1, 2, 3]),
            multiple("m-2", [1, 3]),
            multiple("m-3", [1, 2, 3], skill="@alpha4"),
        )
    )
    figures = data["competences"]["1.1"]
    assert figures["single"] == 3 and figures["multiple"] == 3
    assert figures["right_longest"] == {"en": 1, "fr": 1}
    assert figures["right_longest_flagged"] == {"en": 1, "fr": 1}
    assert figures["longest_pick_score"]["en"] == pytest.approx(0.5)  # (1 + 0.5 + 0) / 3
    assert figures["justified"]["en"] == {"right": [1, 3 + 8], "wrong": [0, 6 + 7]}
    assert figures["right_counts"] == {"2": 1, "3": 2}
    assert figures["first_k"] == {"3": 2}
    assert figures["levels"]["3"]["single"] == 1
    assert figures["levels"]["1"]["right_longest"] == {"en": 1, "fr": 1}
    assert data["bank"]["single"] == 3 and data["levels"]["2"]["multiple"] == 2
    assert data["competences"]["4.1"]["single"] == 0
    table = format_cue_stats(data)
    assert "1.1" in table and "4.1" not in table and "bank" in table


def test_stats_cli_shows_the_cues(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["content", "stats", str(FIXTURES / "content")]) == 0
    assert "pick longest en/fr" in capsys.readouterr().out
    assert main(["content", "stats", str(FIXTURES / "content"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["cues"]["bank"]["single"] == 13
