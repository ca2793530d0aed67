"""The campaigns' buttons: ``cmp:<action>[.<argument>]``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from bot.core.callbacks import CODE, LONGEST_CODE, CallbackData, chat, kind, text

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


@kind
@dataclass(frozen=True)
class AskLabel(CallbackData, prefix="cmp:lb"):
    """In the draft: ask each learner for an identifier (the educator types its label)."""


@kind
@dataclass(frozen=True)
class ClearLabel(CallbackData, prefix="cmp:nl"):
    """In the draft: ask learners for nothing."""


@kind
@dataclass(frozen=True)
class EditIdentifier(CallbackData, prefix="cmp:id", separator="."):
    """A learner types their identifier for the campaign again (until they share)."""

    code: str = text(CODE_FORMAT.pattern, "ABCDEF123")


@kind
@dataclass(frozen=True)
class Remind(CallbackData, prefix="cmp:rm", separator="."):
    """The owner reminds the participants who have not finished."""

    code: str = text(CODE_FORMAT.pattern, "ABCDEF123")


@kind
@dataclass(frozen=True)
class LinkGroups(CallbackData, prefix="cmp:gl", separator="."):
    """The owner's groups, to post the campaign's join link in one."""

    code: str = text(CODE_FORMAT.pattern, "ABCDEF123")


@kind
@dataclass(frozen=True)
class PostLink(CallbackData, prefix="cmp:pl", separator="."):
    code: str = text(CODE_FORMAT.pattern, "ABCDEF123")
    chat_id: int = chat()


ByCode = Consent | GoOn | Share | DontShare | EditIdentifier
Owned = Remind | LinkGroups | PostLink
