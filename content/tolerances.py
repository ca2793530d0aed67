"""Warnings for typed answers whose tolerances erase what the item tests.

Pix's tolerances make a typed answer forgiving: T1 ignores case, accents and spaces, T2
punctuation. On most items that is what a learner who knows deserves, but where the punctuation
or the spacing *is* the skill (a file name's separators, a domain's dots, a formula's operators,
two printed numbers), a wrong answer differing only by it is accepted: "2025-03_report" with T2
also accepts "202503report", "=A1+B1" also accepts "=A1*B1", "34" with T1 also accepts "3 4".
The checks aim at those cases (formulas and code, names and dates, code's output) rather than
at every punctuation mark: "ademefr" for "ademe.fr" is no answer a learner would type.

``tolerance_warnings`` names, for each such accepted variant, the wrong answer its tolerance lets
through, so the author either switches the tolerance off for the item (``tolerances: [t1]``) or
judges the warning harmless. Warnings never fail ``pixbot content validate``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

from content.bank import ContentBank
from content.loader import Locations, Problem
from content.models import AnswerFormat, Challenge, ChallengeType, Status, Tolerance

# An operator between two operands: in a formula or a line of code, another operator is another
# answer ("=A1+B1" and "=A1*B1"), and T2 removes them all. The slash and the hyphen count only
# in a formula ("=A1/B1"), not in a URL, a date or a word.
_OPERATOR: Final = re.compile(r"(?<=[\w)\]\s])\s*([+*^<>&|]|==|!=|<=|>=)\s*(?=[\w(\[\s])")
_FORMULA_OPERATOR: Final = re.compile(r"(?<=[\w)])\s*([-/])\s*(?=[\w(])")
_SWAP: Final = {"+": "*", "*": "+", "-": "+", "/": "*", "^": "*", "<": ">", ">": "<", "&": "|"}
_SWAP.update({"|": "&", "==": "!=", "!=": "==", "<=": ">=", ">=": "<="})
# Separators in a file name or a date ("2025-03_report"): an item about naming cannot ignore them.
_SEPARATOR: Final = re.compile(r"(?<=\w)_(?=\w)|(?<=\d)-(?=\d)")
# Code in a prompt: a call or an assignment.
_CODE: Final = re.compile(r"\b[A-Za-z_]\w*\(|^\s*\w+\s*=\s*\S", re.MULTILINE)
_NUMBER: Final = re.compile(r"[\"'“”«»\s]*(\d{2,4})[\"'“”«»\s]*")


def tolerance_warnings(bank: ContentBank, where: Locations) -> list[Problem]:
    """One warning per accepted variant that a tolerance makes indistinct from a wrong answer."""
    warnings = []
    for challenge in bank.challenges.values():
        if challenge.status is not Status.VALIDATED:
            continue
        for message in _erasures(challenge):
            path, line = where.challenge(challenge.id, bank.tube_competence[challenge.tube])
            warnings.append(Problem(path, line, f"warning: {challenge.id}: {message}"))
    return sorted(warnings)


def _erasures(challenge: Challenge) -> Iterator[str]:
    """At most one warning per tolerance and challenge, naming its first example."""
    if challenge.type not in (ChallengeType.TEXT, ChallengeType.FIELDS):
        return
    if challenge.format is AnswerFormat.NUMBER:
        return  # numbers are compared as numbers: no tolerance applies
    tolerances = set(challenge.tolerances)
    found: dict[Tolerance, str] = {}
    for lang in challenge.languages:
        text = challenge.text(lang)
        code = bool(_CODE.search(text.prompt))
        variants = [*text.accept, *(v for field in text.fields for v in field.accept)]
        for variant in variants:
            for tolerance, message in _variant_erasures(variant, tolerances, code):
                found.setdefault(tolerance, message)
    yield from found.values()


def _variant_erasures(
    variant: str, tolerances: set[Tolerance], code: bool
) -> Iterator[tuple[Tolerance, str]]:
    """What ``tolerances`` let through for ``variant``: operators in a formula or in code and
    separators in a name or a date (T2), digits that spaces split into other numbers in code's
    output (T1)."""
    formula = variant.lstrip().startswith("=")
    if Tolerance.T2 in tolerances and (formula or code):
        found = _OPERATOR.search(variant)
        if found is None and formula:
            found = _FORMULA_OPERATOR.search(variant)
        if found is not None:
            operator = found.group(1)
            wrong = variant[: found.start(1)] + _SWAP[operator] + variant[found.end(1) :]
            yield (
                Tolerance.T2,
                (
                    f"t2 ignores punctuation, so {wrong!r} is accepted for {variant!r}: another "
                    "operator is another answer; switch t2 off (`tolerances: [t1]`, or `[t1, t3]`)"
                ),
            )
    if Tolerance.T2 in tolerances and " " not in variant.strip() and _SEPARATOR.search(variant):
        wrong = _SEPARATOR.sub("", variant)
        yield (
            Tolerance.T2,
            (
                f"t2 ignores punctuation, so {wrong!r} is accepted for {variant!r}: if the "
                "separators are what the item tests (a file name, a date), switch t2 off"
            ),
        )
    if Tolerance.T1 in tolerances and code:
        number = _NUMBER.fullmatch(variant)
        if number is not None:
            spaced = " ".join(number.group(1))
            yield (
                Tolerance.T1,
                (
                    f"t1 ignores spaces, so {spaced!r} is accepted for {variant!r} (another "
                    "output); a number answer is `format: number` (it compares values), or switch "
                    "t1 off"
                ),
            )
