"""`pixbot calibrate`: fit each challenge's difficulty (and discrimination where the data
allow) from the stored answers, store them for the engine, and list suspicious items."""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from typing import Any

from bot.bootstrap import open_database, utc_now
from bot.core.calibration import ItemFit, ItemInfo, Response, fit
from bot.core.engines.irt import DIFFICULTY_OFFSET, guessing
from bot.logs import configure_logging
from bot.settings import Settings
from content.bank import ContentBank
from content.loader import load_bank
from storage.calibration import load_responses, save_fits
from storage.database import session_factory


def calibrate_bank(
    bank: ContentBank, responses: list[Response], min_answers: int
) -> dict[str, list[ItemFit]]:
    """Fits per competence: each competence is its own ability, with its own population."""
    counts: defaultdict[str, int] = defaultdict(int)
    for response in responses:
        counts[response.item] += 1
    by_competence: defaultdict[str, list[Response]] = defaultdict(list)
    for response in responses:
        challenge = bank.challenges.get(response.item)
        if challenge is not None and counts[response.item] >= min_answers:
            by_competence[bank.tube_competence[challenge.tube]].append(response)
    results = {}
    for competence, answered in sorted(by_competence.items()):
        items = {
            r.item: ItemInfo(
                bank.challenges[r.item].level - DIFFICULTY_OFFSET,
                guessing(bank.challenges[r.item]),
            )
            for r in answered
        }
        results[competence] = fit(answered, items)
    return results


def report(results: dict[str, list[ItemFit]], answers: int) -> dict[str, Any]:
    return {
        "answers": answers,
        "competences": {
            code: {
                "items": len(fits),
                "suspicious": [
                    {
                        "id": f.item,
                        "flags": list(f.flags),
                        "difficulty": round(f.difficulty, 2),
                        "discrimination": round(f.discrimination, 2),
                        "answers": f.responses,
                        "right_share": round(f.right_share, 2),
                    }
                    for f in fits
                    if f.flags
                ],
            }
            for code, fits in results.items()
        },
    }


def format_report(data: dict[str, Any]) -> str:
    lines = [f"answers read: {data['answers']}", "competence  items  suspicious"]
    for code, entry in data["competences"].items():
        lines.append(f"{code:<10}  {entry['items']:>5}  {len(entry['suspicious']):>10}")
    for entry in data["competences"].values():
        for item in entry["suspicious"]:
            lines.append(
                f"  {item['id']}: {', '.join(item['flags'])} (b={item['difficulty']}, "
                f"a={item['discrimination']}, {item['answers']} answers, "
                f"{item['right_share']:.0%} right)"
            )
    if not data["competences"]:
        lines.append("no challenge has enough answers yet")
    return "\n".join(lines)


def run_calibrate(min_answers: int, dry_run: bool, as_json: bool) -> int:
    settings = Settings()
    configure_logging("WARNING")

    async def _main() -> dict[str, Any]:
        engine = await open_database(settings.database_url)
        try:
            bank = load_bank(settings.content_path)
            async with session_factory(engine)() as session:
                responses = await load_responses(session)
                results = calibrate_bank(bank, responses, min_answers)
                if not dry_run:
                    fitted = [f for fits in results.values() for f in fits]
                    await save_fits(session, fitted, utc_now())
                    await session.commit()
            return report(results, len(responses))
        finally:
            await engine.dispose()

    data = asyncio.run(_main())
    print(json.dumps(data, indent=2) if as_json else format_report(data))
    return 0
