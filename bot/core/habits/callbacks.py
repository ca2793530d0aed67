"""Buttons that bring learners back: reviews, tutorials, tips."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.callbacks import CODE, LONGEST_CODE, CallbackData, kind, text, whole

PAGES = 1_000_000  # a page of tutorials is below this (we made it)


@kind
@dataclass(frozen=True)
class Review(CallbackData, prefix="review"):
    pass


@kind
@dataclass(frozen=True)
class Tutorials(CallbackData, prefix="tutorials"):
    pass


@kind
@dataclass(frozen=True)
class TutorialsPage(CallbackData, prefix="page"):
    number: int = whole(PAGES)


@kind
@dataclass(frozen=True)
class SaveTutorial(CallbackData, prefix="save"):
    ref: str = text(CODE, LONGEST_CODE)


@kind
@dataclass(frozen=True)
class UsefulTutorial(CallbackData, prefix="useful"):
    ref: str = text(CODE, LONGEST_CODE)


@kind
@dataclass(frozen=True)
class ShowTip(CallbackData, prefix="tip"):
    pass
