"""The assessment's buttons: choosing what to test, answering a challenge."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from bot.core.assessment.ports import ReportReason
from bot.core.callbacks import ATTEMPT_REF, CODE, LONGEST_CODE, CallbackData, kind, text, whole

OPTIONS = 100  # a position among a challenge's options is below this
CODE_PATTERN: Final = re.compile(CODE)


@kind
@dataclass(frozen=True)
class Test(CallbackData, prefix="test"):
    """The areas, in place of the menu."""


@kind
@dataclass(frozen=True)
class Again(CallbackData, prefix="again"):
    """The areas as a new message (under a result or a profile, which keep their text)."""


@kind
@dataclass(frozen=True)
class Resume(CallbackData, prefix="resume"):
    """The test in progress, shown again."""


@kind
@dataclass(frozen=True)
class Area(CallbackData, prefix="area"):
    code: str = text(CODE, LONGEST_CODE)


@kind
@dataclass(frozen=True)
class Competence(CallbackData, prefix="comp"):
    code: str = text(CODE, LONGEST_CODE)


@kind
@dataclass(frozen=True)
class Improve(CallbackData, prefix="improve"):
    competence: str = text(CODE, LONGEST_CODE)


@kind
@dataclass(frozen=True)
class Reset(CallbackData, prefix="reset"):
    competence: str = text(CODE, LONGEST_CODE)


@kind
@dataclass(frozen=True)
class Option(CallbackData, prefix="opt"):
    """An option of a served challenge, by its shown position (never the answer)."""

    token: str = text(ATTEMPT_REF, "A" * 16)
    position: int = whole(OPTIONS)


@kind
@dataclass(frozen=True)
class Submit(CallbackData, prefix="sub"):
    token: str = text(ATTEMPT_REF, "A" * 16)


@kind
@dataclass(frozen=True)
class Skip(CallbackData, prefix="skip"):
    token: str = text(ATTEMPT_REF, "A" * 16)


CHALLENGE_KINDS = (Option, Submit, Skip)
ASSESSMENTS = 2**31  # an assessment's id is below this (a 32-bit signed key)


@kind
@dataclass(frozen=True)
class SaveAll(CallbackData, prefix="saveall"):
    """ "💾 Save all" under a test's result: the tutorials it recommends."""

    assessment: int = whole(ASSESSMENTS)


# --- reporting a problem with a question (under its correction) ------------------------------

REASONS: Final = "|".join(reason.value for reason in ReportReason)


@kind
@dataclass(frozen=True)
class Report(CallbackData, prefix="rep"):
    """The "⚠️ Report a problem" under a correction: the reasons to choose from. The answered
    attempt's reference, never the answer."""

    token: str = text(ATTEMPT_REF, "A" * 16)


@kind
@dataclass(frozen=True)
class ReportWhy(CallbackData, prefix="rpw"):
    """A reason chosen for the report on the attempt's challenge."""

    token: str = text(ATTEMPT_REF, "A" * 16)
    reason: str = text(REASONS, max(REASONS.split("|"), key=len))


@kind
@dataclass(frozen=True)
class ReportClose(CallbackData, prefix="rpc"):
    """Cancel under the reasons: nothing reported."""


@kind
@dataclass(frozen=True)
class ReportCancel(CallbackData, prefix="rpx"):
    """Cancel while the text of a report is awaited."""


# --- a deep link into a competence's test (a shared result's "Take the test") ------------------

TEST_LINK_PREFIX: Final = "test-"


def test_link_payload(competence: str) -> str:
    """The ``/start`` payload of a link to ``competence``'s test ("4.1" -> "test-4-1"): deep
    links allow only A-Z, a-z, 0-9, _ and -."""
    return TEST_LINK_PREFIX + competence.replace(".", "-")


def test_link_competence(payload: str) -> str | None:
    """The competence code a ``/start`` payload links to, or None when it is not such a link
    (the code itself is checked against the framework where it is used)."""
    if not payload.startswith(TEST_LINK_PREFIX):
        return None
    code = payload.removeprefix(TEST_LINK_PREFIX).replace("-", ".")
    return code if CODE_PATTERN.fullmatch(code) else None
