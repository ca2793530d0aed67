"""Load the YAML content bank into pydantic models and validate it as a whole.

Every problem is reported as ``file:line: message`` so an author can jump to it; loading
collects all problems instead of stopping at the first one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from bot.core.typography import french
from content.bank import ContentBank
from content.models import (
    CONTENT_LANGUAGES,
    MESSAGE_LIMIT,
    Challenge,
    ChallengeText,
    ChallengeType,
    CompetenceFile,
    Framework,
    Status,
    Tip,
    TipFile,
    Tutorial,
    TutorialFile,
    skill_name,
)

CONTENT_ROOT: Final = Path(__file__).resolve().parent
Model = TypeVar("Model", bound=BaseModel)

try:  # libyaml is ~10x faster; PyYAML's wheels ship it
    _BaseLoader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover
    _BaseLoader = yaml.SafeLoader


class LineDict(dict[str, Any]):
    """A mapping that remembers the line of each of its keys (1-based)."""

    line: int
    key_lines: dict[str, int]


class LineList(list[Any]):
    line: int
    item_lines: list[int]


class _LineLoader(_BaseLoader):  # type: ignore[misc,valid-type]
    pass


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        result[str(key)] = loader.construct_object(value_node, deep=True)
        result.key_lines[str(key)] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: yaml.SafeLoader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class ContentError(Exception):
    """The bank has problems; ``problems`` lists them all."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        shown = "\n".join(str(problem) for problem in self.problems[:20])
        more = len(self.problems) - 20
        super().__init__(shown + (f"\n… and {more} more" if more > 0 else ""))


@dataclass
class _Collector:
    root: Path
    problems: list[Problem] = field(default_factory=list)

    def add(self, path: Path, line: int, message: str) -> None:
        self.problems.append(Problem(self.show(path), line, message))

    def show(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root.parent))
        except ValueError:
            return str(path)

    def read(self, path: Path) -> Any:
        try:
            return yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)  # noqa: S506
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark
            self.add(path, (mark.line + 1) if mark else 1, f"YAML: {error.problem}")
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
            self.add(path, 1, f"cannot read: {error}")
        return None

    def validate(
        self, path: Path, model: type[Model], raw: Any, prefix: tuple[int | str, ...] = ()
    ) -> Model | None:
        """Validate ``raw``, which sits at ``prefix`` in the file, reporting each error."""
        try:
            return model.model_validate(raw)
        except ValidationError as error:
            for item in error.errors():
                loc = prefix + tuple(item["loc"])
                where = ".".join(str(part) for part in loc)
                message = item["msg"].removeprefix("Value error, ")
                self.add(
                    path,
                    _line_of(raw, item["loc"], getattr(raw, "line", 1)),
                    f"{where}: {message}" if where else message,
                )
            return None

    def parse(self, path: Path, model: type[Model]) -> tuple[Model | None, Any]:
        raw = self.read(path)
        if raw is None:
            return None, None
        return self.validate(path, model, raw), raw


def _line_of(raw: Any, loc: Iterable[int | str], line: int = 1) -> int:
    """The line of the deepest node of ``loc`` that the YAML recorded."""
    line = getattr(raw, "line", line)
    node = raw
    for part in loc:
        if isinstance(node, LineDict) and isinstance(part, str) and part in node:
            line = node.key_lines.get(part, line)
            node = node[part]
        elif isinstance(node, LineList) and isinstance(part, int) and 0 <= part < len(node):
            line = node.item_lines[part]
            node = node[part]
        else:
            break
        line = getattr(node, "line", line) if isinstance(node, LineDict) else line
    return line


def _item_line(raw: Any, key: str, index: int) -> int:
    try:
        return int(raw[key].item_lines[index])
    except (AttributeError, IndexError, KeyError, TypeError):
        return int(getattr(raw, "line", 1))


def load_bank(root: Path | None = None) -> ContentBank:
    """Load and validate the bank under ``root``; raise ContentError listing every problem."""
    bank, problems = check_bank(root)
    if problems:
        raise ContentError(problems)
    assert bank is not None
    return bank


def check_bank(root: Path | None = None) -> tuple[ContentBank | None, list[Problem]]:
    root = (root or CONTENT_ROOT).resolve()
    out = _Collector(root)
    framework_path = root / "framework.yaml"
    framework, _ = out.parse(framework_path, Framework)
    if framework is None:
        if not framework_path.exists():
            out.add(framework_path, 1, "missing framework file")
        return None, out.problems

    codes = {c.code for area in framework.areas for c in area.competences}
    tubes: dict[str, dict[str, Any]] = {}
    tube_owner: dict[str, str] = {}
    skill_lines: dict[str, tuple[Path, int]] = {}
    challenges: list[Challenge] = []
    challenge_where: dict[str, tuple[Path, int]] = {}

    for path in _yaml_files(root / "competences"):
        parsed, raw = out.parse(path, CompetenceFile)
        if parsed is None:
            continue
        if parsed.competence not in codes:
            out.add(
                path, raw.key_lines.get("competence", 1), f"unknown competence {parsed.competence}"
            )
            continue
        for index, tube in enumerate(parsed.tubes):
            line = _item_line(raw, "tubes", index)
            if tube.name in tube_owner:
                out.add(
                    path, line, f"tube {tube.name!r} is already defined in {tube_owner[tube.name]}"
                )
                continue
            tube_owner[tube.name] = parsed.competence
            tubes[tube.name] = {"competence": parsed.competence, "tube": tube}
            for level in tube.skills:
                skill_lines[skill_name(tube.name, level)] = (path, line)
        for index, raw_challenge in enumerate(raw.get("challenges") or []):
            line = _item_line(raw, "challenges", index)
            challenge = out.validate(path, Challenge, raw_challenge, ("challenges", index))
            if challenge is None:
                continue
            challenge = _typeset(challenge)
            if challenge.id in challenge_where:
                first_path, first_line = challenge_where[challenge.id]
                out.add(
                    path,
                    line,
                    f"duplicate challenge id {challenge.id!r} "
                    f"(first at {out.show(first_path)}:{first_line})",
                )
                continue
            challenge_where[challenge.id] = (path, line)
            owner = tube_owner.get(challenge.tube)
            if challenge.skill not in skill_lines:
                out.add(path, line, f"{challenge.id}: unknown skill {challenge.skill}")
                continue
            if owner != parsed.competence:
                out.add(
                    path,
                    line,
                    f"{challenge.id}: skill {challenge.skill} belongs to competence {owner}",
                )
                continue
            if challenge.status is Status.VALIDATED:
                for lang in CONTENT_LANGUAGES:
                    if getattr(challenge, lang) is None:
                        out.add(path, line, f"{challenge.id}: missing translation {lang!r}")
            for problem in _length_problems(challenge):
                out.add(path, line, f"{challenge.id}: {problem}")
            challenges.append(challenge)

    tutorials: list[Tutorial] = []
    tutorial_ids: dict[str, tuple[Path, int]] = {}
    for path in _yaml_files(root / "tutorials"):
        parsed_tutorials, raw = out.parse(path, TutorialFile)
        if parsed_tutorials is None:
            continue
        for index, tutorial in enumerate(parsed_tutorials.tutorials):
            line = _item_line(raw, "tutorials", index)
            if tutorial.id in tutorial_ids:
                out.add(path, line, f"duplicate tutorial id {tutorial.id!r}")
                continue
            tutorial_ids[tutorial.id] = (path, line)
            if tutorial.language == "fr":
                tutorial = tutorial.model_copy(update={"title": _spaced(tutorial.title)})
            unknown = [skill for skill in tutorial.skills if skill not in skill_lines]
            if unknown:
                out.add(path, line, f"{tutorial.id}: unknown skill(s) {', '.join(unknown)}")
            tutorials.append(tutorial)

    tips: list[Tip] = []
    tip_ids: set[str] = set()
    for path in _yaml_files(root / "tips"):
        parsed_tips, raw = out.parse(path, TipFile)
        if parsed_tips is None:
            continue
        for index, tip in enumerate(parsed_tips.tips):
            line = _item_line(raw, "tips", index)
            if tip.id in tip_ids:
                out.add(path, line, f"duplicate tip id {tip.id!r}")
                continue
            tip_ids.add(tip.id)
            for lang in CONTENT_LANGUAGES:
                if getattr(tip, lang) is None:
                    out.add(path, line, f"{tip.id}: missing translation {lang!r}")
            tips.append(_typeset(tip).model_copy(update={"topic": parsed_tips.topic}))

    if out.problems:
        return None, out.problems
    bank = ContentBank.build(framework, tubes, challenges, tutorials, tips)
    return bank, out.problems


Typeset = TypeVar("Typeset", Challenge, Tip)


def _spaced(text: str) -> str:
    """French typography on the spaces the authors wrote: ``site:`` or ``if x > 5:`` written
    against a word is a literal or code, shown as written. Rewriting a space keeps the length,
    so the limits checked by validation still hold."""
    return french(text, insert=False)


def _typeset(item: Typeset) -> Typeset:
    """``item`` with French typography in what a learner reads (bot/core/typography.py), once
    for every screen. Accepted answers, compared with what is typed, stay as written."""
    text = item.fr
    if text is None:
        return item
    if isinstance(text, ChallengeText):
        update: dict[str, Any] = {
            "prompt": _spaced(text.prompt),
            "options": [_spaced(option) for option in text.options],
            "explanation": _spaced(text.explanation),
            "fields": [
                field.model_copy(update={"label": _spaced(field.label)}) for field in text.fields
            ],
        }
    else:
        update = {"title": _spaced(text.title), "text": _spaced(text.text)}
    return item.model_copy(update={"fr": text.model_copy(update=update)})


def _yaml_files(folder: Path) -> Iterator[Path]:
    if folder.is_dir():
        yield from sorted(folder.rglob("*.yaml"))


def _length_problems(challenge: Challenge) -> Iterator[str]:
    for lang in challenge.languages:
        text = challenge.text(lang)
        shown = len(text.prompt) + sum(len(option) + 4 for option in text.options)
        if shown > MESSAGE_LIMIT - 200:  # room for the header and progress bar
            yield f"{lang}: prompt and options are too long for one Telegram message"
        if challenge.type is ChallengeType.FIELDS and len(text.fields) > 8:
            yield f"{lang}: at most 8 fields"


@dataclass(frozen=True)
class Locations:
    """Where each challenge and each competence file starts, as problems show them."""

    challenges: dict[str, tuple[str, int]]  # challenge id -> (file, line of its `- id:`)
    competences: dict[str, tuple[str, int]]  # code -> (file, line of its `competence:`)

    def challenge(self, challenge_id: str, competence: str) -> tuple[str, int]:
        return self.challenges.get(challenge_id) or self.competence(competence)

    def competence(self, code: str) -> tuple[str, int]:
        return self.competences.get(code, (f"content/competences/{code}.yaml", 1))


def locate(root: Path | None = None) -> Locations:
    """The file and line of every challenge and competence under ``root`` (read again: the
    bank keeps no lines). Unreadable files are skipped; ``check_bank`` reports them."""
    root = (root or CONTENT_ROOT).resolve()
    out = _Collector(root)
    challenges: dict[str, tuple[str, int]] = {}
    competences: dict[str, tuple[str, int]] = {}
    for path in _yaml_files(root / "competences"):
        raw = out.read(path)
        if not isinstance(raw, LineDict):
            continue
        shown = out.show(path)
        if "competence" in raw:
            competences.setdefault(str(raw["competence"]), (shown, raw.key_lines["competence"]))
        items = raw.get("challenges")
        if not isinstance(items, list):
            continue
        for index, item in enumerate(items):
            if isinstance(item, dict) and "id" in item:
                challenges.setdefault(
                    str(item["id"]), (shown, _item_line(raw, "challenges", index))
                )
    return Locations(challenges, competences)
