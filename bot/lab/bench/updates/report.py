"""The goals a run is judged by, and the tables ``pixbot bench updates`` prints."""

from __future__ import annotations

from typing import Any, Final

from bot.lab.bench.updates.api import CHAT_BURST, CHAT_WINDOW, RETRY_AFTER

# Issue 19: pixbot's throughput against the durable echo's (the echo bot plus one update-id
# claim, the floor of any bot that handles a redelivered update once), per database.
GOAL_DURABLE_SHARE: Final = {"postgresql": 0.5, "sqlite": 0.4}
GOAL_P99_MS: Final = 50.0
GOAL_IDLE_MB: Final = 120.0  # a worker's resident memory after start
GOAL_LOADED_MB: Final = 150.0  # ... and after 100,000 updates
GOAL_START_S: Final = 2.0  # from `pixbot run` to its first poll
GOAL_GROWTH_MB: Final = 10.0  # RSS growth from the first to the last tenth of the run
GOAL_MEMORY_UPDATES: Final = 100_000  # memory is judged flat over a run this long or longer
GOAL_FLOOD_P99_MS: Final = 250.0  # learners' handling plus wait while someone floods
UNMEASURED: Final = {  # why a goal is not judged by a run
    "throughput_of_durable_echo": "not measured (paced)",
    "memory_flat": f"not measured (under {GOAL_MEMORY_UPDATES:,} updates)",
    "memory_under_150_mb": f"not measured (under {GOAL_MEMORY_UPDATES:,} updates)",
}


def flood_goals(flood: dict[str, Any]) -> dict[str, bool | None]:
    """Issue #14's goals for the flood scenario."""
    return {
        "learners_p99_under_250_ms": flood["p99_ms"] < GOAL_FLOOD_P99_MS,
        "no_replies_lost": flood["replies_lost"] == 0 and flood["undelivered_logged"] == 0,
        "flooder_within_chat_rate": flood["flooder_beyond_rate"] == 0,
        "no_errors": flood["errors"] == 0 and flood["unanswered"] == 0,
    }


def engine_ceiling(pixbot: dict[str, Any], durable: dict[str, Any]) -> float:
    """The share of the durable echo's throughput that a bot doing only what the durable echo
    does plus pixbot's adaptive engine choices could reach when CPU bounds both: the most any
    implementation with this engine can reach (its choices cost what they cost, whatever the
    storage and the runtime do around them)."""
    floor, engine = durable["cpu_ms_per_update"], pixbot["engine_ms_per_update"]
    return floor / (floor + engine) if floor + engine else 1.0


def storage_ceiling(
    pixbot: dict[str, Any], durable: dict[str, Any], writing: dict[str, Any]
) -> float:
    """As ``engine_ceiling``, for a bot that also stores the answer after its choice: the
    durable echo writing one row more in its transaction (``runtimes.claim``), plus the
    engine's choices. Reading the learner's state is granted free (folded into the claim),
    rendering and checking too: no implementation of pixbot, with this engine and this
    database layer, goes beyond this share of the durable echo."""
    floor, engine = durable["cpu_ms_per_update"], pixbot["engine_ms_per_update"]
    least = writing["cpu_ms_per_update"] + engine
    return floor / least if least else 1.0


def shown_ceiling(
    pixbot: dict[str, Any],
    durable: dict[str, Any],
    writing: dict[str, Any],
    showing: dict[str, Any],
) -> float:
    """As ``storage_ceiling``, for a bot that also records where its challenge was shown, as
    often as pixbot did (``shown_per_update``): a statement of its own once the reply is sent,
    which cannot join the claim's transaction (a reply is never sent from inside one) and
    without which an answer could be scored to a challenge never delivered. Its cost is the
    durable echo's doing it after every reply (``runtimes.record_shown``), less the same echo's
    without it, in proportion."""
    floor, engine = durable["cpu_ms_per_update"], pixbot["engine_ms_per_update"]
    showing_ms = showing["cpu_ms_per_update"] - writing["cpu_ms_per_update"]
    least = writing["cpu_ms_per_update"] + pixbot["shown_per_update"] * showing_ms + engine
    return floor / least if least else 1.0


def compare(
    pixbot: dict[str, Any],
    echo: dict[str, Any],
    durable: dict[str, Any],
    writing: dict[str, Any] | None = None,
    showing: dict[str, Any] | None = None,
    think: float = 0.0,
) -> dict[str, Any]:
    """The goals; throughput is compared only without think time (with it, both bots handle
    what the learners send, and the share says nothing), memory only over a run as long as
    the goal's (a short one ends while bounded caches are still filling)."""

    def share(run: dict[str, Any], of: dict[str, Any]) -> float:
        return run["updates_per_s"] / of["updates_per_s"] if of["updates_per_s"] else 0.0

    of_durable = share(pixbot, durable)
    goal = GOAL_DURABLE_SHARE.get(pixbot["database"], GOAL_DURABLE_SHARE["postgresql"])
    long_run = pixbot["updates"] >= GOAL_MEMORY_UPDATES
    return {
        "database": pixbot["database"],
        "runtime": pixbot.get("runtime", ""),
        "throughput_share": round(share(pixbot, echo), 4),
        "durable_echo_share": round(share(durable, echo), 4),
        "share_of_durable_echo": round(of_durable, 4),
        "share_goal": goal,
        "engine_ms": pixbot["engine_ms_per_update"],
        "engine_ceiling": round(engine_ceiling(pixbot, durable), 4),
        "storage_ceiling": (
            round(storage_ceiling(pixbot, durable, writing), 4) if writing else None
        ),
        "shown_ceiling": (
            round(shown_ceiling(pixbot, durable, writing, showing), 4)
            if writing and showing
            else None
        ),
        "goals": {
            "throughput_of_durable_echo": of_durable >= goal if think == 0 else None,
            "p99_under_50_ms": pixbot["p99_ms"] < GOAL_P99_MS,
            "memory_flat": pixbot["rss_growth_mb"] <= GOAL_GROWTH_MB if long_run else None,
            "memory_under_150_mb": pixbot["rss_end_mb"] <= GOAL_LOADED_MB if long_run else None,
            "no_errors": pixbot["errors"] == 0 and pixbot["unanswered"] == 0,
        },
    }


def idle_goals(at_rest: dict[str, Any]) -> dict[str, bool | None]:
    """Issue 19's goals for a worker at rest: its memory after start and its start time."""
    return {
        "idle_at_most_120_mb": at_rest["pixbot_mb"] <= GOAL_IDLE_MB,
        "start_within_2_s": at_rest["start_s"] <= GOAL_START_S,
    }


COMPARED: Final = {  # what the runtimes are compared by: (run's key, table's heading)
    "cpu_ms_per_update": "CPU ms/update",
    "p50_ms": "p50 ms",
    "p99_ms": "p99 ms",
    "updates_per_s": "updates/s",
}


def compare_runtimes(
    runs: list[dict[str, Any]], idle: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """On each database where more than one runtime ran: each bot's measures side by side, by
    runtime (the runtimes in the order they ran), and pixbot's memory at rest."""
    compared: list[dict[str, Any]] = []
    for database in dict.fromkeys(run["database"] for run in runs):
        here = [run for run in runs if run["database"] == database]
        runtimes = list(dict.fromkeys(run["runtime"] for run in here))
        if len(runtimes) < 2:
            continue
        bots: dict[str, Any] = {}
        for run in here:
            measures = bots.setdefault(run["bot"], {key: {} for key in COMPARED})
            for key in COMPARED:
                measures[key][run["runtime"]] = run[key]
        entry: dict[str, Any] = {"database": database, "runtimes": runtimes, "bots": bots}
        at_rest = {i["runtime"]: i for i in idle if i["database"] == database}
        if at_rest:
            entry["idle_rss_mb"] = {r: at_rest[r]["pixbot_mb"] for r in runtimes if r in at_rest}
            entry["library_rss_mb"] = {
                r: at_rest[r]["library_mb"] for r in runtimes if r in at_rest
            }
        compared.append(entry)
    return compared


def format_idle(idle: list[dict[str, Any]]) -> list[str]:
    if not idle:
        return []
    lines = [
        "idle RSS (MB, each in a fresh process, collected and trimmed): Python alone, the "
        "runtime's library imported alone, pixbot built as `pixbot run` builds it (no network) "
        "on a migrated database (a restart, another worker), and its first start, which "
        "migrates a new one; start: seconds from `pixbot run` to its first poll (median of 3, "
        "and the slowest), on a migrated database",
        f"{'database':<11}{'runtime':<9}{'library':<14}{'python':>8}{'library':>9}{'pixbot':>8}"
        f"{'peak':>7}{'modules':>9}{'first start':>13}{'start s':>9}{'slowest':>9}",
    ]
    for at_rest in idle:
        lines.append(
            f"{at_rest['database']:<11}{at_rest['runtime']:<9}{at_rest['library']:<14}"
            f"{at_rest['python_mb']:>8.1f}{at_rest['library_mb']:>9.1f}"
            f"{at_rest['pixbot_mb']:>8.1f}{at_rest['pixbot_peak_mb']:>7.0f}"
            f"{at_rest['pixbot_modules']:>9}{at_rest['pixbot_first_mb']:>13.1f}"
            f"{at_rest['start_s']:>9.2f}{at_rest['start_worst_s']:>9.2f}"
        )
    for at_rest in idle:
        lines.append(
            f"{at_rest['database']} {at_rest['runtime']} at rest: " + _marks(idle_goals(at_rest))
        )
    return lines


def format_runtimes(compared: list[dict[str, Any]]) -> list[str]:
    lines: list[str] = []
    for entry in compared:
        runtimes = entry["runtimes"]
        pixbot = entry["bots"].get("pixbot", {})
        parts = [
            f"{heading} " + " / ".join(f"{pixbot[key][r]:g}" for r in runtimes)
            for key, heading in COMPARED.items()
            if key in pixbot and all(r in pixbot[key] for r in runtimes)
        ]
        idle = entry.get("idle_rss_mb", {})
        if all(r in idle for r in runtimes):
            parts.insert(0, "idle RSS MB " + " / ".join(f"{idle[r]:g}" for r in runtimes))
        echo = entry["bots"].get("echo", {}).get("updates_per_s", {})
        if all(r in echo for r in runtimes):
            parts.append("echo updates/s " + " / ".join(f"{echo[r]:g}" for r in runtimes))
        lines.append(f"{entry['database']}, pixbot {' / '.join(runtimes)}: " + "; ".join(parts))
    return lines


def _marks(goals: dict[str, bool | None]) -> str:
    return ", ".join(
        f"{name.replace('_', ' ')}: "
        + (UNMEASURED[name] if met is None else "met" if met else "NOT met")
        for name, met in goals.items()
    )


def format_flood_table(result: dict[str, Any]) -> str:
    think = f"think {result['think_s']:g} s" if result["think_s"] else "no think time"
    floods = result["floods"]
    every = result["throttle_every"]
    throttled = (
        f"every {every}th message or edit answered 429 (retry after {RETRY_AFTER} s)"
        if every
        else "no 429"
    )
    lines = [
        f"flood: {result['flooders']} flooder(s) × {result['flood_updates']} updates in "
        f"{result['flood_seconds']:g} s while {result['learners']} learners answer ({think}); "
        f"{result['updates']} learner updates measured (after {result['warmup']} warm-up); "
        f"{throttled}; load "
        + " ".join(f"{value:.2f}" for value in result["load_before"])
        + f" on {result['cpus']} CPUs",
        "learners (ms)",
        f"{'database':<11}{'runtime':<9}{'learners':>9}{'updates':>9}{'upd/s':>7}{'p50':>8}{'p99':>8}"
        f"{'flood p99':>11}{'no-429 p99':>12}{'handling p99':>14}{'turn p99':>10}"
        f"{'rate wait p99':>15}{'met 429':>9}",
    ]
    for flood in floods:
        lines.append(
            f"{flood['database']:<11}{flood['runtime']:<9}{flood['learners']:>9}"
            f"{flood['updates']:>9}"
            f"{flood['updates_per_s']:>7.1f}{flood['p50_ms']:>8.1f}{flood['p99_ms']:>8.1f}"
            f"{flood['during_flood_p99_ms']:>11.1f}{flood['without_429_p99_ms']:>12.1f}"
            f"{flood['handling_p99_ms']:>14.1f}{flood['wait_p99_ms']:>10.1f}"
            f"{flood['rate_wait_p99_ms']:>15.1f}{flood['met_429']:>9}"
        )
    lines += [
        "flooders and replies",
        f"{'database':<11}{'runtime':<9}{'sent':>6}{'handled':>9}{'dropped':>9}{'msgs':>6}"
        f"{'beyond rate':>13}{'tightest 4':>12}{'sends/s':>9}{'429s':>6}{'lost':>6}{'errors':>8}",
    ]
    for flood in floods:
        span = flood["flooder_tightest_span_s"]
        tightest = "-" if span is None else f"{span:.2f} s"
        lines.append(
            f"{flood['database']:<11}{flood['runtime']:<9}"
            f"{flood['flooders'] * flood['flood_updates_each']:>6}"
            f"{flood['flooder_handled']:>9}{flood['flooder_dropped']:>9}"
            f"{flood['flooder_messages']:>6}{flood['flooder_beyond_rate']:>13}{tightest:>12}"
            f"{flood['sends_per_s']:>9.1f}{flood['throttled_429']:>6}{flood['replies_lost']:>6}"
            f"{flood['errors']:>8}"
        )
    lines.append(
        "p50/p99: a learner's update from its arrival to its last reply (feed_update: handling "
        "plus every wait); flood p99: those that arrived while the flood was on; no-429 p99: "
        "less the time from each 429 to its retry; handling p99: less every wait (turn, limiter, "
        "429); turn p99, rate wait p99: the wait for a turn, the sleep in the limiter (global "
        "schedule, the chat's rate, a 429's pause); met 429: learner updates with a request "
        "answered 429; msgs: messages delivered to the flooders' chats, beyond rate: of them, "
        f"those after {CHAT_BURST} within less than {CHAT_WINDOW:g} s, tightest 4: the shortest "
        f"time {CHAT_BURST + 1} of them took; sends/s: messages and edits requested, 429s "
        "included; lost: messages and edits never delivered, in any chat"
    )
    for flood in floods:
        lines.append(
            f"{flood['database']} {flood['runtime']}: flood sent in "
            f"{flood['flood_sent_s']:.2f} s, over after {flood['flood_elapsed_s']:.2f} s "
            f"({flood['during_flood_updates']} learner updates meanwhile); learners dropped "
            f"{flood['learners_dropped']}, their messages beyond rate "
            f"{flood['learners_beyond_rate']}; " + _marks(flood["goals"])
        )
    return "\n".join(lines)


def format_table(result: dict[str, Any]) -> str:
    if result.get("floods"):
        return format_flood_table(result)
    think = f", think {result['think_s']:g} s" if result["think_s"] else ", no think time"
    lines = [
        f"updates: {result['learners']} learners, {result['updates']} updates measured "
        f"(after {result['warmup']} warm-up){think}; load "
        + " ".join(f"{value:.2f}" for value in result["load_before"])
        + f" on {result['cpus']} CPUs",
        f"{'database':<11}{'runtime':<9}{'bot':<21}{'learners':>9}{'updates':>9}{'updates/s':>11}"
        f"{'p50 ms':>9}{'p99 ms':>9}{'queued p99':>11}{'errors':>8}{'no reply':>9}"
        f"{'CPU ms/upd':>11}{'SQL/upd':>8}"
        f"{'RSS MB start→end':>18}",
    ]
    for run in result["runs"]:
        rss = f"{run['rss_start_mb']:.0f} → {run['rss_end_mb']:.0f}"
        lines.append(
            f"{run['database']:<11}{run['runtime']:<9}{run['bot']:<21}{run['learners']:>9}"
            f"{run['updates']:>9}"
            f"{run['updates_per_s']:>11.1f}{run['p50_ms']:>9.1f}{run['p99_ms']:>9.1f}"
            f"{run['wait_p99_ms']:>11.1f}{run['errors']:>8}{run['unanswered']:>9}"
            f"{run['cpu_ms_per_update']:>11.2f}{run['statements_per_update']:>8.1f}"
            f"{rss:>18}"
        )
    for comparison in result["comparisons"]:
        marks = _marks(comparison["goals"])
        lines.append(
            f"{comparison['database']} {comparison['runtime']}: pixbot/durable echo throughput "
            f"= {100 * comparison['share_of_durable_echo']:.1f} % (goal "
            f"{100 * comparison['share_goal']:.0f} %; pixbot/echo "
            f"{100 * comparison['throughput_share']:.1f} %, durable echo/echo "
            f"{100 * comparison['durable_echo_share']:.1f} %); {marks}"
        )
        lines.append(
            f"  its adaptive engine's choices alone cost {comparison['engine_ms']:.2f} ms of CPU "
            f"per update: the durable echo doing them too would reach at most "
            f"{100 * comparison['engine_ceiling']:.1f} % of the durable echo"
        )
        if comparison.get("storage_ceiling") is not None:
            lines.append(
                "  and storing the answer after its choice (echo+db+write: one row more in the "
                "claim's transaction), at most "
                f"{100 * comparison['storage_ceiling']:.1f} %"
            )
        if comparison.get("shown_ceiling") is not None:
            lines.append(
                "  and recording where the next challenge was shown, once it is sent, as often "
                "as pixbot did (echo+db+write+shown: an UPDATE committed as it runs), at most "
                f"{100 * comparison['shown_ceiling']:.1f} %: the most any implementation "
                "with this engine and this database layer can reach"
            )
    if not result["think_s"]:
        lines.append(
            "no think time: each learner always has one update in flight, so updates queue "
            "(for their turn, or in the event loop for bots without a limit) about learners ÷ "
            "updates/s (Little's law); p50/p99 are the handling, queued p99 the waits for a "
            "turn and for Telegram's rates; Telegram's rates and the flood guard are lifted "
            "(each learner is a stream, not a person: they would measure Telegram); --think S "
            "measures them at a pace, with every limit as shipped"
        )
    lines += format_idle(result.get("idle", []))
    lines += format_runtimes(result.get("runtime_comparisons", []))
    if result.get("apart"):
        lines.append(
            "each runtime ran in a process of its own (CPU ms/update: that process's CPU time ÷ "
            "updates; RSS start→end: its resident memory during the run, the bench's learners "
            "and local Bot API included); each bot is compared with the echo of its own library"
        )
    return "\n".join(lines)
