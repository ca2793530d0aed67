"""The ``pixbot`` command: run, chat, db, content. Each subcommand imports only what it needs."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from pydantic import ValidationError

Command = Callable[[argparse.Namespace], int]


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    command: Command | None = getattr(args, "command", None)
    if command is None:
        parser.print_help()
        return 2
    try:
        return command(args)
    except KeyboardInterrupt:
        return 130
    except ValidationError as error:
        from bot.bootstrap import setting_problem

        if error.title != "Settings":
            raise
        # An invalid setting (environment or .env) met by any command: one line per setting.
        for problem in error.errors():
            print(f"pixbot: {setting_problem(problem)}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pixbot", description=__doc__)
    sub = parser.add_subparsers(metavar="COMMAND")

    run = sub.add_parser(
        "run",
        help="serve Telegram (long polling, or webhook if WEBHOOK_URL)",
        description="Serve Telegram: long polling, or an aiohttp webhook server when WEBHOOK_URL "
        "is set; migrations run at start; SIGTERM stops gracefully. Configured by the "
        "environment or .env (README, Configuration); TELEGRAM_LIBRARY picks the Telegram "
        "library: aiogram or ptb (python-telegram-bot), the same bot with either.",
    )
    run.set_defaults(command=_run)

    chat = sub.add_parser("chat", help="the same conversation in this terminal, no token needed")
    chat.add_argument("--lang", default=None, help="interface language: en, fr or sv")
    chat.add_argument("--db", default=None, help="SQLite file (default: DATABASE_URL)")
    chat.add_argument("--user", type=int, default=-1, help="local user id (default -1)")
    chat.set_defaults(command=_chat)

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(metavar="ACTION")
    upgrade = db_sub.add_parser("upgrade", help="apply the migrations")
    upgrade.set_defaults(command=_db_upgrade)

    content = sub.add_parser("content", help="validate, inspect and export the content bank")
    content_sub = content.add_subparsers(metavar="ACTION")
    validate = content_sub.add_parser("validate", help="report every problem as file:line")
    validate.add_argument("path", nargs="?", type=Path, default=None)
    validate.set_defaults(command=_content_validate)
    rules = content_sub.add_parser(
        "rules", help="the item-writing rules alone (cues), every problem as file:line"
    )
    rules.add_argument("path", nargs="?", type=Path, default=None)
    rules.set_defaults(command=_content_rules)
    stats = content_sub.add_parser(
        "stats", help="coverage matrix and counts, and the cue figures of the item-writing rules"
    )
    stats.add_argument("path", nargs="?", type=Path, default=None)
    stats.add_argument("--json", action="store_true")
    stats.set_defaults(command=_content_stats)
    export = content_sub.add_parser("export", help="the whole bank as one document")
    export.add_argument("--format", choices=["json"], default="json")
    export.add_argument("--path", type=Path, default=None)
    export.set_defaults(command=_content_export)
    links = content_sub.add_parser("check-links", help="check every URL (needs a network)")
    links.add_argument("--timeout", type=float, default=10.0)
    links.set_defaults(command=_content_check_links)
    reports = content_sub.add_parser(
        "reports",
        help="learners' reports on questions (Report a problem), per challenge",
        description="The reports learners made under corrections, read from DATABASE_URL: per "
        "challenge, its file:line, how many learners reported it, the reasons counted (key: "
        "the expected answer is wrong, unclear, typo, other) and the latest texts.",
    )
    reports.add_argument("--json", action="store_true")
    reports.set_defaults(command=_content_reports)
    rejected = content_sub.add_parser(
        "rejected",
        help="typed answers marked wrong, per challenge, to extend accept lists",
        description="Typed answers marked wrong, read from DATABASE_URL (counted without who "
        "typed them): per challenge and field, how often each was typed, when last, and its "
        "edit distance to the nearest accepted variant after the item's tolerances.",
    )
    rejected.add_argument(
        "--min-count", type=int, default=1, metavar="N", help="answers typed at least N times"
    )
    rejected.add_argument("--json", action="store_true")
    rejected.set_defaults(command=_content_rejected)

    simulate = sub.add_parser("simulate", help="compare engines on simulated learners")
    simulate.add_argument("--learners", type=int, default=1000)
    simulate.add_argument("--seed", type=int, default=1)
    simulate.add_argument(
        "--engine", action="append", default=None, help="fixed-random, smart-random, irt"
    )
    simulate.add_argument("--competence", action="append", default=None)
    simulate.add_argument(
        "--model",
        action="append",
        default=None,
        help="learner model: skill-mastery, logistic, guesser, longest-option (default: all)",
    )
    simulate.add_argument("--path", type=Path, default=None, help="content directory")
    simulate.add_argument("--json", action="store_true")
    simulate.set_defaults(command=_simulate)

    calibrate = sub.add_parser("calibrate", help="fit item parameters from stored answers")
    calibrate.add_argument("--min-answers", type=int, default=30, help="per challenge")
    calibrate.add_argument("--dry-run", action="store_true", help="report, store nothing")
    calibrate.add_argument("--json", action="store_true")
    calibrate.set_defaults(command=_calibrate)

    bench = sub.add_parser("bench", help="benchmarks against local fakes")
    bench_sub = bench.add_subparsers(metavar="ACTION")
    broadcast = bench_sub.add_parser(
        "broadcast", help="one tip to N groups through the delivery worker and a fake Bot API"
    )
    broadcast.add_argument("--groups", type=int, default=2000)
    broadcast.add_argument("--workers", type=int, choices=[1, 2], default=1)
    broadcast.add_argument("--rate", type=float, default=25.0, help="messages per second")
    broadcast.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    broadcast.add_argument(
        "--redis-url", default=None, help="workers share one Redis limiter, each at the full rate"
    )
    broadcast.add_argument("--json", action="store_true")
    broadcast.set_defaults(command=_bench_broadcast)
    updates = bench_sub.add_parser(
        "updates",
        help="N learners answering through the real bot on each Telegram runtime, and each "
        "runtime's echo bot as the ceiling",
        description="N simulated learners answer concurrently through the real handlers, "
        "serving path and database, with a Bot API that answers locally (no network), on "
        "aiogram and on python-telegram-bot (--runtime); then the same learners against the "
        "bare echo bot of the same library (the ceiling) and the echo bot claiming each update "
        "in the database (the floor). Prints updates/s, p50 and p99 handler latency, CPU per "
        "update, errors and memory, and each runtime's idle RSS (Python alone, the library "
        "imported alone, pixbot built as `pixbot run` builds it, each in a fresh process). "
        "With both runtimes each runs in a process of its own. On PostgreSQL the bench works in "
        "a new schema of the given database and drops it at the end (other schemas are "
        "untouched); a SQLite URL is used as it is; 'sqlite' means a temporary file.",
    )
    updates.add_argument("--learners", type=int, default=200, help="concurrent learners")
    updates.add_argument("--updates", type=int, default=20000, help="measured updates per run")
    updates.add_argument(
        "--database-url",
        action="append",
        default=None,
        metavar="URL",
        help="repeat for several; 'sqlite' = a temporary SQLite file (the default), e.g. "
        "--database-url sqlite --database-url postgresql+asyncpg://postgres@127.0.0.1/bench",
    )
    updates.add_argument(
        "--warmup", type=int, default=None, help="updates before measuring (default: learners)"
    )
    updates.add_argument(
        "--think", type=float, default=0.0, help="mean pause before each next update, seconds"
    )
    updates.add_argument("--seed", type=int, default=1)
    updates.add_argument(
        "--runtime",
        choices=["aiogram", "ptb", "both"],
        default="both",
        help="the Telegram library pixbot and the echo bots run on: aiogram, ptb "
        "(python-telegram-bot) or both, each in a process of its own (default: both)",
    )
    updates.add_argument(
        "--flooders",
        type=int,
        default=0,
        help="instead of the echo comparison: N people each send 400 updates in 4 s while the "
        "learners answer, every 5th message or edit answered 429; learners' p99, replies lost, "
        "messages beyond a chat's rate",
    )
    updates.add_argument(
        "--throttle-every",
        type=int,
        default=5,
        metavar="N",
        help="with --flooders: every Nth message or edit is answered 429 (0: none)",
    )
    updates.add_argument("--json", action="store_true")
    updates.set_defaults(command=_bench_updates)
    search = bench_sub.add_parser(
        "search",
        help="the worst case of a tips library search over queries built to cost",
        description="Builds the tips' search indexes as the bot does at start, then times "
        "searches of adversarial queries (as long as a search may be: random words, the tips' "
        "words, their busiest prefixes, one word repeated, unicode, one-letter tokens; and a "
        "whole 4 KB message). Prints p50, p99 and the worst case per kind; exits 1 when the "
        "worst case is not under 5 ms.",
    )
    search.add_argument("--queries", type=int, default=200, help="per kind and language")
    search.add_argument("--seed", type=int, default=1)
    search.add_argument("--json", action="store_true")
    search.set_defaults(command=_bench_search)
    return parser


def _load_or_report(path: Path | None) -> object:
    from content.loader import check_bank

    bank, problems = check_bank(path)
    for problem in problems:
        print(problem, file=sys.stderr)
    return bank


def _content_validate(args: argparse.Namespace) -> int:
    from content.loader import Problem, check_bank, locate
    from content.report import stats
    from content.rules import check_rules
    from content.tolerances import tolerance_warnings

    bank, problems = check_bank(args.path)
    warnings: list[Problem] = []
    if bank is not None:  # the item-writing rules (content/rules.py) need a loaded bank
        problems = sorted([*problems, *check_rules(bank, locate(args.path))])
        warnings = tolerance_warnings(bank, locate(args.path))
    for problem in [*problems, *warnings]:  # warnings are for the author to judge: exit 0
        print(problem)
    if bank is None or problems:
        print(f"{len(problems)} problem(s)", file=sys.stderr)
        return 1
    counts = stats(bank)["challenges"]
    print(
        f"ok: {counts['validated']} validated challenges, {len(bank.tutorials)} tutorials, "
        f"{len(bank.tips)} tips"
    )
    return 0


def _content_rules(args: argparse.Namespace) -> int:
    from content.bank import ContentBank
    from content.loader import locate
    from content.rules import check_rules, validated

    bank = _load_or_report(args.path)
    if not isinstance(bank, ContentBank):
        return 1
    problems = check_rules(bank, locate(args.path))
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} item-writing problem(s)", file=sys.stderr)
        return 1
    print(f"ok: the {len(validated(bank))} validated challenges follow the item-writing rules")
    return 0


def _content_stats(args: argparse.Namespace) -> int:
    from content.bank import ContentBank
    from content.report import format_stats, stats
    from content.rules import cue_stats, format_cue_stats

    bank = _load_or_report(args.path)
    if not isinstance(bank, ContentBank):
        return 1
    data = stats(bank) | {"cues": cue_stats(bank)}
    if args.json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        print(format_stats(data) + "\n\n" + format_cue_stats(data["cues"]))
    return 0


def _content_export(args: argparse.Namespace) -> int:
    from content.bank import ContentBank
    from content.report import export

    bank = _load_or_report(args.path)
    if not isinstance(bank, ContentBank):
        return 1
    json.dump(export(bank), sys.stdout, ensure_ascii=False, indent=1)
    print()
    return 0


def _content_check_links(args: argparse.Namespace) -> int:
    import asyncio

    from content.bank import ContentBank
    from content.links import check_links

    bank = _load_or_report(None)
    if not isinstance(bank, ContentBank):
        return 1
    return asyncio.run(check_links(bank, seconds=args.timeout))


def _content_reports(args: argparse.Namespace) -> int:
    from bot.lab.feedback import run_reports

    return run_reports(args.json)


def _content_rejected(args: argparse.Namespace) -> int:
    from bot.lab.feedback import run_rejected

    return run_rejected(args.min_count, args.json)


def _simulate(args: argparse.Namespace) -> int:
    import time

    from bot.lab.simulation import DEFAULT_ENGINES, MODELS, TEST_WISE, format_table, simulate
    from content.bank import ContentBank

    bank = _load_or_report(args.path)
    if not isinstance(bank, ContentBank):
        return 1
    started = time.perf_counter()
    try:
        result = simulate(
            bank,
            engines=list(args.engine or DEFAULT_ENGINES),
            learners=args.learners,
            seed=args.seed,
            competences=args.competence,
            models=list(args.model or (*MODELS, *TEST_WISE)),
        )
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    print(json.dumps(result, indent=2) if args.json else format_table(result))
    print(f"simulated in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


def _calibrate(args: argparse.Namespace) -> int:
    from bot.lab.calibrate import run_calibrate

    return run_calibrate(args.min_answers, args.dry_run, args.json)


def _bench_broadcast(args: argparse.Namespace) -> int:
    from bot.lab.bench.broadcast import run_broadcast

    return run_broadcast(
        args.groups, args.workers, args.rate, args.database_url, args.json, args.redis_url
    )


def _bench_updates(args: argparse.Namespace) -> int:
    from bot.lab.bench.updates.main import run_updates

    return run_updates(
        args.learners,
        args.updates,
        args.database_url,
        args.json,
        warmup=args.warmup,
        think=args.think,
        seed=args.seed,
        flooders=args.flooders,
        throttle_every=args.throttle_every,
        runtime=args.runtime,
    )


def _bench_search(args: argparse.Namespace) -> int:
    from bot.lab.bench.search import run_search

    return run_search(args.queries, args.seed, args.json)


def _run(args: argparse.Namespace) -> int:
    from bot.bootstrap import run_bot

    return run_bot()


def _chat(args: argparse.Namespace) -> int:
    from bot.adapters.terminal import run_chat

    return run_chat(language=args.lang, db_path=args.db, user_id=args.user)


def _db_upgrade(args: argparse.Namespace) -> int:
    from bot.bootstrap import upgrade_database

    return upgrade_database()


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
