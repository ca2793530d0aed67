"""`/campaign list` and `/campaign results CODE` offer "📊 Open the dashboard", a Telegram Mini
App button, when DASHBOARD_URL is set, on both runtimes; no such button otherwise."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest

from bot.adapters.terminal import TerminalChat
from bot.core.chat import Button, Person
from bot.core.conversation import Conversation
from bot.core.i18n import Catalogs
from tests.e2e.test_campaigns import create, register
from tests.telegram import ChatDriver, buttons_of

DASHBOARD = "https://bot.example.org/dashboard"


@pytest.fixture(params=[DASHBOARD, None], ids=["dashboard", "no-dashboard"])
def dashboard_url(request: pytest.FixtureRequest) -> str | None:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def conversation(
    make_conversation: Callable[..., Conversation], dashboard_url: str | None
) -> Conversation:
    """The conversation as bootstrap builds it with DASHBOARD_URL set, or unset."""
    return make_conversation(dashboard_url=dashboard_url)


def mini_apps(requests: list[Any]) -> list[tuple[str, str]]:
    """The Mini App buttons of the replies: their labels and addresses."""
    return [
        (button.text, button.web_app.url)
        for request in requests
        for button in buttons_of(getattr(request, "reply_markup", None))
        if button.web_app is not None
    ]


async def test_campaign_list_and_results_open_the_dashboard(
    telegram: Callable[..., ChatDriver], dashboard_url: str | None
) -> None:
    educator = telegram(user_id=5301, first_name="Grace")
    await register(educator)
    code = await create(educator, "Class 5B", ["1.1"])
    listed = mini_apps(await educator.say("/campaign list"))
    results = mini_apps(await educator.say(f"/campaign results {code}"))
    if dashboard_url is None:
        assert listed == [] and results == []
        assert mini_apps(educator.sent) == []  # nowhere else either
        return
    assert listed == [("📊 Open the dashboard", f"{DASHBOARD}/")]
    assert results == [("📊 Open the dashboard", f"{DASHBOARD}/?campaign={code}")]


async def test_the_button_speaks_the_educators_language(
    telegram: Callable[..., ChatDriver], dashboard_url: str | None, catalogs: Catalogs
) -> None:
    _ = catalogs.get("fr").gettext
    educator = telegram(user_id=5302, first_name="Léa", language="fr")
    await educator.say("/educator")
    await educator.press(_("✅ Register as an educator"))
    assert mini_apps(await educator.say("/campaign list")) == []  # no campaign: nothing to open
    await educator.say("/campaign new")
    await educator.say("5e B")
    await educator.press("1.1")
    await educator.press(_("🚀 Create ({count})").format(count=1))
    listed = mini_apps(await educator.say("/campaign list"))
    assert listed == ([("📊 Ouvrir le tableau de bord", f"{DASHBOARD}/")] if dashboard_url else [])


def test_the_terminal_chat_shows_the_dashboard_as_a_link(conversation: Conversation) -> None:
    out = io.StringIO()
    terminal = TerminalChat(conversation, Person(1, "Grace"), out)
    keyboard = ((Button("📊 Open the dashboard", web_app=f"{DASHBOARD}/"),),)
    terminal.print_buttons(keyboard, True, str)
    assert out.getvalue() == f"  [1] 📊 Open the dashboard <{DASHBOARD}/>\n"
