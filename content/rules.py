"""Item-writing rules: cues over the loaded bank that give an answer away without the skill.

The pydantic models check that each challenge is well formed; these rules check what a
test-wise learner could exploit across the bank (see ``../shared/reference/item-writing.md``
and issue 16). Only ``validated`` challenges count. Each rule is precise:

* **Longest option.** The right option of a single-choice challenge is not the strictly longest
  one (characters, after trimming, in each content language), unless every option is within
  15 % of the longest (shortest >= 0.85 x longest). Per competence, at most a third of the
  single-choice challenges have the right option strictly longest, in each language; this
  bank-level rule counts every such challenge, including those the 15 % exemption lets through.
* **Right-answer counts.** In a competence with at least two multiple-choice challenges, no
  count of right answers is used by more than half of them; and a competence with any
  multiple-choice challenge has one with 1 or 2 right answers among at least 4 options.
* **All / none of the above.** No option says "all of the above", "none of these", « toutes les
  réponses », « aucune des propositions ci-dessus », and the like (see ``_ABOVE``).
* **Near-identical prompts.** Two challenges of different skills do not have prompts with a
  rapidfuzz ``token_set_ratio`` of 90 or more in the same language. A *variant* is declared by
  giving it the same skill (Pix's declinations of one skill): variants may share a prompt;
  different skills may not, whatever their competence. Prompts are compared casefolded, without
  accents, as whitespace-separated tokens stripped of sentence punctuation (``.,;:!?…«»``) but
  keeping the symbols inside them, so two programs or formulas with different code differ even
  when their words are few.

``check_rules`` reports each problem as ``file:line: message`` (the challenge's line, or the
competence file's ``competence:`` line for the bank-level rules); ``cue_stats`` gives the
figures ``pixbot content stats`` shows per competence and level.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Final

from rapidfuzz import fuzz, process

from content.bank import ContentBank
from content.loader import Locations, Problem
from content.models import CONTENT_LANGUAGES, Challenge, ChallengeType, Status

SIMILAR_LENGTH: Final = 0.85  # every option at least this share of the longest: no length cue
LONGEST_SHARE: Final = 1 / 3  # per competence, at most this share of right-longest singles
COUNT_SHARE: Final = 0.5  # per competence, no right-answer count above this share
FEW_RIGHT: Final = (1, 2)  # some multiple-choice challenge has this many right answers ...
FEW_RIGHT_OPTIONS: Final = 4  # ... among at least this many options
NEAR_DUPLICATE: Final = 90.0  # rapidfuzz token_set_ratio of two prompts
JUSTIFICATION: Final = re.compile(r"[:,]")  # an option that explains itself ("X, because Y")
_SENTENCE_PUNCTUATION: Final = ".,;:!?…«»"

# Matched on the casefolded option without accents.
_ABOVE: Final = tuple(
    re.compile(pattern)
    for pattern in (
        r"\b(all|none|both|neither|each)\s+(of\s+)?(the\s+)?"
        r"(above|previous|preceding|foregoing)\b",
        r"\b(all|none|both|neither)\s+of\s+the\s+(other\s+)?(answers|options|choices|others)\b",
        r"^\s*(all|none|both|neither)\s+of\s+(these|those|them)\b",
        r"\b(all|none)\s+(the\s+)?(answers|options|choices)\s+(are|is)\b",
        r"\b(toutes|tous|toute|aucune|aucun|les\s+deux|ni\s+l'une)\b[^.]{0,40}?"
        r"\b(ci-dessus|precedentes?|precedents?|proposees?|proposes?)\b",
        r"\b(toutes|tous|aucune|aucun)\s+(les\s+|des\s+|de\s+ces\s+|ces\s+)"
        r"(reponses|propositions|options|choix|solutions)\b",
        r"^\W*(aucune|toutes)\s+(bonnes?\s+)?(reponses?|propositions?)\b",
    )
)


@dataclass(frozen=True)
class _Pair:
    first: Challenge
    second: Challenge
    scores: dict[str, float]  # language -> similarity


def check_rules(bank: ContentBank, where: Locations) -> list[Problem]:
    """Every item-writing problem of the bank's validated challenges, sorted."""
    problems: list[Problem] = []

    def at_challenge(challenge: Challenge, message: str) -> None:
        path, line = where.challenge(challenge.id, bank.tube_competence[challenge.tube])
        problems.append(Problem(path, line, f"{challenge.id}: {message}"))

    def at_competence(code: str, message: str) -> None:
        path, line = where.competence(code)
        problems.append(Problem(path, line, f"competence {code}: {message}"))

    served = validated(bank)
    for challenge in served:
        for message in _option_problems(challenge):
            at_challenge(challenge, message)
    by_competence = _by_competence(bank, served)
    for code, challenges in by_competence.items():
        for message in _competence_problems(challenges):
            at_competence(code, message)
    for pair in near_duplicates(served):
        path, line = where.challenge(pair.first.id, bank.tube_competence[pair.first.tube])
        scores = ", ".join(f"{lang} {score:.0f}" for lang, score in pair.scores.items())
        at_challenge(
            pair.second,
            f"prompt near-identical to {pair.first.id}'s ({path}:{line}; token-set "
            f"similarity {scores}) of another skill ({pair.first.skill}); write another "
            "situation, or make one a variant of the other's skill",
        )
    return sorted(problems)


def validated(bank: ContentBank) -> list[Challenge]:
    return [c for c in bank.challenges.values() if c.status is Status.VALIDATED]


def _by_competence(
    bank: ContentBank, challenges: Iterable[Challenge]
) -> dict[str, list[Challenge]]:
    grouped: dict[str, list[Challenge]] = {code: [] for code in sorted(bank.competences)}
    for challenge in challenges:
        grouped[bank.tube_competence[challenge.tube]].append(challenge)
    return grouped


# --- one challenge ------------------------------------------------------------------------


def lengths(challenge: Challenge, lang: str) -> list[int]:
    return [len(option.strip()) for option in challenge.text(lang).options]


def right_strictly_longest(challenge: Challenge, lang: str) -> bool:
    """Single choice: the right option is longer than every other one."""
    sizes = lengths(challenge, lang)
    right = next(iter(challenge.right_indexes))
    return sizes[right] > max(size for i, size in enumerate(sizes) if i != right)


def similar_lengths(challenge: Challenge, lang: str) -> bool:
    sizes = lengths(challenge, lang)
    return min(sizes) >= SIMILAR_LENGTH * max(sizes)


def longest_pick(challenge: Challenge, lang: str) -> float:
    """The chance that picking the longest option (ties at random) is right."""
    sizes = lengths(challenge, lang)
    longest = [i for i, size in enumerate(sizes) if size == max(sizes)]
    return sum(1 for i in longest if i in challenge.right_indexes) / len(longest)


def above_option(option: str) -> bool:
    """An "all of the above" / "none of the above" option, in English or French."""
    text = _plain(option)
    return any(pattern.search(text) for pattern in _ABOVE)


def first_k(challenge: Challenge) -> bool:
    """Multiple choice: the right options are exactly the first k in the source order."""
    right = sorted(challenge.right_indexes)
    return right == list(range(len(right)))


def _option_problems(challenge: Challenge) -> Iterator[str]:
    if challenge.type not in (ChallengeType.SINGLE, ChallengeType.MULTIPLE):
        return
    for lang in challenge.languages:
        if (
            challenge.type is ChallengeType.SINGLE
            and right_strictly_longest(challenge, lang)
            and not similar_lengths(challenge, lang)
        ):
            sizes = lengths(challenge, lang)
            right = next(iter(challenge.right_indexes))
            others = max(size for i, size in enumerate(sizes) if i != right)
            yield (
                f"{lang}: the right option is the strictly longest ({sizes[right]} "
                f"characters, the next {others}); make a wrong option as long, or every "
                f"option at least {SIMILAR_LENGTH:.0%} of the longest"
            )
        for number, option in enumerate(challenge.text(lang).options, start=1):
            if above_option(option):
                yield (
                    f"{lang}: option {number} is an all/none-of-the-above option ({option!r}); "
                    "write a real alternative"
                )


# --- one competence -----------------------------------------------------------------------


def _competence_problems(challenges: Sequence[Challenge]) -> Iterator[str]:
    singles = [c for c in challenges if c.type is ChallengeType.SINGLE]
    for lang in CONTENT_LANGUAGES:
        longest = [c for c in singles if lang in c.languages and right_strictly_longest(c, lang)]
        if len(longest) > LONGEST_SHARE * len(singles):
            yield (
                f"{lang}: {len(longest)} of {len(singles)} single-choice challenges have the "
                f"right option strictly longest (at most a third: {_floor(singles)}); "
                f"{', '.join(c.id for c in longest)}"
            )
    multiples = [c for c in challenges if c.type is ChallengeType.MULTIPLE]
    if not multiples:
        return
    counts = Counter(len(c.right_indexes) for c in multiples)
    if len(multiples) >= 2:
        count, used = counts.most_common(1)[0]
        if used > COUNT_SHARE * len(multiples):
            yield (
                f"{used} of {len(multiples)} multiple-choice challenges have {count} right "
                f"answers (at most half may share a count; counts used: "
                f"{_counts(counts)}); vary the number of right answers"
            )
    if not any(
        len(c.right_indexes) in FEW_RIGHT and _options(c) >= FEW_RIGHT_OPTIONS for c in multiples
    ):
        yield (
            "no multiple-choice challenge has 1 or 2 right answers among "
            f"{FEW_RIGHT_OPTIONS} or more options (counts used: {_counts(counts)})"
        )


def _floor(singles: Sequence[Challenge]) -> int:
    return int(LONGEST_SHARE * len(singles) + 1e-9)


def _counts(counts: Counter[int]) -> str:
    return ", ".join(f"{count} right x{used}" for count, used in sorted(counts.items()))


def _options(challenge: Challenge) -> int:
    return len(challenge.text("en").options)


# --- pairs --------------------------------------------------------------------------------


def _plain(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.casefold().replace("’", "'"))
    return "".join(ch for ch in folded if not unicodedata.combining(ch))


def prompt_tokens(prompt: str) -> str:
    """The prompt as the near-duplicate rule compares it (see the module docstring)."""
    tokens = (token.strip(_SENTENCE_PUNCTUATION) for token in _plain(prompt).split())
    return " ".join(token for token in tokens if token)


def near_duplicates(challenges: Sequence[Challenge]) -> list[_Pair]:
    """Pairs of challenges of different skills whose prompts are near-identical in a language,
    in bank order (``first`` comes before ``second``)."""
    found: dict[tuple[int, int], dict[str, float]] = defaultdict(dict)
    for lang in CONTENT_LANGUAGES:
        present = [i for i, c in enumerate(challenges) if lang in c.languages]
        prompts = [prompt_tokens(challenges[i].text(lang).prompt) for i in present]
        if len(prompts) < 2:
            continue
        matrix = process.cdist(
            prompts, prompts, scorer=fuzz.token_set_ratio, score_cutoff=NEAR_DUPLICATE
        )
        rows, columns = (matrix >= NEAR_DUPLICATE).nonzero()
        for row, column in zip(rows.tolist(), columns.tolist(), strict=True):
            first, second = present[row], present[column]
            if first < second and challenges[first].skill != challenges[second].skill:
                found[(first, second)][lang] = float(matrix[row, column])
    return [
        _Pair(challenges[first], challenges[second], scores)
        for (first, second), scores in sorted(found.items())
    ]


# --- figures ------------------------------------------------------------------------------


def cue_stats(bank: ContentBank) -> dict[str, Any]:
    """The bank-level cue figures, per competence, per competence and level, per level, and for
    the whole bank (validated challenges)."""
    served = validated(bank)
    by_competence = _by_competence(bank, served)
    pairs = near_duplicates(served)
    pair_count: Counter[str] = Counter()
    for pair in pairs:
        pair_count[bank.tube_competence[pair.first.tube]] += 1
        if bank.tube_competence[pair.second.tube] != bank.tube_competence[pair.first.tube]:
            pair_count[bank.tube_competence[pair.second.tube]] += 1
    levels = sorted({c.level for c in served})
    competences = {
        code: {
            **_figures(challenges),
            "near_duplicates": pair_count.get(code, 0),
            "levels": {
                str(level): _figures([c for c in challenges if c.level == level])
                for level in levels
            },
        }
        for code, challenges in by_competence.items()
    }
    return {
        "rules": {
            "similar_length": SIMILAR_LENGTH,
            "longest_share": round(LONGEST_SHARE, 4),
            "count_share": COUNT_SHARE,
            "near_duplicate": NEAR_DUPLICATE,
        },
        "bank": {**_figures(served), "near_duplicates": len(pairs)},
        "levels": {
            str(level): _figures([c for c in served if c.level == level]) for level in levels
        },
        "competences": competences,
        "near_duplicates": [
            {
                "first": pair.first.id,
                "second": pair.second.id,
                "skills": [pair.first.skill, pair.second.skill],
                "similarity": {lang: round(score, 1) for lang, score in pair.scores.items()},
            }
            for pair in pairs
        ],
    }


def _figures(challenges: Sequence[Challenge]) -> dict[str, Any]:
    singles = [c for c in challenges if c.type is ChallengeType.SINGLE]
    multiples = [c for c in challenges if c.type is ChallengeType.MULTIPLE]
    choice = singles + multiples
    justified: dict[str, dict[str, list[int]]] = {}
    for lang in CONTENT_LANGUAGES:
        right = [0, 0]
        wrong = [0, 0]
        for challenge in choice:
            if lang not in challenge.languages:
                continue
            for index, option in enumerate(challenge.text(lang).options):
                tally = right if index in challenge.right_indexes else wrong
                tally[0] += bool(JUSTIFICATION.search(option))
                tally[1] += 1
        justified[lang] = {"right": right, "wrong": wrong}
    return {
        "single": len(singles),
        "right_longest": {
            lang: sum(
                1 for c in singles if lang in c.languages and right_strictly_longest(c, lang)
            )
            for lang in CONTENT_LANGUAGES
        },
        "right_longest_flagged": {
            lang: sum(
                1
                for c in singles
                if lang in c.languages
                and right_strictly_longest(c, lang)
                and not similar_lengths(c, lang)
            )
            for lang in CONTENT_LANGUAGES
        },
        "longest_pick_score": {
            lang: round(
                sum(longest_pick(c, lang) for c in singles if lang in c.languages)
                / max(1, len(singles)),
                4,
            )
            for lang in CONTENT_LANGUAGES
        },
        "justified": justified,  # options with ":" or ",": [with, of all], right vs wrong
        "multiple": len(multiples),
        "right_counts": {
            str(count): used
            for count, used in sorted(Counter(len(c.right_indexes) for c in multiples).items())
        },
        "first_k": {  # per count k: right options exactly the first k in the source order
            str(count): used
            for count, used in sorted(
                Counter(len(c.right_indexes) for c in multiples if first_k(c)).items()
            )
        },
        "above_options": sum(
            1
            for c in choice
            for lang in c.languages
            for option in c.text(lang).options
            if above_option(option)
        ),
    }


def format_cue_stats(data: dict[str, Any]) -> str:
    """The cue figures as text: one row per competence, per level, and the bank."""
    header = (
        f"{'':<8}{'single':>7}{'longest right en/fr':>21}{'pick longest en/fr':>20}"
        f"{'just. right/wrong (en)':>24}{'multiple':>10}  {'right counts':<18}{'first k':<18}"
        f"{'near-dup':>8}"
    )
    lines = [
        "cues (validated challenges): the right option strictly longest, the score of always "
        "picking the longest, options with ':' or ',' (right vs wrong), multiple-choice right "
        "counts and how many are exactly the first k options, near-duplicate prompt pairs",
        header,
        "-" * len(header),
    ]
    rows: list[tuple[str, dict[str, Any]]] = [
        *((f"{code}", figures) for code, figures in data["competences"].items()),
        *((f"L{level}", figures) for level, figures in data["levels"].items()),
        ("bank", data["bank"]),
    ]
    for name, figures in rows:
        if figures["single"] or figures["multiple"] or name == "bank":
            lines.append(_row(name, figures))
        if name in (list(data["competences"])[-1], f"L{list(data['levels'])[-1]}"):
            lines.append("")
    for pair in data["near_duplicates"]:
        scores = ", ".join(f"{lang} {score:.0f}" for lang, score in pair["similarity"].items())
        lines.append(f"near-duplicate prompts: {pair['first']} ~ {pair['second']} ({scores})")
    return "\n".join(lines).rstrip()


def _row(name: str, figures: dict[str, Any]) -> str:
    singles = figures["single"]

    def share(count: int, total: int) -> str:
        return f"{count / total:.0%}" if total else "-"

    longest = "/".join(
        f"{figures['right_longest'][lang]} {share(figures['right_longest'][lang], singles)}"
        for lang in CONTENT_LANGUAGES
    )
    pick = "/".join(
        f"{figures['longest_pick_score'][lang]:.0%}" if singles else "-"
        for lang in CONTENT_LANGUAGES
    )
    right, wrong = figures["justified"]["en"]["right"], figures["justified"]["en"]["wrong"]
    justified = f"{share(*right)}/{share(*wrong)}"
    counts = " ".join(f"{k}:{n}" for k, n in figures["right_counts"].items()) or "-"
    firsts = " ".join(f"{k}:{n}" for k, n in figures["first_k"].items()) or "-"
    near = str(figures.get("near_duplicates", ""))
    return (
        f"{name:<8}{singles:>7}{longest:>21}{pick:>20}{justified:>24}{figures['multiple']:>10}"
        f"  {counts:<18}{firsts:<18}{near:>8}"
    )
