"""The ``pixbot`` command line. Each command imports only what it needs, so --help is quick."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeAlias

from pydantic import ValidationError

Command = Callable[[argparse.Namespace], int]

LANGUAGES = ("en", "fr", "sv")  # content.models.INTERFACE_LANGUAGES, not imported for --help
DESCRIPTION = "pixbot measures and builds digital skills in Telegram, following Pix's rules."
EPILOG = """\
Try it in this terminal, no token needed: pixbot chat
Serve it on Telegram: BOT_TOKEN=123456789:AA... pixbot run
More on a command: pixbot COMMAND --help"""
RUN = """\
Serve the bot on Telegram until Ctrl-C or SIGTERM; database migrations run at start.

Settings come from the environment or a .env file (all of them: README, Configuration):
  BOT_TOKEN          the bot's token from @BotFather (required)
  WEBHOOK_URL        receive updates at this public HTTPS URL (default: long polling)
  TELEGRAM_API_BASE  another Bot API server, e.g. http://127.0.0.1:8081
  TELEGRAM_LIBRARY   ptb (python-telegram-bot, the default) or aiogram: the same bot
  DATABASE_URL       where to store (default: sqlite+aiosqlite:///pixbot.db)"""
CHAT = (
    "Talk to the bot in this terminal, as in Telegram. Buttons are numbered: type a number to "
    "press one (#N while a question waits for a typed answer); /commands work too. A script "
    "can be piped in: printf '1\\n4\\n1\\n' | pixbot chat. Ctrl-D ends."
)


class _Formatter(argparse.HelpFormatter):
    """Wide enough a name column that each command's help stays on its line."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=26)

    def add_argument(self, action: argparse.Action) -> None:
        # argparse measures the names before its sections indent them, then wraps the longest.
        self._indent()
        super().add_argument(action)
        self._dedent()


class _RawFormatter(argparse.RawDescriptionHelpFormatter, _Formatter):
    """For descriptions laid out by hand (a list of settings)."""


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
    parser = argparse.ArgumentParser(
        prog="pixbot", description=DESCRIPTION, epilog=EPILOG, formatter_class=_RawFormatter
    )
    parser._positionals.title = "commands"  # listed before the options
    sub = parser.add_subparsers(metavar="COMMAND")

    run = sub.add_parser(
        "run",
        help="serve the bot on Telegram (needs BOT_TOKEN)",
        description=RUN,
        formatter_class=_RawFormatter,
    )
    run.set_defaults(command=_run)

    chat = sub.add_parser(
        "chat",
        help="talk to the bot in this terminal, no token needed",
        description=CHAT,
        formatter_class=_Formatter,
    )
    chat.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=None,
        help="the bot's language (default: DEFAULT_LANGUAGE, else en)",
    )
    chat.add_argument(
        "--db",
        default=None,
        metavar="FILE",
        help="keep the chat in this SQLite file (default: DATABASE_URL)",
    )
    chat.add_argument(
        "--user",
        type=int,
        default=-1,
        metavar="ID",
        help="who you are in the database: another id starts afresh (default: -1)",
    )
    chat.set_defaults(command=_chat)

    db_sub = _group(sub, "db", "database maintenance")
    upgrade = db_sub.add_parser(
        "upgrade",
        help="apply the migrations to DATABASE_URL",
        description="Apply the database migrations to DATABASE_URL (pixbot run does it at "
        "start too).",
        formatter_class=_Formatter,
    )
    upgrade.set_defaults(command=_db_upgrade)

    content_sub = _group(sub, "content", "check, inspect and export the questions and tips")
    bank = "a content folder (default: the shipped bank)"
    as_json = "print JSON"
    validate = _action(content_sub, "validate", "check the bank, every problem as file:line")
    validate.add_argument("path", nargs="?", type=Path, default=None, help=bank)
    validate.set_defaults(command=_content_validate)
    rules = _action(content_sub, "rules", "the item-writing rules alone, as file:line")
    rules.add_argument("path", nargs="?", type=Path, default=None, help=bank)
    rules.set_defaults(command=_content_rules)
    stats = _action(content_sub, "stats", "coverage, counts and cue figures")
    stats.add_argument("path", nargs="?", type=Path, default=None, help=bank)
    stats.add_argument("--json", action="store_true", help=as_json)
    stats.set_defaults(command=_content_stats)
    export = _action(content_sub, "export", "the whole bank as one JSON document")
    export.add_argument(
        "--format", choices=["json"], default="json", help="the document's format (json)"
    )
    export.add_argument("--path", type=Path, default=None, help=bank)
    export.set_defaults(command=_content_export)
    links = _action(content_sub, "check-links", "check every URL (needs a network)")
    links.add_argument(
        "--timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="how long to wait for each URL (default: 10)",
    )
    links.set_defaults(command=_content_check_links)
    reports = _action(
        content_sub,
        "reports",
        "learners' reports on questions, per challenge",
        description="The reports learners made under corrections, read from DATABASE_URL: per "
        "challenge, its file:line, how many learners reported it, the reasons counted (key: "
        "the expected answer is wrong, unclear, typo, other) and the latest texts.",
    )
    reports.add_argument("--json", action="store_true", help=as_json)
    reports.set_defaults(command=_content_reports)
    rejected = _action(
        content_sub,
        "rejected",
        "typed answers marked wrong, per challenge",
        description="Typed answers marked wrong, read from DATABASE_URL (counted without who "
        "typed them): per challenge and field, how often each was typed, when last, and its "
        "edit distance to the nearest accepted variant after the item's tolerances, to extend "
        "accept lists.",
    )
    rejected.add_argument(
        "--min-count", type=int, default=1, metavar="N", help="answers typed at least N times"
    )
    rejected.add_argument("--json", action="store_true", help=as_json)
    rejected.set_defaults(command=_content_rejected)

    simulate = _action(sub, "simulate", "compare the test engines on simulated learners")
    simulate.add_argument(
        "--learners",
        type=int,
        default=1000,
        metavar="N",
        help="simulated learners, each tested on every competence (default: 1000)",
    )
    simulate.add_argument("--seed", type=int, default=1, help="random seed (default: 1)")
    simulate.add_argument(
        "--engine",
        action="append",
        default=None,
        metavar="NAME",
        help="an engine, repeatable: fixed-random, smart-random, irt, oracle, bound "
        "(default: all)",
    )
    simulate.add_argument(
        "--competence",
        action="append",
        default=None,
        metavar="CODE",
        help="a competence, repeatable, e.g. 4.1 (default: all)",
    )
    simulate.add_argument(
        "--model",
        action="append",
        default=None,
        metavar="NAME",
        help="a learner model, repeatable: skill-mastery, logistic, guesser, longest-option "
        "(default: all)",
    )
    simulate.add_argument("--path", type=Path, default=None, help=bank)
    simulate.add_argument("--json", action="store_true", help=as_json)
    simulate.set_defaults(command=_simulate)

    calibrate = _action(sub, "calibrate", "fit the questions' difficulty from answers")
    calibrate.add_argument(
        "--min-answers",
        type=int,
        default=30,
        metavar="N",
        help="answers a challenge needs to be fitted (default: 30)",
    )
    calibrate.add_argument("--dry-run", action="store_true", help="report, store nothing")
    calibrate.add_argument("--json", action="store_true", help=as_json)
    calibrate.set_defaults(command=_calibrate)

    bench_sub = _group(sub, "bench", "benchmarks against local fakes")
    broadcast = _action(
        bench_sub,
        "broadcast",
        "one tip to N groups through a fake Bot API",
        description="One tip to N groups through the delivery worker and a local fake Bot API "
        "that answers some sends 429 or 403.",
    )
    broadcast.add_argument(
        "--groups", type=int, default=2000, metavar="N", help="groups (default: 2000)"
    )
    broadcast.add_argument(
        "--workers", type=int, choices=[1, 2], default=1, help="delivery processes (default: 1)"
    )
    broadcast.add_argument(
        "--rate", type=float, default=25.0, help="messages per second (default: 25)"
    )
    broadcast.add_argument(
        "--database-url", default=None, metavar="URL", help="default: a temporary SQLite file"
    )
    broadcast.add_argument(
        "--redis-url",
        default=None,
        metavar="URL",
        help="workers share one Redis limiter, each at the full rate",
    )
    broadcast.add_argument("--json", action="store_true", help=as_json)
    broadcast.set_defaults(command=_bench_broadcast)
    updates = _action(
        bench_sub,
        "updates",
        "learners answering on each Telegram runtime",
        description="N simulated learners answer concurrently through the real handlers, "
        "serving path and database, with a Bot API that answers locally (no network), on "
        "aiogram and on python-telegram-bot (--runtime); then the same learners against the "
        "bare echo bot of the same library (the ceiling) and the echo bot claiming each update "
        "in the database (the floor). Prints updates/s, p50 and p99 handler latency, CPU per "
        "update, errors and memory, and each runtime's idle RSS (Python alone, the library "
        "imported alone, pixbot built as pixbot run builds it, each in a fresh process). "
        "With both runtimes each runs in a process of its own. On PostgreSQL the bench works in "
        "a new schema of the given database and drops it at the end (other schemas are "
        "untouched); a SQLite URL is used as it is; 'sqlite' means a temporary file.",
    )
    updates.add_argument(
        "--learners", type=int, default=200, metavar="N", help="concurrent learners"
    )
    updates.add_argument(
        "--updates", type=int, default=20000, metavar="N", help="measured updates per run"
    )
    updates.add_argument(
        "--database-url",
        action="append",
        default=None,
        metavar="URL",
        help="repeat for several; 'sqlite' = a temporary SQLite file (the default), e.g. "
        "--database-url sqlite --database-url postgresql+asyncpg://postgres@127.0.0.1/bench",
    )
    updates.add_argument(
        "--warmup",
        type=int,
        default=None,
        metavar="N",
        help="updates before measuring (default: learners)",
    )
    updates.add_argument(
        "--think",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="mean pause before each next update",
    )
    updates.add_argument("--seed", type=int, default=1, help="random seed (default: 1)")
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
        metavar="N",
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
    updates.add_argument("--json", action="store_true", help=as_json)
    updates.set_defaults(command=_bench_updates)
    worker = _action(
        bench_sub,
        "worker",
        "a real pixbot run process's memory under learners",
        description="A `pixbot run` process on the chosen runtime long-polls a Bot API served "
        "locally, with every limit as shipped, while N learners read its replies and answer at "
        "a person's pace; prints the worker's resident memory at its first poll and after each "
        "tenth of the updates (read from /proc), updates/s and unanswered updates. On "
        "PostgreSQL the worker gets a new database of that server, dropped at the end.",
    )
    worker.add_argument("--learners", type=int, default=200, metavar="N", help="learners")
    worker.add_argument(
        "--updates", type=int, default=100_000, metavar="N", help="updates (default: 100000)"
    )
    worker.add_argument(
        "--database-url",
        default="sqlite",
        metavar="URL",
        help="'sqlite' = a temporary SQLite file (the default)",
    )
    worker.add_argument(
        "--runtime", choices=["aiogram", "ptb"], default="ptb", help="(default: ptb)"
    )
    worker.add_argument(
        "--think",
        type=float,
        default=None,
        metavar="SECONDS",
        help="mean pause before each next update (default: learners / 20, so that the replies "
        "stay within the 25 new messages a second a bot may send: about 20 updates a second)",
    )
    worker.add_argument("--seed", type=int, default=1, help="random seed (default: 1)")
    worker.add_argument("--json", action="store_true", help=as_json)
    worker.set_defaults(command=_bench_worker)
    search = _action(
        bench_sub,
        "search",
        "worst-case time of a tips library search",
        description="Builds the tips' search indexes as the bot does at a first search, then "
        "times searches of adversarial queries (as long as a search may be: random words, the "
        "tips' words, their busiest prefixes, one word repeated, unicode, one-letter tokens; "
        "and a whole 4 KB message). Prints p50, p99 and the worst case per kind; exits 1 when the "
        "worst case is not under 5 ms.",
    )
    search.add_argument(
        "--queries", type=int, default=200, metavar="N", help="per kind and language"
    )
    search.add_argument("--seed", type=int, default=1, help="random seed (default: 1)")
    search.add_argument("--json", action="store_true", help=as_json)
    search.set_defaults(command=_bench_search)
    return parser


Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def _action(
    sub: Subparsers, name: str, help: str, description: str | None = None
) -> argparse.ArgumentParser:
    """A command: its one-line help in the list, and as its description unless it has one."""
    return sub.add_parser(
        name,
        help=help,
        description=description or help[0].upper() + help[1:] + ".",
        formatter_class=_Formatter,
    )


def _group(sub: Subparsers, name: str, help: str) -> Subparsers:
    """A command of commands (db, content, bench); alone, it lists them."""
    group = _action(sub, name, help)
    group.set_defaults(command=lambda args: _usage(group))
    group._positionals.title = "commands"
    return group.add_subparsers(metavar="COMMAND")


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def _load_or_report(path: Path | None) -> object:
    from content.loader import check_bank

    bank, problems = check_bank(path)
    for problem in problems:
        print(problem, file=sys.stderr)
    return bank


def _content_validate(args: argparse.Namespace) -> int:
    import time

    from content.loader import Problem, check_bank, locate
    from content.report import stats
    from content.rules import check_rules
    from content.tolerances import tolerance_warnings

    started = time.perf_counter()
    bank, problems = check_bank(args.path)
    loaded = time.perf_counter() - started
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
        f"{len(bank.tips)} tips (read and checked in {loaded:.2f} s)"
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

    from bot.core.engines import ENGINES, get_engine
    from bot.lab.retakes import MODEL as RETAKE_MODEL
    from bot.lab.retakes import format_retakes, retakes
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
    models = list(args.model or (*MODELS, *TEST_WISE))
    retaking = [name for name in args.engine or DEFAULT_ENGINES if name in ENGINES]
    if retaking and RETAKE_MODEL in models:  # the retake scenario (issue 18's goal)
        engines = {name: get_engine(name) for name in retaking}
        codes = result["competences"]
        result["retakes"] = retakes(bank, engines, args.learners, args.seed, codes)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        table = format_table(result)
        if "retakes" in result:
            table += "\n\n" + "\n".join(format_retakes(result["retakes"]))
        print(table)
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


def _bench_worker(args: argparse.Namespace) -> int:
    from bot.lab.bench.worker import run_worker

    return run_worker(
        args.learners,
        args.updates,
        args.database_url,
        args.runtime,
        args.think,
        args.seed,
        args.json,
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
