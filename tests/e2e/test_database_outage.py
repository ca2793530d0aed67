"""PostgreSQL goes away under a running `pixbot run` and comes back: the learner is told the bot
is temporarily unavailable, /healthz says 503, the process stays up, and it serves again by
itself once the database answers (no restart), on either Telegram library. The outage is a cut
TCP relay in front of the real server, so nothing else using that server notices."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.conftest import POSTGRES_URL, reset_postgres
from tests.fake_telegram import Chat, fake_telegram, free_port
from tests.processes import health, worker
from tests.relay import Proxy

UNAVAILABLE = "temporarily unavailable"


async def _health(port: int) -> int:
    status, _ = await health(f"http://127.0.0.1:{port}")
    return status


def _replied(chat: Chat, after: int, words: str) -> bool:
    return any(m.id > after and words in m.text for m in chat.messages.values())


@pytest.mark.postgresql
async def test_the_bot_says_unavailable_then_recovers_when_postgresql_returns(
    tmp_path: Path, runtime: str
) -> None:
    await reset_postgres()
    url = make_url(POSTGRES_URL)
    relay = Proxy(url.host or "127.0.0.1", url.port or 5432)
    await relay.start()
    through_relay = url.set(host="127.0.0.1", port=relay.port).render_as_string(
        hide_password=False
    )
    metrics = free_port()
    chat_id = 900
    try:
        async with (
            fake_telegram() as telegram,
            worker(
                telegram,
                tmp_path,
                through_relay,
                "w",
                METRICS_PORT=str(metrics),
                TELEGRAM_LIBRARY=runtime,
            ) as bot,
        ):
            chat = telegram.chat(chat_id)
            telegram.say(chat_id, "/start")
            assert await chat.wait(lambda c: _replied(c, 0, "I'm pixbot"), 20)
            assert await _health(metrics) == 200

            # A restart between two updates: the pooled connections are dead, unnoticed
            # (no pre-ping); the next update meets one, and is handled again on a fresh one.
            await relay.stop()
            await relay.start()
            seen = max(chat.messages)
            telegram.say(chat_id, "/test")
            areas = await chat.wait(lambda c: _replied(c, seen, "Choose an area"), 30)
            assert areas and not _replied(chat, seen, UNAVAILABLE)

            await relay.stop()  # the database is gone
            seen = max(chat.messages)
            telegram.say(chat_id, "/test")
            assert await chat.wait(lambda c: _replied(c, seen, UNAVAILABLE), 30)
            assert await _health(metrics) == 503
            assert bot.returncode is None  # still up

            await relay.start()  # back, on the same address
            seen = max(chat.messages)
            telegram.say(chat_id, "/test")
            areas = await chat.wait(
                lambda c: next(
                    (m for m in c.messages.values() if m.id > seen and m.buttons), None
                ),
                30,
            )
            assert areas is not None and UNAVAILABLE not in areas.text
            assert any(data.startswith("area:") for _, data in areas.buttons)
            assert await _health(metrics) == 200
    finally:
        await relay.stop()
    log = (tmp_path / "w.log").read_text()
    assert "database unavailable" in log  # the operator's line
    assert "Traceback" not in log
