"""Campaign codes and the competences a campaign targets."""

from __future__ import annotations

import re
import secrets
import string
from collections.abc import Iterable
from typing import Final

from bot.core.campaigns.callbacks import CODE_FORMAT
from bot.core.campaigns.ports import Campaign
from content.bank import ContentBank

__all__ = ["CODE_FORMAT", "framework_order", "new_code", "normalise_code", "targeted"]

CODE_ATTEMPTS: Final = 20  # 26^6 * 1000 codes: a collision twice in a row is already unlikely
_random = secrets.SystemRandom()


def normalise_code(text: str) -> str:
    """What people type or paste to a code: "abc def-123" -> "ABCDEF123"."""
    return re.sub(r"[\s._\-]+", "", text).upper()


def is_code(payload: str) -> bool:
    """A deep link's payload that is a campaign's code."""
    return CODE_FORMAT.fullmatch(normalise_code(payload)) is not None


def new_code() -> str:
    letters = "".join(_random.choice(string.ascii_uppercase) for _ in range(6))
    digits = "".join(_random.choice(string.digits) for _ in range(3))
    return letters + digits


def framework_order(bank: ContentBank, codes: Iterable[str]) -> tuple[str, ...]:
    chosen = set(codes)
    return tuple(
        competence.code
        for area in bank.framework.areas
        for competence in area.competences
        if competence.code in chosen
    )


def targeted(bank: ContentBank, campaign: Campaign) -> list[str]:
    """The campaign's competences that the framework still has."""
    return [code for code in campaign.competences if code in bank.competences]
