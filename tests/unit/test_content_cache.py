"""The content bank's cache (issue 19: a worker started in 2 s): a worker reads the pickle of the
bank's version instead of parsing the YAML; an edit to the files makes a new one; a cache that
cannot be read or written only costs the parse."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from content import cache
from content.bank import ContentBank
from content.cache import KEEP, cached_bank
from content.loader import load_bank
from tests.conftest import FIXTURES


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(FIXTURES / "content", root)
    return root


def no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(root: Path | None = None) -> ContentBank:
        raise AssertionError("the YAML was parsed again")

    monkeypatch.setattr(cache, "load_bank", refuse)


def same(one: ContentBank, other: ContentBank) -> bool:
    return one.challenges == other.challenges and one.tips == other.tips


def test_a_second_start_reads_the_cached_bank(
    pack: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "cache"
    first = cached_bank(pack, folder)
    [stored] = folder.glob("bank-*.pickle")
    no_parsing(monkeypatch)
    again = cached_bank(pack, folder)
    assert same(again, first) and same(again, load_bank(pack))
    assert list(folder.glob("bank-*.pickle")) == [stored]


def test_an_edited_file_makes_a_new_bank(pack: Path, tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    cached_bank(pack, folder)
    tips = pack / "tips" / "passwords.yaml"
    tips.write_text(tips.read_text().replace("Tip one.", "Tip one, edited."))
    edited = cached_bank(pack, folder)
    assert edited.tips[0].text("en").text == "Tip one, edited."
    assert len(list(folder.glob("bank-*.pickle"))) == 2


def test_only_the_newest_banks_are_kept(pack: Path, tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    tips = pack / "tips" / "passwords.yaml"
    for version in range(KEEP + 2):
        tips.write_text(tips.read_text().replace("Tip one", f"Tip one v{version}", 1))
        cached_bank(pack, folder)
    assert len(list(folder.glob("bank-*.pickle"))) == KEEP


def test_an_unusable_cache_only_costs_the_parse(
    pack: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "content.cache")
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    assert same(cached_bank(pack, blocked), load_bank(pack))  # cannot write: parsed each time
    assert "not written" in caplog.text
    folder = tmp_path / "cache"
    cached_bank(pack, folder)
    [stored] = folder.glob("bank-*.pickle")
    stored.write_bytes(b"broken")
    assert same(cached_bank(pack, folder), load_bank(pack))
    assert "unreadable" in caplog.text
    assert stored.read_bytes() != b"broken"  # written again
    assert not list(folder.glob("*.tmp"))
