"""`pixbot bench updates` on a small run, on each Telegram runtime: the structure of its report
and that learners really went through tests (not its speed: benchmarks print numbers, tests do
not time)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aiogram.exceptions import TelegramRetryAfter
from sqlalchemy import func, select
from telegram import Bot as PtbBot
from telegram.error import RetryAfter as PtbRetryAfter

from bot.adapters.ptb.transport import retry_seconds
from bot.adapters.telegram.dispatcher import create_bot
from bot.cli import main
from bot.lab.bench.updates.api import TOKEN, Ledger, LocalApi, Screen, beyond_rate
from bot.lab.bench.updates.database import Database
from bot.lab.bench.updates.learners import Learner
from bot.lab.bench.updates.main import bench_updates
from bot.lab.bench.updates.report import compare, format_table, idle_goals
from bot.lab.bench.updates.request import LocalRequest
from bot.lab.bench.updates.runs import run_pixbot
from bot.lab.bench.updates.runtimes import RUNTIMES
from bot.lab.bench.updates.session import LocalSession
from storage.database import create_engine
from storage.models import AnswerRow, AssessmentRow

IDLE_FIELDS = {
    "runtime",
    "database",
    "library",
    "python_mb",
    "library_mb",
    "pixbot_mb",
    "pixbot_peak_mb",
    "pixbot_first_mb",
    "start_s",
    "start_worst_s",
    "server_module",
    "library_modules",
    "pixbot_modules",
    "pixbot_libraries",
}

WRITING = "echo+db+write"  # the durable echo storing a row more: pixbot's storage floor
SHOWING = "echo+db+write+shown"  # ... and recording each reply once sent, as pixbot does


@pytest.mark.parametrize("runtime", RUNTIMES)
async def test_a_small_run_reports_pixbot_and_echo_without_errors(runtime: str) -> None:
    result = await bench_updates(
        learners=5, updates=100, database_urls=["sqlite"], seed=3, runtimes=[runtime], idle=False
    )

    assert result["runtimes"] == [runtime] and result["idle"] == []
    assert [(run["database"], run["runtime"], run["bot"]) for run in result["runs"]] == [
        ("sqlite", runtime, "pixbot"),
        ("sqlite", runtime, "echo"),
        ("sqlite", runtime, "echo+db"),
        ("sqlite", runtime, WRITING),
        ("sqlite", runtime, SHOWING),
    ]
    for run in result["runs"]:
        assert run["learners"] == 5 and run["updates"] == 100
        assert run["errors"] == 0 and run["unanswered"] == 0
        assert run["updates_per_s"] > 0 and 0 < run["p50_ms"] <= run["p99_ms"] <= run["max_ms"]
        assert 0 <= run["wait_p50_ms"] <= run["wait_p99_ms"] <= run["with_wait_p99_ms"]
        assert len(run["rss_mb"]) == 10 and run["rss_start_mb"] > 0
    pixbot = result["runs"][0]
    assert pixbot["challenges_answered"] > 20
    stored = pixbot["stored"]
    assert stored["users"] >= 5 and stored["assessments"] >= 5 and stored["answers"] > 20
    (comparison,) = result["comparisons"]
    assert comparison["database"] == "sqlite" and comparison["runtime"] == runtime
    assert comparison["throughput_share"] > 0
    assert comparison["durable_echo_share"] > 0
    # The durable echo writing one row more per update costs more than the durable echo, and
    # so the ceiling it sets is below the engine's alone.
    durable, writing, showing = result["runs"][2], result["runs"][3], result["runs"][4]
    assert writing["statements_per_update"] > durable["statements_per_update"]
    assert 0 < comparison["storage_ceiling"] < 1
    # Recording each reply once sent is one statement more per update; pixbot recorded where
    # it showed a challenge for some of its updates, not all.
    assert showing["statements_per_update"] >= writing["statements_per_update"] + 0.9
    assert 0 < pixbot["shown_per_update"] < 1
    assert 0 < comparison["shown_ceiling"] < 1
    # The durable echo claimed every update it answered, as pixbot does: one statement each.
    assert result["runs"][2]["bot_api_requests"] > 0
    sql = [run["statements_per_update"] for run in result["runs"]]
    assert sql[1] == 0 and 1 <= sql[2] < 1.2 and sql[0] > 3  # pixbot reads and writes tests
    assert "SQL/upd" in format_table(result)
    assert 0 < result["runs"][0]["engine_ms_per_update"] < result["runs"][0]["cpu_ms_per_update"]
    assert 0 < comparison["engine_ceiling"] < 1
    assert "its adaptive engine's choices alone cost" in format_table(result)
    assert set(comparison["goals"]) == {
        "throughput_of_durable_echo",
        "p99_under_50_ms",
        "memory_flat",
        "memory_under_150_mb",
        "no_errors",
    }
    assert comparison["share_goal"] == 0.4  # of the durable echo, on SQLite
    assert comparison["goals"]["no_errors"] is True
    assert comparison["goals"]["memory_flat"] is None  # judged over 100,000 updates or more
    assert result["runtime_comparisons"] == []  # one runtime: nothing side by side
    table = format_table(result)
    assert table.count(f"\nsqlite     {runtime} ") == 5
    assert f"sqlite {runtime}: pixbot/durable echo throughput" in table
    assert "memory flat: not measured (under 100,000 updates)" in table


@pytest.mark.parametrize("runtime", RUNTIMES)
async def test_a_sqlite_file_given_keeps_the_answers(tmp_path: Path, runtime: str) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bench.db'}"
    for _ in range(2):  # a second run on the same file: new update and user ids, all handled
        run = await run_pixbot(runtime, Database.open(url), 3, 60, warmup=0, think=0.0, seed=1)
        assert run.errors == 0 and run.unanswered == 0
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            answers = await connection.scalar(select(func.count()).select_from(AnswerRow))
            competences = await connection.scalar(
                select(func.count(func.distinct(AssessmentRow.competence)))
            )
    finally:
        await engine.dispose()
    assert answers is not None and answers > 30
    assert competences is not None and competences >= 3


def test_a_learner_answers_what_it_sees() -> None:
    import random

    learner = Learner(7_000_000_001, "en", random.Random(1), competences=["1.1", "1.2"])
    first = learner.next_update(1)
    assert first["message"]["text"] == "/start"
    assert first["message"]["entities"][0]["type"] == "bot_command"

    learner.screens = [Screen(10, "menu", [("🎯 Take a test", "test"), ("📊", "profile")])]
    assert learner.next_update(2)["callback_query"]["data"] == "test"
    learner.screens = [Screen(10, "areas", [("1 · Info", "area:1"), ("⬅️", "menu")])]
    assert learner.next_update(3)["callback_query"]["data"] == "area:1"
    learner.screens = [Screen(10, "1", [("1.1", "comp:1.1"), ("1.2", "comp:1.2"), ("⬅️", "test")])]
    chosen = learner.next_update(4)["callback_query"]["data"]
    assert chosen in ("comp:1.1", "comp:1.2")

    challenge = [("A", "opt:tok12345:0"), ("B", "opt:tok12345:1"), ("⏭", "skip:tok12345")]
    learner.screens = [Screen(11, "Which one?", challenge)]
    assert learner.next_update(5)["callback_query"]["data"].startswith(("opt:", "skip:"))
    learner.screens = [Screen(12, "Type it.", [("⏭", "skip:tok67890")])]
    typed = learner.next_update(6)
    assert "text" in typed.get("message", {}) or typed["callback_query"]["data"].startswith("skip")

    # Every competence taken: the areas screen makes a new person.
    learner.taken = {"1.1", "1.2"}
    learner.screens = [Screen(13, "areas", [("1 · Info", "area:1")])]
    again = learner.next_update(7)
    assert again["message"]["text"] == "/start" and learner.people == 2
    assert again["message"]["from"]["id"] != 7_000_000_001


def test_throughput_is_compared_only_without_think_time() -> None:
    pixbot = {
        "database": "x",
        "updates": 100_000,
        "updates_per_s": 30.0,
        "p99_ms": 20.0,
        "rss_growth_mb": 1.0,
        "rss_end_mb": 140.0,
        "errors": 0,
        "unanswered": 0,
        "engine_ms_per_update": 3.0,
    }
    echo = {**pixbot, "updates_per_s": 40.0}
    durable = {**pixbot, "updates_per_s": 35.0, "cpu_ms_per_update": 1.0}
    compared = compare(pixbot, echo, durable, think=0.0)
    assert compared["goals"]["throughput_of_durable_echo"] is True  # 30/35, goal 50 %
    assert compared["durable_echo_share"] == 0.875
    slow = compare({**pixbot, "updates_per_s": 15.0}, echo, durable, think=0.0)["goals"]
    assert slow["throughput_of_durable_echo"] is False  # 15/35 = 43 % < 50 % (PostgreSQL's)
    on_sqlite = {**pixbot, "database": "sqlite", "updates_per_s": 15.0}
    assert compare(on_sqlite, echo, durable, think=0.0)["goals"]["throughput_of_durable_echo"]
    paced = compare(pixbot, echo, durable, think=5.0)["goals"]
    assert paced["throughput_of_durable_echo"] is None and paced["p99_under_50_ms"] is True
    assert compared["goals"]["memory_under_150_mb"] is True
    heavy = compare({**pixbot, "rss_end_mb": 151.0}, echo, durable, think=0.0)["goals"]
    assert heavy["memory_under_150_mb"] is False
    assert compared["goals"]["memory_flat"] is True  # 1 MB over 100,000 updates
    grown = compare({**pixbot, "rss_growth_mb": 30.0}, echo, durable, think=0.0)["goals"]
    assert grown["memory_flat"] is False
    short = compare({**pixbot, "updates": 20_000}, echo, durable, think=0.0)["goals"]
    assert short["memory_flat"] is None
    # The durable echo at 1 ms a update, plus 3 ms of engine choices: at most 1/4 of it.
    assert compared["engine_ceiling"] == 0.25 and compared["storage_ceiling"] is None
    assert compared["shown_ceiling"] is None
    # Storing the answer as well (the durable echo writing a row more: 2 ms): at most 1/5.
    writing = {**durable, "cpu_ms_per_update": 2.0}
    assert compare(pixbot, echo, durable, writing, think=0.0)["storage_ceiling"] == 0.2
    # Recording where a challenge was shown after 3 updates in 4, at 2 ms each (the durable
    # echo doing it after every reply: 4 ms): 2 + 1.5 + 3 ms, at most 1/6.5.
    showing = {**durable, "cpu_ms_per_update": 4.0}
    shown = {**pixbot, "shown_per_update": 0.75}
    both = compare(shown, echo, durable, writing, showing, think=0.0)
    assert both["storage_ceiling"] == 0.2 and both["shown_ceiling"] == round(1 / 6.5, 4)


@pytest.mark.parametrize("argv", [["--learners", "0"], ["--learners", "5", "--updates", "2"]])
def test_the_command_refuses_nonsense(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "updates", *argv]) == 2
    assert "--learners" in capsys.readouterr().err


def idle_is_plausible(at_rest: dict[str, Any], runtime: str) -> None:
    assert set(at_rest) == IDLE_FIELDS
    assert (at_rest["runtime"], at_rest["database"]) == (runtime, "sqlite")
    assert at_rest["library"] == {"aiogram": "aiogram", "ptb": "telegram.ext"}[runtime]
    # The library weighs more than Python alone, and pixbot more than its library.
    assert 0 < at_rest["python_mb"] < at_rest["library_mb"] < at_rest["pixbot_mb"]
    assert at_rest["pixbot_mb"] <= at_rest["pixbot_peak_mb"] + 1
    assert 0 < at_rest["start_s"] <= at_rest["start_worst_s"]  # `pixbot run` reached its poll
    assert set(idle_goals(at_rest)) == {"idle_at_most_120_mb", "start_within_2_s"}
    assert at_rest["library_modules"] < at_rest["pixbot_modules"]
    # pixbot on one runtime loads that runtime's library, not the other's.
    assert at_rest["pixbot_libraries"] == [{"aiogram": "aiogram", "ptb": "telegram"}[runtime]]


def test_the_command_prints_json_for_both_runtimes(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["bench", "updates", "--learners", "2", "--updates", "20", "--json"])
    result = json.loads(capsys.readouterr().out)
    assert code == 0
    assert result["runtimes"] == ["aiogram", "ptb"] and result["apart"] is True
    # Each runtime ran in a process of its own, which never imported the other's library.
    assert [(p["runtimes"], p["libraries"]) for p in result["processes"]] == [
        (["aiogram"], ["aiogram"]),
        (["ptb"], ["telegram"]),
    ]
    assert [(run["runtime"], run["bot"]) for run in result["runs"]] == [
        (runtime, bot)
        for runtime in RUNTIMES
        for bot in ("pixbot", "echo", "echo+db", WRITING, SHOWING)
    ]
    for run in result["runs"]:
        assert run["errors"] == 0 and run["unanswered"] == 0 and run["updates"] == 20
        assert run["updates_per_s"] > 0 and run["cpu_ms_per_update"] > 0
        assert 0 < run["p50_ms"] <= run["p99_ms"]
    assert [c["runtime"] for c in result["comparisons"]] == list(RUNTIMES)
    for at_rest, runtime in zip(result["idle"], RUNTIMES, strict=True):
        idle_is_plausible(at_rest, runtime)
    (side_by_side,) = result["runtime_comparisons"]
    assert side_by_side["database"] == "sqlite" and side_by_side["runtimes"] == list(RUNTIMES)
    assert set(side_by_side["bots"]) == {"pixbot", "echo", "echo+db", WRITING, SHOWING}
    for measures in side_by_side["bots"].values():
        assert set(measures) == {"cpu_ms_per_update", "p50_ms", "p99_ms", "updates_per_s"}
        assert all(set(by_runtime) == set(RUNTIMES) for by_runtime in measures.values())
    assert set(side_by_side["idle_rss_mb"]) == set(RUNTIMES)
    table = format_table(result)
    assert "idle RSS (MB" in table and "sqlite, pixbot aiogram / ptb: idle RSS MB" in table
    assert "each runtime ran in a process of its own" in table


def test_the_command_runs_one_runtime(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["bench", "updates", "--learners", "2", "--updates", "20", "--runtime", "ptb"]
    assert main([*argv, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["runtimes"] == ["ptb"] and result["apart"] is False
    assert [(run["runtime"], run["bot"]) for run in result["runs"]] == [
        ("ptb", "pixbot"),
        ("ptb", "echo"),
        ("ptb", "echo+db"),
        ("ptb", WRITING),
        ("ptb", SHOWING),
    ]
    (at_rest,) = result["idle"]
    idle_is_plausible(at_rest, "ptb")


@pytest.mark.parametrize("runtime", RUNTIMES)
async def test_a_flood_run_loses_no_reply_and_keeps_the_flooders_chat_within_its_rate(
    runtime: str,
) -> None:
    result = await bench_updates(
        learners=5,
        updates=15,
        database_urls=["sqlite"],
        think=0.5,
        seed=2,
        flooders=1,
        flood_updates=40,
        flood_seconds=0.4,
        runtimes=[runtime],
    )

    assert result["runs"] == [] and result["comparisons"] == [] and result["idle"] == []
    assert result["flooders"] == 1 and result["throttle_every"] == 5
    (flood,) = json.loads(json.dumps(result))["floods"]
    assert (flood["database"], flood["learners"], flood["updates"]) == ("sqlite", 5, 15)
    assert flood["runtime"] == runtime
    assert 0 < flood["p50_ms"] <= flood["p99_ms"] <= flood["max_ms"]
    assert flood["without_429_p99_ms"] <= flood["p99_ms"] and flood["wait_p99_ms"] >= 0
    # Every 5th message or edit was answered 429, and each was sent again until it arrived.
    assert flood["throttled_429"] == flood["sends"] // 5 > 0
    assert flood["replies_lost"] == 0 and flood["undelivered_logged"] == 0
    assert flood["replies_delivered"] == flood["replies_attempted"] > 0
    # The flooder was slowed alone, within its chat's rate; nothing went wrong.
    assert flood["flooder_handled"] + flood["flooder_dropped"] == 40
    assert flood["flooder_dropped"] > 0 and flood["learners_dropped"] == 0
    assert flood["flooder_messages"] > 0 and flood["flooder_beyond_rate"] == 0
    assert flood["learners_beyond_rate"] == 0
    assert flood["errors"] == 0 and flood["unanswered"] == 0
    goals = flood["goals"]
    assert set(goals) == {
        "learners_p99_under_250_ms",
        "no_replies_lost",
        "flooder_within_chat_rate",
        "no_errors",
    }
    assert goals["no_replies_lost"] and goals["flooder_within_chat_rate"] and goals["no_errors"]
    table = format_table(result)
    assert "flooders and replies" in table and table.count(f"\nsqlite     {runtime} ") == 2
    assert "no replies lost: met, flooder within chat rate: met, no errors: met" in table


async def test_the_local_session_answers_429_through_aiogram() -> None:
    ledger = Ledger(throttle_every=2)
    bot = create_bot(TOKEN, session=LocalSession(LocalApi(ledger)))
    try:
        await bot.send_message(1, "a")
        with pytest.raises(TelegramRetryAfter) as raised:
            await bot.send_message(1, "b")
        assert raised.value.retry_after == 1
        assert ledger.lost() == 1
        await bot.send_message(1, "b")  # the retry arrives
        await bot.answer_callback_query("1")  # not a message: never answered 429
    finally:
        await bot.session.close()
    assert (ledger.sends, ledger.throttled, ledger.lost()) == (3, 1, 0)
    assert len(ledger.messages[1]) == 2


async def test_the_local_request_answers_429_through_python_telegram_bot() -> None:
    ledger = Ledger(throttle_every=2)
    request = LocalRequest(LocalApi(ledger))
    async with PtbBot(TOKEN, request=request, get_updates_request=request) as bot:
        assert bot.username == "pixbot_bench_bot"  # getMe, answered locally
        sent = await bot.send_message(1, "a")
        assert sent.chat.id == 1 and sent.text == "a"
        with pytest.raises(PtbRetryAfter) as raised:
            await bot.send_message(1, "b")
        assert retry_seconds(raised.value) == 1
        assert ledger.lost() == 1
        await bot.send_message(1, "b")  # the retry arrives
        await bot.answer_callback_query("1")  # not a message: never answered 429
    assert (ledger.sends, ledger.throttled, ledger.lost()) == (3, 1, 0)
    assert len(ledger.messages[1]) == 2
    assert request.requests == 5


def test_beyond_rate_counts_a_fourth_message_within_three_seconds() -> None:
    assert beyond_rate([0.0, 1.0, 2.0, 3.0, 4.0]) == 0
    assert beyond_rate([0.0, 0.1, 0.2, 2.9, 3.05]) == 2
    assert beyond_rate([0.0, 0.1]) == 0


def test_the_command_refuses_negative_flooders(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "updates", "--flooders", "-1"]) == 2
    assert "--flooders" in capsys.readouterr().err
