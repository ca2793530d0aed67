"""The campaign dashboard's page and API through aiohttp's test client, on SQLite and
PostgreSQL: the owner's signed initData sees their class; a forged signature, an expired one,
none, another educator and a learner get 401 or 403 and no data; the tutorials reach a group
the educator administers through the delivery engine, and are refused for another."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.i18n import Catalogs
from bot.core.library.ports import GroupAdmins
from bot.dashboard.auth import NotAuthenticated, checked_user
from bot.delivery.limiter import RateLimiter
from bot.delivery.worker import DeliveryWorker
from content.bank import ContentBank
from storage.database import session_factory
from storage.delivery import DeliveryRow
from tests.conftest import TOKEN
from tests.dashboard import (
    CODE,
    EDUCATOR,
    GROUP,
    LEARNER,
    OTHER_EDUCATOR,
    OTHER_GROUP,
    PATH,
    dashboard_app,
    init_data,
    seed,
)
from tests.telegram import assert_valid_html

API = f"{PATH}/api/campaigns"


@pytest.fixture
async def client(
    database: AsyncEngine, bank: ContentBank, catalogs: Catalogs
) -> AsyncIterator[TestClient[Any, Any]]:
    await seed(database)
    async with TestClient(TestServer(dashboard_app(database, bank, catalogs, TOKEN))) as client:
        yield client


def auth(data: str) -> dict[str, str]:
    return {"Authorization": f"tma {data}"}


def owner() -> dict[str, str]:
    return auth(init_data(EDUCATOR, TOKEN))


# --- initData, as Telegram documents it ----------------------------------------------------


def test_a_known_vector_is_genuine_and_a_changed_field_is_not() -> None:
    """aiogram's test vector (token ``42:TEST``), checked at the moment it was signed."""
    data = (
        "auth_date=1650385342&user=%7B%22id%22%3A42%2C%22first_name%22%3A%22Test%22%7D"
        "&query_id=test&hash=46d2ea5e32911ec8d30999b56247654460c0d20949b6277af519e76271182803"
    )
    signed = datetime.fromtimestamp(1650385342, UTC)
    user = checked_user(data, "42:TEST", signed)
    assert (user.id, user.first_name) == (42, "Test")
    for forged in (data.replace("42%2C", "43%2C"), data, data + "&extra=1"):
        token = "42:TEST" if forged != data else "42:OTHER"
        with pytest.raises(NotAuthenticated):
            checked_user(forged, token, signed)


def test_initdata_older_than_an_hour_or_from_the_future_is_refused() -> None:
    now = time.time()
    right_now = datetime.fromtimestamp(now, UTC)
    assert checked_user(init_data(EDUCATOR, TOKEN, now - 3500), TOKEN, right_now).id == EDUCATOR
    for signed_at in (now - 3601, now + 600):
        with pytest.raises(NotAuthenticated):
            checked_user(init_data(EDUCATOR, TOKEN, signed_at), TOKEN, right_now)
    for bad in ("", "hash=", "user=1&user=2", "%zz", "a" * 9000):
        with pytest.raises(NotAuthenticated):
            checked_user(bad, TOKEN, right_now)


# --- the owner sees their class --------------------------------------------------------------


async def test_the_owner_sees_participants_spreads_heatmap_profiles_and_skills(
    client: TestClient[Any, Any],
) -> None:
    response = await client.get(API, headers=owner())
    assert response.status == 200
    listed = await response.json()
    assert [(c["code"], c["participants"]) for c in listed["campaigns"]] == [(CODE, 5)]

    response = await client.get(f"{API}/{CODE.lower()}", headers=owner())
    assert response.status == 200
    assert response.headers["Cache-Control"] == "no-store"
    report = await response.json()
    assert report["campaign"]["name"] == "5B <web>"
    assert report["timezone"] == "Europe/Paris"
    statuses = {row["name"]: row["status"] for row in report["learners"]}
    assert statuses == {
        "Léa": "joined",
        "Sam": "in_progress",
        "Ana": "finished",
        "Bo <b>": "shared",
        "Cy": "shared",
    }
    assert report["counts"] == {"joined": 1, "in_progress": 1, "finished": 1, "shared": 2}
    spreads = {spread["code"]: spread for spread in report["spreads"]}
    assert spreads["1.1"]["counts"] == [0, 0, 1, 1, 0, 0, 0] and spreads["1.1"]["mean"] == 2.5
    rows = {row["name"]: row for row in report["learners"]}
    assert rows["Bo <b>"]["levels"] == {
        "1.1": {"level": 3, "pix": 27},
        "4.1": {"level": 1, "pix": 11},
    }
    assert rows["Bo <b>"]["identifier"] == "S-13"
    # 10:00 UTC, in the educator's zone and as English writes dates
    assert rows["Bo <b>"]["shared"] == "11/25/26, 11:00\u202fAM"
    assert {(s["skill"], s["validated"]) for s in rows["Bo <b>"]["skills"]} >= {
        ("@alpha3", False),
        ("@gamma1", True),
    }
    # Ana finished but did not share: a status and a count, never a level or a skill.
    assert rows["Ana"]["levels"] == {} and rows["Ana"]["skills"] == [] and rows["Ana"]["done"] == 2
    assert all("user_id" not in row and "id" not in row for row in report["learners"])
    assert str(12) not in json.dumps(rows["Ana"])  # no Telegram id of hers, anywhere
    work = report["to_work"]["1.1"]
    assert work and all(skill["tutorials"] or skill["failed"] for skill in work)
    alpha2 = next(skill for skill in work if skill["skill"] == "@alpha2")
    assert alpha2["tutorials"][0]["url"].startswith("https://")
    assert [group["title"] for group in report["groups"]] == ["5B families", "Old class"]


async def test_the_page_its_texts_and_the_csv(client: TestClient[Any, Any]) -> None:
    page = await client.get(f"{PATH}/")
    assert page.status == 200
    html = await page.text()
    # No asset from a third-party server but Telegram's own Mini App script.
    assert 'src="https://telegram.org/js/telegram-web-app.js"' in html
    assert html.count("https://") == 1
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    for name in ("app.js", "app.css"):
        assert (await client.get(f"{PATH}/{name}")).status == 200
    redirected = await client.get(PATH, allow_redirects=False)
    assert redirected.status == 308 and redirected.headers["Location"] == f"{PATH}/"

    texts = {
        lang: await (await client.get(f"{PATH}/texts/{lang}.json")).json()
        for lang in ("en", "fr", "sv")
    }
    assert texts["en"]["heatmap"] == "Class map" and texts["fr"]["heatmap"] == "Carte de la classe"
    assert texts["sv"]["heatmap"] == "Klasskarta"
    assert texts["en"].keys() == texts["fr"].keys() == texts["sv"].keys()
    for key, text in texts["fr"].items():  # every text translated (the same words are fine)
        assert text, key
    assert (await client.get(f"{PATH}/texts/de.json")).status == 200  # the default language

    csv = await client.get(f"{API}/{CODE}/csv", headers=owner())
    assert csv.status == 200
    assert "campaign-ABCDEF123.csv" in csv.headers["Content-Disposition"]
    body = (await csv.read()).decode("utf-8-sig")
    assert body.splitlines()[0].startswith("Campaign code;")
    assert "Bo <b>" in body

    # Telegram's downloadFile sends no header: a link signed for the owner, a few minutes.
    link = await client.post(f"{API}/{CODE}/csv-link", headers=owner())
    assert link.status == 200
    url = (await link.json())["url"]
    assert (await client.get(f"{API}/{CODE}/{url}")).status == 200
    query = dict(parse_qsl(url.partition("?")[2]))
    for forged in (
        {**query, "user": str(OTHER_EDUCATOR)},
        {**query, "expires": str(int(query["expires"]) + 60)},
        {**query, "expires": str(int(time.time()) - 1)},
    ):
        refused = await client.get(f"{API}/{CODE}/csv?{urlencode(forged)}")
        assert refused.status == 401 and await refused.json() == {"error": "unauthenticated"}


# --- everyone else gets nothing ------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("nobody", 401),
        ("forged", 401),
        ("another bot's", 401),
        ("expired", 401),
        ("another educator", 403),
        ("a learner", 403),
        ("a stranger", 403),
    ],
)
async def test_anyone_but_the_owner_gets_no_data(
    client: TestClient[Any, Any], who: str, status: int
) -> None:
    genuine = init_data(EDUCATOR, TOKEN)
    headers = {
        "nobody": {},
        "forged": auth(genuine.replace("Grace", "Grece")),
        "another bot's": auth(init_data(EDUCATOR, "987654321:" + "B" * 35)),
        "expired": auth(init_data(EDUCATOR, TOKEN, time.time() - 3601)),
        "another educator": auth(init_data(OTHER_EDUCATOR, TOKEN)),
        "a learner": auth(init_data(LEARNER, TOKEN)),
        "a stranger": auth(init_data(999, TOKEN)),
    }[who]
    requests: list[tuple[str, str, Mapping[str, Any] | None]] = [
        ("GET", f"{API}/{CODE}", None),
        ("GET", f"{API}/{CODE}/csv", None),
        ("POST", f"{API}/{CODE}/csv-link", None),
        ("POST", f"{API}/{CODE}/send", {"group": GROUP, "competence": "1.1"}),
    ]
    if who != "another educator":  # who has campaigns of their own, an empty list of ours
        requests.append(("GET", API, None))
    for method, url, body in requests:
        response = await client.request(method, url, headers=headers, json=body)
        assert response.status == status, (method, url)
        answer = await response.text()
        assert json.loads(answer) == {"error": "unauthenticated" if status == 401 else "forbidden"}
    other = await client.get(API, headers=auth(init_data(OTHER_EDUCATOR, TOKEN)))
    assert (await other.json())["campaigns"] == []


async def test_an_unknown_or_malformed_code_is_not_found(client: TestClient[Any, Any]) -> None:
    for code in ("ZZZZZZ999", "nope", "%00"):
        response = await client.get(f"{API}/{code}", headers=owner())
        assert response.status == 404


# --- the tutorials, to a group through the delivery engine ----------------------------------


class Recorder:
    def __init__(self) -> None:
        self.sent: list[tuple[int, str, Mapping[str, Any]]] = []

    async def send(self, chat_id: int, kind: str, payload: Mapping[str, Any]) -> int | None:
        self.sent.append((chat_id, kind, payload))
        return len(self.sent)


async def deliveries(database: AsyncEngine) -> list[DeliveryRow]:
    async with session_factory(database)() as session:
        return list(await session.scalars(select(DeliveryRow)))


async def test_tutorials_reach_a_group_the_educator_administers_once_a_day(
    client: TestClient[Any, Any], database: AsyncEngine
) -> None:
    body = {"group": GROUP, "competence": "1.1"}
    response = await client.post(f"{API}/{CODE}/send", headers=owner(), json=body)
    assert response.status == 200
    assert await response.json() == {"result": "sent", "group": "5B families"}
    again = await client.post(f"{API}/{CODE}/send", headers=owner(), json=body)
    assert again.status == 409 and (await again.json())["result"] == "already_sent"

    rows = await deliveries(database)
    assert [(row.chat_id, row.kind) for row in rows] == [(GROUP, "tutorials")]
    recorder = Recorder()
    worker = DeliveryWorker(
        session_factory(database),
        recorder,
        RateLimiter(500, chat_interval=0.0),
        "test",
        lambda: datetime.now(UTC),
    )
    assert await worker.run_once() == 1
    [(chat_id, kind, payload)] = recorder.sent
    assert kind == "tutorials"
    text = payload["text"]
    assert_valid_html(text)
    assert chat_id == GROUP and "À travailler ensemble" in text  # the group's language
    assert '<a href="https://' in text
    for name in ("Bo", "Cy", "Ana", "Léa", "Sam"):  # the class's skills, nobody named
        assert name not in text


async def test_tutorials_are_refused_for_a_group_the_educator_no_longer_administers(
    client: TestClient[Any, Any], database: AsyncEngine
) -> None:
    for group, status, result in (
        (OTHER_GROUP, 403, "not_admin"),  # Telegram says she no longer administers it
        (-100999, 404, "group_gone"),  # no such group
    ):
        body = {"group": group, "competence": "1.1"}
        response = await client.post(f"{API}/{CODE}/send", headers=owner(), json=body)
        assert response.status == status
        assert (await response.json())["result"] == result
    for bad in ({"group": "x", "competence": "1.1"}, {"competence": "1.1"}, [1]):
        response = await client.post(f"{API}/{CODE}/send", headers=owner(), json=bad)
        assert response.status == 400
    response = await client.post(
        f"{API}/{CODE}/send", headers=owner(), json={"group": GROUP, "competence": "2.1"}
    )
    assert response.status == 404  # not a competence of the campaign
    assert await deliveries(database) == []
    listed = await (await client.get(f"{API}/{CODE}", headers=owner())).json()
    assert [group["title"] for group in listed["groups"]] == ["5B families"]  # forgotten


async def test_telegram_out_of_reach_at_send_time_is_said_not_a_crash(
    database: AsyncEngine, bank: ContentBank, catalogs: Catalogs, caplog: pytest.LogCaptureFixture
) -> None:
    async def unreachable(chat_id: int, user_id: int) -> bool:
        raise ConnectionError("Telegram out of reach")

    await seed(database)
    app = dashboard_app(database, bank, catalogs, TOKEN, GroupAdmins(unreachable))
    async with TestClient(TestServer(app)) as client:
        body = {"group": GROUP, "competence": "1.1"}
        response = await client.post(f"{API}/{CODE}/send", headers=owner(), json=body)
        assert response.status == 503 and await response.json() == {"error": "failed"}
        assert (await client.get(f"{API}/{CODE}", headers=owner())).status == 200  # goes on
    [line] = [r.getMessage() for r in caplog.records if r.name == "bot.dashboard.app"]
    assert line.endswith("/send: ConnectionError: Telegram out of reach")  # one line
    assert await deliveries(database) == []
