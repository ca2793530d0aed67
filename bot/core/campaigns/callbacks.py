"""The campaigns' buttons: ``cmp:<action>[.<argument>]``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from bot.core.callbacks import CODE, LONGEST_CODE, CallbackData, kind, text

PREFIX: Final = "cmp:"
CODE_FORMAT: Final = re.compile(r"[A-Z]{6}[0-9]{3}")  # a campaign's code: ABCDEF123


@kind
@dataclass(frozen=True)
class RegisterEducator(CallbackData, prefix="cmp:edu"):
    pass


@kind
@dataclass(frozen=True)
class ToggleCompetence(CallbackData, prefix="cmp:t", separator="."):
    """A competence ticked or unticked in the campaign being created."""

    competence: str = text(CODE, LONGEST_CODE)


@kind
@dataclass(frozen=True)
class CreateCampaign(CallbackData, prefix="cmp:mk"):
    pass


@kind
@dataclass(frozen=True)
class CancelDraft(CallbackData, prefix="cmp:x"):
    pass


@kind
@dataclass(frozen=True)
class Consent(CallbackData, prefix="cmp:ok", separator="."):
    code: str = text(CODE_FORMAT.pattern, "ABCDEF123")


@kind
@dataclass(frozen=True)
class GoOn(CallbackData, prefix="cmp:go", separator="."):
    code: str = text(CODE_FORMAT.pattern, "ABCDEF123")


@kind
@dataclass(frozen=True)
class Share(CallbackData, prefix="cmp:sh", separator="."):
    code: str = text(CODE_FORMAT.pattern, "ABCDEF123")


@kind
@dataclass(frozen=True)
class DontShare(CallbackData, prefix="cmp:no", separator="."):
    code: str = text(CODE_FORMAT.pattern, "ABCDEF123")


ByCode = Consent | GoOn | Share | DontShare
