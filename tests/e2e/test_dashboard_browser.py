"""The campaign dashboard in a real browser: headless Chromium opens the page served on a local
port, with a valid initData for a seeded campaign (Telegram's script replaced by a stand-in
defining ``window.Telegram.WebApp``), on a 360-px-wide phone, in the light theme in English
and the dark one in French. It shows the participants, a competence's distribution and a
heatmap cell, sorts, opens a profile, sends tutorials to a group and downloads the CSV; a
screenshot of each theme is saved. Any JavaScript error, or any request to another server
than the test's, fails it."""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.i18n import Catalogs
from content.bank import ContentBank
from tests.browser import Browser, headless_chromium
from tests.conftest import TOKEN
from tests.dashboard import CODE, EDUCATOR, GROUP, PATH, dashboard_app, init_data, seed

TELEGRAM_SCRIPT = "https://telegram.org/js/telegram-web-app.js"
THEMES: dict[str, dict[str, str]] = {
    "light": {
        "bg_color": "#ffffff",
        "text_color": "#000000",
        "hint_color": "#707579",
        "link_color": "#3390ec",
        "button_color": "#3390ec",
        "button_text_color": "#ffffff",
        "secondary_bg_color": "#f4f4f5",
    },
    "dark": {
        "bg_color": "#212121",
        "text_color": "#ffffff",
        "hint_color": "#aaaaaa",
        "link_color": "#8774e1",
        "button_color": "#8774e1",
        "button_text_color": "#ffffff",
        "secondary_bg_color": "#181818",
    },
}


def telegram_stand_in(scheme: str, language: str) -> str:
    """What Telegram's script gives a Mini App, for the seeded campaign's owner; what the
    page asks of Telegram (links opened, files downloaded) is kept in ``window.__telegram``."""
    data = init_data(EDUCATOR, TOKEN, language=language)
    unsafe = {
        "user": {"id": EDUCATOR, "first_name": "Grace", "language_code": language},
        "auth_date": int(time.time()),
    }
    web_app = {
        "initData": data,
        "initDataUnsafe": unsafe,
        "themeParams": THEMES[scheme],
        "colorScheme": scheme,
        "version": "8.0",
        "platform": "android",
    }
    return (
        "window.__telegram = {ready: false, expanded: false, opened: [], downloads: []};\n"
        f"window.Telegram = {{WebApp: Object.assign({json.dumps(web_app)}, {{\n"
        "  ready() { window.__telegram.ready = true; },\n"
        "  expand() { window.__telegram.expanded = true; },\n"
        "  isVersionAtLeast(version) { return parseFloat(version) <= 8.0; },\n"
        "  onEvent() {}, offEvent() {},\n"
        "  openLink(url) { window.__telegram.opened.push(url); },\n"
        "  downloadFile(params) { window.__telegram.downloads.push(params); },\n"
        "  BackButton: {show() {}, hide() {}, onClick() {}, offClick() {}},\n"
        "})};\n"
    )


def text_of(selector: str) -> str:
    return f"document.querySelector({json.dumps(selector)})?.textContent ?? null"


async def show(browser: Browser, base: str, scheme: str, language: str) -> None:
    browser.stand_ins[TELEGRAM_SCRIPT] = telegram_stand_in(scheme, language)
    await browser.open(f"{base}{PATH}/?campaign={CODE}")
    await browser.wait_for("document.querySelector('#heatmap table') !== null")
    assert await browser.evaluate("window.__telegram.ready && window.__telegram.expanded")


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
async def test_the_dashboard_in_chromium_light_and_dark(
    database: AsyncEngine, bank: ContentBank, catalogs: Catalogs
) -> None:
    await seed(database)
    shots = Path(tempfile.mkdtemp(prefix="pixbot-dashboard-"))
    server = TestServer(dashboard_app(database, bank, catalogs, TOKEN), host="127.0.0.1")
    await server.start_server()
    base = f"http://127.0.0.1:{server.port}"
    try:
        async with headless_chromium(base) as browser:
            # --- light, English --------------------------------------------------------
            await show(browser, base, "light", "en")
            people = await browser.evaluate(
                "[...document.querySelectorAll('#participants .person')]"
                ".map(p => [p.querySelector('.who').firstChild.textContent, p.dataset.status])"
            )
            assert people == [
                ["Léa #1", "joined"],
                ["Sam #2", "in_progress"],
                ["Ana #3", "finished"],
                ["Bo <b> #4", "shared"],  # a name is text, never markup
                ["Cy #5", "shared"],
            ]
            assert "Finished, not shared" in await browser.evaluate(
                text_of("#participants [data-number='3'] .status")
            )
            # 1.1's distribution: Cy at level 2, Bo at 3 (Ana finished but did not share).
            counts = await browser.evaluate(
                "[...document.querySelectorAll(\"#distribution [data-competence='1.1'] .bar\")]"
                ".map(bar => Number(bar.dataset.count))"
            )
            assert counts == [0, 0, 1, 1, 0, 0, 0]
            assert "Mean level: 2.5" in await browser.evaluate(
                text_of("#distribution [data-competence='1.1'] .note")
            )
            bo = "#heatmap tr[data-number='4'] td[data-competence='1.1']"
            assert await browser.evaluate(text_of(bo)) == "3"
            assert (
                await browser.evaluate(f"document.querySelector({json.dumps(bo)}).className")
                == "l3"
            )
            ana = "#heatmap tr[data-number='3'] td[data-competence='1.1']"
            assert await browser.evaluate(text_of(ana)) == "·"  # not shared: no level
            # Sorted by name, then by level (Bo's mean 2, Cy's 1.5, then those not shared).
            order = (
                "[...document.querySelectorAll('#heatmap tbody tr')].map(r => r.dataset.number)"
            )
            assert await browser.evaluate(order) == ["3", "4", "5", "1", "2"]
            await browser.evaluate("document.querySelector('[data-sort=level]').click()")
            assert (await browser.evaluate(order))[:2] == ["4", "5"]
            await browser.evaluate("document.querySelector(\"[data-sort='1.1']\").click()")
            assert (await browser.evaluate(order))[:2] == ["4", "5"]  # Bo at 3, Cy at 2
            # The page fits the phone: only the heatmap scrolls sideways.
            assert await browser.evaluate("document.documentElement.scrollWidth") <= 360
            await browser.screenshot(shots / "dashboard-light.png")

            # A learner's profile on a tap.
            await browser.evaluate(
                "document.querySelector(\"#heatmap tr[data-number='4'] th button\").click()"
            )
            profile = await browser.wait_for(
                "!document.querySelector('#profile').hidden && "
                "document.querySelector('#profile').textContent"
            )
            assert "Student number: S-13" in profile and "level 3 · 27 pix" in profile
            assert "Secure connections" not in profile or "❌" in profile
            await browser.evaluate("document.querySelector('#profile button').click()")
            assert await browser.evaluate("document.querySelector('#profile').hidden")
            # Ana did not share: no profile to open, in the list or on the map.
            assert (
                await browser.evaluate(
                    "document.querySelectorAll(\"[data-number='3'] button\").length"
                )
                == 0
            )

            # A tutorial opens through Telegram; the tutorials go to a group.
            await browser.evaluate(
                "document.querySelector(\"#to-work [data-competence='1.1'] a\").click()"
            )
            opened = await browser.evaluate("window.__telegram.opened")
            assert opened and opened[0].startswith("https://")
            form = "#to-work [data-competence='1.1']"
            await browser.evaluate(
                f"(() => {{ const s = document.querySelector({json.dumps(form + ' select')});"
                f" s.value = '{GROUP}'; s.dispatchEvent(new Event('change')); "
                f"document.querySelector({json.dumps(form + ' .send button')}).click(); }})()"
            )
            sent = await browser.wait_for(text_of(form + " [role=status]"))
            assert sent == "Sent: the tutorials reach 5B families within a minute."

            # The CSV, through Telegram's downloadFile and a signed link.
            await browser.evaluate("document.querySelector('#csv button').click()")
            download = await browser.wait_for("window.__telegram.downloads[0]")
            assert download["file_name"] == f"campaign-{CODE}.csv"
            async with aiohttp.ClientSession() as http, http.get(download["url"]) as got:
                assert got.status == 200
                assert (await got.read()).decode("utf-8-sig").startswith("Campaign code;")

            # From /campaign list: the educator's campaigns, one tap opens one, back again.
            await browser.open(f"{base}{PATH}/")
            await browser.wait_for("document.querySelector('.campaign') !== null")
            assert "Participants: 5" in await browser.evaluate(text_of(".campaign"))
            await browser.evaluate("document.querySelector('.campaign').click()")
            await browser.wait_for("document.querySelector('#heatmap table') !== null")
            await browser.evaluate("document.querySelector('main > button.plain').click()")
            await browser.wait_for("document.querySelector('.campaign') !== null")

            # --- dark, French ----------------------------------------------------------
            await show(browser, base, "dark", "fr")
            assert await browser.evaluate(text_of("#heatmap h2")) == "Carte de la classe"
            assert await browser.evaluate("document.documentElement.dataset.scheme") == "dark"
            background = await browser.evaluate("getComputedStyle(document.body).backgroundColor")
            assert background == "rgb(33, 33, 33)"  # Telegram's dark bg_color
            assert await browser.evaluate(text_of(bo)) == "3"
            assert "Niveau moyen" in await browser.evaluate(
                text_of("#distribution [data-competence='1.1'] .note")
            )
            await browser.screenshot(shots / "dashboard-dark.png")

            assert browser.errors == []
            assert browser.foreign == []  # Telegram's script was the stand-in, nothing else
    finally:
        await server.close()
    for scheme in ("light", "dark"):
        assert (shots / f"dashboard-{scheme}.png").stat().st_size > 10_000
    print(f"\nscreenshots: {shots}")
