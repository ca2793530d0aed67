"""Every kind of button data fits Telegram's 64 bytes with its largest values and parses back
to itself; what we did not make parses to nothing; buttons sent by earlier versions still
parse to the kind that answers them."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import fields
from datetime import UTC, datetime

import pytest

from bot.core.account.callbacks import EraseConfirmed, Remind, SetLanguage, TimeZone
from bot.core.assessment.callbacks import (
    Area,
    Competence,
    Option,
    Report,
    ReportCancel,
    ReportClose,
    ReportWhy,
    Skip,
    Submit,
)
from bot.core.callbacks import MAX_BYTES, CallbackData, parse
from bot.core.campaigns.callbacks import Consent, ToggleCompetence
from bot.core.conversation import Conversation
from bot.core.engines import get_engine
from bot.core.groups.callbacks import GROUP_KINDS, GroupTimeZone, TipHour, TipHours
from bot.core.habits.callbacks import TutorialsPage
from bot.core.home.callbacks import Menu
from bot.core.library.callbacks import Browse, SendToGroup, TopicsHere
from bot.core.library.shelves import Shelf
from bot.core.ports import Store
from content.bank import ContentBank
from content.models import Audience, TipLevel, TipTopic

KINDS = CallbackData.kinds()


def unreachable() -> AbstractAsyncContextManager[Store]:
    raise AssertionError("no database in this test")


def fixed_clock() -> datetime:
    return datetime(2026, 1, 1, tzinfo=UTC)


def largest(kind: type[CallbackData]) -> CallbackData:
    return kind(*(f.metadata["largest"] for f in fields(kind)))  # type: ignore[arg-type]


def test_every_kind_is_answered_by_a_slice(bank: ContentBank) -> None:
    conversation = Conversation(bank, unreachable, get_engine("smart-random"), fixed_clock)
    answered = set(conversation.registry.presses) | set(GROUP_KINDS)
    assert answered == set(KINDS)


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.__name__)
def test_the_largest_data_of_each_kind_fits_and_parses_back(kind: type[CallbackData]) -> None:
    data = largest(kind)
    packed = data.pack()
    assert len(packed.encode("utf-8")) <= MAX_BYTES, packed
    assert packed.startswith(kind.prefix)
    assert parse(packed) == data


@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        ("menu", Menu()),
        ("area:1", Area("1")),
        ("comp:1.1", Competence("1.1")),
        ("opt:AbCdEf12345:3", Option("AbCdEf12345", 3)),
        ("sub:AbCdEf12345", Submit("AbCdEf12345")),
        ("skip:AbCdEf12345", Skip("AbCdEf12345")),
        ("rep:AbCdEf12345", Report("AbCdEf12345")),
        ("rpw:AbCdEf12345:key", ReportWhy("AbCdEf12345", "key")),
        ("rpw:AbCdEf12345:other", ReportWhy("AbCdEf12345", "other")),
        ("rpc", ReportClose()),
        ("rpx", ReportCancel()),
        ("page:2", TutorialsPage(2)),
        ("lang:fr", SetLanguage("fr")),
        ("tz:4", TimeZone(4)),
        ("remind:off", Remind("off")),
        ("erase:yes", EraseConfirmed()),
        ("grp:tiph", TipHours()),
        ("grp:tiph.8", TipHour(8)),
        ("grp:tz.3", GroupTimeZone(3)),
        ("cmp:t.1.1", ToggleCompetence("1.1")),
        ("cmp:ok.ABCDEF123", Consent("ABCDEF123")),
        ("lib:h", TopicsHere()),
        (
            "lib:v.3pb.4",
            Browse(Shelf(list(TipTopic)[3], Audience.PUPILS, TipLevel.BASIC), 4),
        ),
        ("lib:s.-1001234567890.0123456789", SendToGroup(-1001234567890, "0123456789")),
    ],
)
def test_buttons_sent_by_earlier_versions_still_parse(sent: str, expected: CallbackData) -> None:
    assert parse(sent) == expected
    assert expected.pack() == sent


@pytest.mark.parametrize(
    "forged",
    [
        "",
        "x" * 65,
        "menu:",
        "area:",
        "area:ABC",
        "opt:short:1",
        "opt:AbCdEf12345:100",
        "rep:",
        "rep:short",
        "rpw:AbCdEf12345",
        "rpw:AbCdEf12345:",
        "rpw:AbCdEf12345:keyx",
        "rpw:AbCdEf12345:key|other",
        "rpc:x",
        "page:²",
        "page:-1",
        "tz:99999",
        "hour:24",
        "remind:maybe",
        "erase",
        "erase:no",
        "grp:tiph.٩",
        "grp:topic.99999999999999999999999",
        "grp:tz.-1",
        "cmp:ok.abc",
        "cmp:t.",
        "lib:v.zzz.0",
        "lib:v.2ex.",
        "lib:s.-99999999999999999999.0123456789",
        "lib:s.5.0123456789",
        "🙂" * 20,
    ],
)
def test_data_we_did_not_make_parses_to_nothing(forged: str) -> None:
    assert parse(forged) is None


def test_a_kind_too_large_for_telegram_is_refused_when_packed() -> None:
    with pytest.raises(ValueError, match="64 bytes"):
        Consent("A" * 70).pack()
