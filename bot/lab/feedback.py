"""`pixbot content reports` and `pixbot content rejected`: what learners tell the authors.

Reports ("⚠️ Report a problem") are listed per challenge with their reasons counted and a few
of their texts; rejected typed answers per challenge with how often each was typed and its edit
distance to the nearest accepted variant (after the item's tolerances), so that authors extend
accept lists from what real learners type."""

from __future__ import annotations

import asyncio
import json
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Final, TypeVar

from rapidfuzz.distance import Levenshtein
from sqlalchemy.ext.asyncio import AsyncSession

from bot.bootstrap import open_database
from bot.core.assessment.ports import RejectedAnswer, Report, ReportReason
from bot.core.checking import treat
from bot.settings import Settings
from content.bank import ContentBank
from content.loader import Locations, load_bank, locate
from content.models import ChallengeType
from storage.database import session_factory
from storage.feedback import load_rejected, load_reports

EXAMPLES: Final = 3  # report texts shown per challenge, the latest first
T = TypeVar("T")


def _where(bank: ContentBank, locations: Locations, challenge_id: str) -> str | None:
    challenge = bank.challenges.get(challenge_id)
    if challenge is None:
        return None  # removed from the bank since
    path, line = locations.challenge(challenge_id, bank.tube_competence[challenge.tube])
    return f"{path}:{line}"


def reports_report(
    bank: ContentBank, locations: Locations, reports: Sequence[Report]
) -> dict[str, Any]:
    by_challenge: defaultdict[str, list[Report]] = defaultdict(list)
    for report in reports:
        by_challenge[report.challenge_id].append(report)
    challenges: list[dict[str, Any]] = []
    for challenge_id, made in by_challenge.items():
        reasons = Counter(report.reason for report in made)
        latest = sorted(made, key=lambda report: report.updated_at, reverse=True)
        challenges.append(
            {
                "id": challenge_id,
                "location": _where(bank, locations, challenge_id),
                "reports": len(made),
                "reasons": {reason.value: reasons[reason] for reason in ReportReason},
                "languages": dict(sorted(Counter(report.language for report in made).items())),
                "examples": [report.text for report in latest if report.text][:EXAMPLES],
                "last_reported": latest[0].updated_at.isoformat(),
            }
        )
    challenges.sort(key=lambda entry: (-entry["reports"], entry["id"]))
    return {"reports": len(reports), "challenges": challenges}


def format_reports(data: dict[str, Any]) -> str:
    if not data["challenges"]:
        return "no report yet"
    lines = [f"{data['reports']} report(s) on {len(data['challenges'])} challenge(s)"]
    for entry in data["challenges"]:
        reasons = ", ".join(f"{name} {count}" for name, count in entry["reasons"].items() if count)
        where = entry["location"] or "no longer in the bank"
        lines.append(f"{entry['id']} ({where}): {entry['reports']} — {reasons}")
        lines.extend(f"    “{text}”" for text in entry["examples"])
    return "\n".join(lines)


def _accepted(bank: ContentBank, rejected: RejectedAnswer) -> tuple[list[str], str | None]:
    """The accepted variants the answer was checked against, and the field's label."""
    challenge = bank.challenges.get(rejected.challenge_id)
    if challenge is None or rejected.language not in challenge.languages:
        return [], None
    text = challenge.text(rejected.language)
    if challenge.type is ChallengeType.TEXT and rejected.field == 0:
        return list(text.accept), None
    if challenge.type is ChallengeType.FIELDS and 1 <= rejected.field <= len(text.fields):
        field = text.fields[rejected.field - 1]
        return list(field.accept), field.label
    return [], None


def rejected_report(
    bank: ContentBank, locations: Locations, rejected: Sequence[RejectedAnswer], min_count: int
) -> dict[str, Any]:
    by_challenge: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
    for entry in rejected:
        accepted, label = _accepted(bank, entry)
        challenge = bank.challenges.get(entry.challenge_id)
        distance, nearest = None, None
        if challenge is not None and accepted:
            treated = treat(entry.answer, challenge.tolerances)
            distance, nearest = min(
                (Levenshtein.distance(treated, treat(variant, challenge.tolerances)), variant)
                for variant in accepted
            )
        by_challenge[entry.challenge_id].append(
            {
                "language": entry.language,
                "field": entry.field,
                "label": label,
                "answer": entry.answer,
                "count": entry.count,
                "last_seen": entry.last_seen.isoformat(),
                "distance": distance,
                "nearest": nearest,
            }
        )
    challenges = [
        {
            "id": challenge_id,
            "location": _where(bank, locations, challenge_id),
            "rejected": sum(answer["count"] for answer in answers),
            "answers": sorted(answers, key=lambda a: (-a["count"], a["distance"] or 0)),
        }
        for challenge_id, answers in by_challenge.items()
    ]
    challenges.sort(key=lambda entry: (-entry["rejected"], entry["id"]))
    return {"min_count": min_count, "challenges": challenges}


def format_rejected(data: dict[str, Any]) -> str:
    if not data["challenges"]:
        return f"no rejected answer typed at least {data['min_count']} time(s)"
    lines = []
    for entry in data["challenges"]:
        where = entry["location"] or "no longer in the bank"
        lines.append(f"{entry['id']} ({where}): {entry['rejected']} rejected")
        for answer in entry["answers"]:
            field = f" {answer['label']}:" if answer["label"] else ""
            near = (
                f"distance {answer['distance']} to “{answer['nearest']}”"
                if answer["nearest"] is not None
                else "no accepted variant"
            )
            lines.append(
                f"  {answer['count']:>4} × [{answer['language']}]{field} “{answer['answer']}” "
                f"({near}, last {answer['last_seen']})"
            )
    return "\n".join(lines)


async def _read(load: Callable[[AsyncSession], Awaitable[list[T]]]) -> list[T]:
    engine = await open_database(Settings().database_url)
    try:
        async with session_factory(engine)() as session:
            return await load(session)
    finally:
        await engine.dispose()


def run_reports(as_json: bool) -> int:
    settings = Settings()
    bank = load_bank(settings.content_path)
    reports = asyncio.run(_read(load_reports))
    data = reports_report(bank, locate(settings.content_path), reports)
    print(json.dumps(data, indent=2, ensure_ascii=False) if as_json else format_reports(data))
    return 0


def run_rejected(min_count: int, as_json: bool) -> int:
    settings = Settings()
    bank = load_bank(settings.content_path)
    rejected = asyncio.run(_read(lambda session: load_rejected(session, min_count)))
    data = rejected_report(bank, locate(settings.content_path), rejected, min_count)
    print(json.dumps(data, indent=2, ensure_ascii=False) if as_json else format_rejected(data))
    return 0
