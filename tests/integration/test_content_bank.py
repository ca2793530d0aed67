"""The content bank: the shipped one validates; broken packs say file:line what is wrong."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest
from pydantic import HttpUrl, TypeAdapter

from content.loader import CONTENT_ROOT, check_bank, load_bank
from content.report import export, format_stats, stats
from tests.conftest import FIXTURES


def test_the_shipped_bank_validates() -> None:
    # How long it takes is measured, not asserted: `pixbot content validate` prints it (a
    # timed test failed CI on a busy machine); workers read it from the cache (content/cache.py).
    bank, problems = check_bank(CONTENT_ROOT)
    assert problems == []
    assert bank is not None and bank.challenges and bank.tips


def test_validate_says_how_long_the_bank_took(capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli import main

    assert main(["content", "validate"]) == 0
    printed = capsys.readouterr().out.splitlines()[-1]
    assert re.fullmatch(
        r"ok: \d+ validated challenges, .* \(read and checked in \d+\.\d\d s\)", printed
    )


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(FIXTURES / "content", target)
    return target


def append(path: Path, text: str) -> int:
    """Append YAML and return the line number where it starts."""
    before = path.read_text(encoding="utf-8")
    path.write_text(before + text, encoding="utf-8")
    return before.count("\n") + 1


def test_broken_packs_report_file_and_line(pack: Path) -> None:
    competence = pack / "competences" / "4.1.yaml"
    line = append(
        competence,
        """- id: gamma-1a
  skill: '@gamma1'
  type: single
  answer: 1
  en: {prompt: dup, options: [a, b]}
  fr: {prompt: dup, options: [a, b]}
- id: gamma-9z
  skill: '@nowhere2'
  type: text
  en: {prompt: p, accept: [x]}
  fr: {prompt: p, accept: [x]}
- id: gamma-2z
  skill: '@gamma2'
  type: single
  answer: 4
  en: {prompt: p, options: [a, b, c]}
  fr: {prompt: p, options: [a, b, c]}
- id: gamma-3z
  skill: '@gamma3'
  type: multiple
  answer: [1, 2]
  en: {prompt: p, options: [same, Same]}
  fr: {prompt: p, options: [x, y]}
- id: gamma-3y
  skill: '@gamma3'
  type: text
  en: {prompt: p, accept: [x]}
- id: gamma-3x
  skill: '@gamma3'
  type: single
  answer: 1
  poll_eligible: true
  en: {prompt: p, options: [a, b], explanation: "%s"}
  fr: {prompt: p, options: [a, b]}
"""
        % ("x" * 250),
    )
    (pack / "tutorials" / "bad.yaml").write_text(
        "tutorials:\n"
        "  - id: t-plain-http\n"
        "    url: http://example.org/page\n"
        "    title: T\n    source: S\n    duration: '00:05:00'\n    language: en\n"
        "    skills: ['@gamma1']\n",
        encoding="utf-8",
    )
    (pack / "tips" / "broken.yaml").write_text("topic: passwords\ntips: [\n", encoding="utf-8")
    _, problems = check_bank(pack)
    shown = [str(problem) for problem in problems]
    name = "content/competences/4.1.yaml"
    assert f"{name}:{line}: duplicate challenge id 'gamma-1a' (first at {name}:" in "\n".join(
        shown
    )
    assert f"{name}:{line + 6}: gamma-9z: unknown skill @nowhere2" in shown
    assert f"{name}:{line + 11}: challenges.5: en: answer index 4 is out of range 1..3" in shown
    assert f"{name}:{line + 17}: challenges.6: en: an option is repeated" in shown
    assert f"{name}:{line + 23}: gamma-3y: missing translation 'fr'" in shown
    assert any(
        s.startswith(f"{name}:{line + 27}: challenges.8: en: a poll explanation") for s in shown
    )
    assert any(
        s.startswith("content/tutorials/bad.yaml:3: tutorials.0.url:") and "https" in s
        for s in shown
    )
    assert any(s.startswith("content/tips/broken.yaml:") and "YAML" in s for s in shown)
    with pytest.raises(Exception, match="unknown skill"):
        load_bank(pack)


def test_stats_and_export_describe_the_bank() -> None:
    bank = load_bank(FIXTURES / "content")
    data = stats(bank)
    assert data["challenges"]["validated"] == 23
    assert data["matrix"]["1.1"]["en"]["3"] == 4
    assert data["skills_without_tutorials"] == {"en": [], "fr": []}
    # Issue 18's depth: challenges and tutorials per skill, AI tubes, Wikipedia's share.
    depth = data["depth"]["competences"]["1.1"]
    assert depth["skills"] == 10 and depth["challenges_per_skill_min"] >= 1
    assert depth["tutorials_per_skill_min"] == {"en": 1, "fr": 1} and depth["ai_tubes"] == 0
    assert data["depth"]["wikipedia_share"] == {"en": 0.0, "fr": 0.0}
    assert data["depth"]["domains"]["en"] == {"example.org": 3}
    assert "depth: validated challenges per skill" in format_stats(data)
    document = export(bank)
    first = next(
        c for c in document["challenges"] if c["id"] == "alpha-3b" and c["language"] == "fr"
    )
    assert first["type"] == "fields"
    assert first["accepted_answers"] == [["12"], ["3,5"]]
    assert first["tutorial_urls"] == ["https://example.org/fr/alpha"]
    assert first["competence"] == "1.1" and first["level"] == 3
    assert document["tips"][0]["topic"] == "passwords"


def test_the_shipped_bank_follows_the_item_writing_rules() -> None:
    """Issue 16: no length cue, varied multiple-choice keys, no all/none of the above, no
    near-identical prompts across skills (content/rules.py)."""
    from content.loader import locate
    from content.rules import check_rules

    problems = check_rules(load_bank(CONTENT_ROOT), locate(CONTENT_ROOT))
    assert [str(problem) for problem in problems] == []


def test_the_shipped_bank_covers_every_competence_and_level() -> None:
    """Issue goals: 16 competences, >= 4 tubes each, levels 1-6 with >= 2 challenges a skill,
    >= 400 validated challenges in en and fr, >= 1/4 open answers, every skill with a tutorial
    in each content language, >= 150 tips in en and fr covering every topic."""
    bank = load_bank(CONTENT_ROOT)
    data = stats(bank)
    assert len(bank.competences) == 16
    for code in bank.competences:
        assert data["tubes"][code] >= 4, code
        for level in range(1, 7):
            assert data["matrix"][code]["en"][str(level)] >= 2, (code, level)
    for skill in bank.skills.values():
        assert len(bank.challenges_of(skill.name)) >= 2, skill.name
    assert data["challenges"]["by_language"]["en"] >= 400
    assert data["challenges"]["by_language"]["fr"] == data["challenges"]["by_language"]["en"]
    assert data["challenges"]["open_answer_share"] >= 0.25
    areas_types: dict[str, set[str]] = {}
    for challenge in bank.challenges.values():
        area = bank.area_of[bank.tube_competence[challenge.tube]]
        areas_types.setdefault(area, set()).add(str(challenge.type))
    assert all(types == {"single", "multiple", "text", "fields"} for types in areas_types.values())
    assert data["skills_without_tutorials"] == {"en": [], "fr": []}
    assert sum(counts["en"] for counts in data["tips"].values()) >= 150
    assert sum(counts["fr"] for counts in data["tips"].values()) >= 150
    from content.models import TipTopic

    assert set(data["tips"]) == {str(topic) for topic in TipTopic}


def test_the_shipped_bank_is_deep_enough_for_retakes_and_every_reader() -> None:
    """Issue 18: at least 4 validated challenges and 2 tutorials per skill in en and fr,
    Wikipedia at most a quarter of each language's tutorials, 8 AI tubes, 40 tips per language
    for people at work, and the framework's tube and skill names in Swedish."""
    from content.models import Audience, Status

    bank = load_bank(CONTENT_ROOT)
    depth = stats(bank)["depth"]
    for code, figures in depth["competences"].items():
        assert figures["challenges_per_skill_min"] >= 4, code
        assert min(figures["tutorials_per_skill_min"].values()) >= 2, (code, figures)
    assert all(share <= 0.25 for share in depth["wikipedia_share"].values()), depth
    assert depth["ai_tubes"] >= 8
    work = [tip for tip in bank.tips if tip.audience == Audience.PROFESSIONALS]
    assert len(work) >= 40 and all(tip.en and tip.fr for tip in work)
    # A quarter of the variants beyond a skill's first two are set at work (347 of the 643
    # written for this issue are; the first two variants end in "a" and "b").
    served = [c for c in bank.challenges.values() if c.status == Status.VALIDATED]
    variants = [c for c in served if not re.search(r"-\d[ab]$", c.id)]
    assert sum(c.at_work for c in variants) >= len(variants) / 4
    assert depth["levels"]["1"]["challenges_per_skill_min"] >= 4
    unnamed = [
        name
        for name, tube in bank.tubes.items()
        if tube.title.sv is None or any(text.sv is None for text in tube.skills.values())
    ]
    assert unnamed == []


async def test_check_links_says_it_is_offline(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from content import links

    async def offline(*args: object, **kwargs: object) -> bool:
        return False

    monkeypatch.setattr(links, "online", offline)
    bank = load_bank(FIXTURES / "content")
    assert await links.check_links(bank) == 0
    assert (
        "offline: cannot reach www.wikipedia.org; 8 URLs were not checked"
        in capsys.readouterr().out
    )


def test_english_tips_read_as_english_and_name_each_source_one_way() -> None:
    """Issue 18: English quotation marks in English tips (no « »), each publisher spelled one
    way (every source of one web site carries one name), and an English reader sent to an
    English page wherever the tip has one."""
    from urllib.parse import urlsplit

    bank = load_bank(CONTENT_ROOT)
    names: dict[str, set[str]] = {}
    for tip in bank.tips:
        english = tip.text("en")
        assert "«" not in english.title + english.text, tip.id
        sources = [tip.source] + [t.source for t in (tip.en, tip.fr) if t and t.source]
        for source in sources:
            host = (urlsplit(str(source.url)).hostname or "").removeprefix("www.")
            names.setdefault(host, set()).add(source.name)
    assert {host: spelled for host, spelled in names.items() if len(spelled) > 1} == {}
    english_sources = [tip for tip in bank.tips if tip.en and tip.en.source]
    assert len(english_sources) >= 100
    assert all(tip.source_in("en") == tip.en.source for tip in english_sources if tip.en)


# Evidence that a tutorial's page exists, strongest first (content/tutorials/provenance.csv):
# listed in the vetted tutorial-sources.csv; the page's own source in its project's public
# repository; a stored copy of the page; the exact address cited in public files.
EVIDENCE = {"reference", "source", "page", "cited"}
URL = TypeAdapter(HttpUrl)  # the form the bank holds its links in


def test_every_tutorial_url_has_evidence_that_its_page_exists() -> None:
    """Issue 18: no tutorial link made up from a pattern; a row names how each was confirmed,
    and a link no tutorial uses any more leaves the file."""
    with (CONTENT_ROOT / "tutorials" / "provenance.csv").open(encoding="utf-8") as rows:
        evidence = {str(URL.validate_python(row["url"])): row for row in csv.DictReader(rows)}
    bank = load_bank()
    used = {str(tutorial.url) for tutorial in bank.tutorials.values()}
    assert sorted(used - evidence.keys()) == []
    assert sorted(evidence.keys() - used) == []
    assert {row["evidence"] for row in evidence.values()} <= EVIDENCE
    assert all(row["detail"].strip() for row in evidence.values())
