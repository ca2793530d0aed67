"""The assessment's buttons: choosing what to test, answering a challenge."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from bot.core.assessment.ports import ReportReason
from bot.core.callbacks import ATTEMPT_REF, CODE, LONGEST_CODE, CallbackData, kind, text, whole

OPTIONS = 100  # a position among a challenge's options is below this


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
