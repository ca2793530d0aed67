"""Reports on the bank: coverage statistics and the JSON export used by authors and testers."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any
from urllib.parse import urlsplit

from content.bank import ContentBank
from content.models import CONTENT_LANGUAGES, Challenge, ChallengeType, Status


def stats(bank: ContentBank) -> dict[str, Any]:
    """Coverage: competence x level x language, types, skills without tutorials, tips."""
    validated = [c for c in bank.challenges.values() if c.status is Status.VALIDATED]
    matrix: dict[str, dict[str, dict[str, int]]] = {}
    for code in bank.competences:
        matrix[code] = {
            lang: {str(level): 0 for level in range(1, 9)} for lang in CONTENT_LANGUAGES
        }
    for challenge in validated:
        code = bank.tube_competence[challenge.tube]
        for lang in challenge.languages:
            matrix[code][lang][str(challenge.level)] += 1
    tubes = Counter(bank.tube_competence.values())
    missing_tutorials = {
        lang: sorted(
            skill.name
            for skill in bank.skills.values()
            if not any(t.language == lang for t in _tutorials_of(bank, skill.name))
        )
        for lang in CONTENT_LANGUAGES
    }
    tips: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(CONTENT_LANGUAGES, 0))
    for tip in bank.tips:
        for lang in CONTENT_LANGUAGES:
            if getattr(tip, lang) is not None:
                tips[str(tip.topic)][lang] += 1
    return {
        "challenges": {
            "validated": len(validated),
            "by_language": {
                lang: sum(1 for c in validated if lang in c.languages)
                for lang in CONTENT_LANGUAGES
            },
            "by_type": dict(Counter(str(c.type) for c in validated)),
            "by_status": dict(Counter(str(c.status) for c in bank.challenges.values())),
            "open_answer_share": round(
                sum(1 for c in validated if c.type in (ChallengeType.TEXT, ChallengeType.FIELDS))
                / max(1, len(validated)),
                3,
            ),
            "poll_eligible": sum(1 for c in validated if c.poll_eligible),
        },
        "matrix": matrix,
        "tubes": {code: tubes.get(code, 0) for code in bank.competences},
        "skills": len(bank.skills),
        "skills_without_challenges": sorted(
            skill.name for skill in bank.skills.values() if not bank.challenges_of(skill.name)
        ),
        "skills_without_tutorials": missing_tutorials,
        "tutorials": dict(Counter(t.language for t in bank.tutorials.values())),
        "tips": {topic: counts for topic, counts in sorted(tips.items())},
        "depth": depth(bank, validated),
    }


def depth(bank: ContentBank, validated: list[Challenge]) -> dict[str, Any]:
    """Per competence: its skills, validated challenges per skill (min, mean), tutorials per
    skill in each language (min), its AI tubes; per language: the tutorials' domains and
    Wikipedia's share of them (issue 18: at least 4 challenges and 2 tutorials per skill,
    Wikipedia at most a quarter)."""
    per_skill = Counter(c.skill for c in validated)
    tutorials_of: dict[str, Counter[str]] = defaultdict(Counter)
    for tutorial in bank.tutorials.values():
        for skill in tutorial.skills:
            tutorials_of[skill][tutorial.language] += 1
    competences: dict[str, Any] = {}
    for code in bank.competences:
        tubes = [t for t, c in bank.tube_competence.items() if c == code]
        skills = [s.name for s in bank.skills.values() if s.tube in tubes]
        counts = [per_skill[name] for name in skills] or [0]
        competences[code] = {
            "skills": len(skills),
            "challenges_per_skill_min": min(counts),
            "challenges_per_skill_mean": round(sum(counts) / len(counts), 2),
            "tutorials_per_skill_min": {
                lang: min((tutorials_of[name][lang] for name in skills), default=0)
                for lang in CONTENT_LANGUAGES
            },
            "ai_tubes": sum(1 for t in tubes if bank.tubes[t].ai),
            "at_work": sum(1 for c in validated if c.at_work and c.tube in tubes),
        }
    levels: dict[str, Any] = {}
    for level in sorted({skill.level for skill in bank.skills.values()}):
        skills = [s.name for s in bank.skills.values() if s.level == level]
        counts = [per_skill[name] for name in skills]
        levels[str(level)] = {
            "skills": len(skills),
            "challenges_per_skill_min": min(counts),
            "challenges_per_skill_mean": round(sum(counts) / len(counts), 2),
            "tutorials_per_skill_min": {
                lang: min(tutorials_of[name][lang] for name in skills)
                for lang in CONTENT_LANGUAGES
            },
            "at_work": sum(
                1 for c in validated if c.at_work and bank.skills[c.skill].level == level
            ),
        }
    domains: dict[str, Counter[str]] = {lang: Counter() for lang in CONTENT_LANGUAGES}
    for tutorial in bank.tutorials.values():
        host = (urlsplit(str(tutorial.url)).hostname or "").removeprefix("www.")
        domains[tutorial.language][host] += 1
    return {
        "competences": competences,
        "levels": levels,
        "ai_tubes": sum(1 for tube in bank.tubes.values() if tube.ai),
        "at_work": sum(1 for challenge in validated if challenge.at_work),
        "wikipedia_share": {
            lang: round(
                sum(n for host, n in found.items() if host.endswith("wikipedia.org"))
                / max(1, sum(found.values())),
                3,
            )
            for lang, found in domains.items()
        },
        "domains": {lang: dict(found.most_common(8)) for lang, found in domains.items()},
    }


def _tutorials_of(bank: ContentBank, skill: str) -> list[Any]:
    return [t for t in bank.tutorials.values() if skill in t.skills]


def format_stats(data: dict[str, Any]) -> str:
    lines = [
        f"validated challenges: {data['challenges']['validated']}  "
        f"by language: {data['challenges']['by_language']}",
        f"by type: {data['challenges']['by_type']}  "
        f"open-answer share: {data['challenges']['open_answer_share']:.0%}  "
        f"poll-eligible: {data['challenges']['poll_eligible']}",
        "",
        "competence  tubes  "
        + "  ".join(f"{lang}:L1 L2 L3 L4 L5 L6 L7 L8" for lang in CONTENT_LANGUAGES),
    ]
    for code, by_lang in data["matrix"].items():
        cells = "  ".join(
            "   " + " ".join(f"{by_lang[lang][str(level)]:>2}" for level in range(1, 9))
            for lang in CONTENT_LANGUAGES
        )
        lines.append(f"{code:<10}  {data['tubes'][code]:>5}  {cells}")
    lines.append("")
    for lang, skills in data["skills_without_tutorials"].items():
        lines.append(
            f"skills without a tutorial in {lang}: {len(skills)}"
            + (f" ({', '.join(skills[:8])}{' …' if len(skills) > 8 else ''})" if skills else "")
        )
    if data["skills_without_challenges"]:
        lines.append(f"skills without challenges: {', '.join(data['skills_without_challenges'])}")
    lines.append(f"tutorials by language: {data['tutorials']}")
    lines.append(
        "tips by topic: "
        + ", ".join(
            f"{topic} {counts['en']}/{counts['fr']}" for topic, counts in data["tips"].items()
        )
        + " (en/fr)"
    )
    return "\n".join([*lines, "", *format_depth(data["depth"])])


def format_depth(data: dict[str, Any]) -> list[str]:
    lines = [
        "depth: validated challenges per skill, tutorials per skill (the fewest), AI tubes, "
        "challenges set at work",
        f"{'competence':<12}{'skills':>7}{'min':>6}{'mean':>7}"
        f"{'tut. en':>9}{'tut. fr':>9}{'AI':>5}{'work':>6}",
    ]
    rows = [(code, row) for code, row in data["competences"].items()]
    rows += [("L" + level, row) for level, row in data["levels"].items()]
    for label, row in rows:
        tutorials = row["tutorials_per_skill_min"]
        ai = row.get("ai_tubes", "")  # per competence only
        lines.append(
            f"{label:<12}{row['skills']:>7}{row['challenges_per_skill_min']:>6}"
            f"{row['challenges_per_skill_mean']:>7.2f}{tutorials['en']:>9}{tutorials['fr']:>9}"
            f"{ai:>5}{row['at_work']:>6}"
        )
    lines.append(f"AI tubes: {data['ai_tubes']}; challenges set at work: {data['at_work']}")
    for lang, share in data["wikipedia_share"].items():
        top = ", ".join(f"{host} {n}" for host, n in data["domains"][lang].items())
        lines.append(f"tutorials in {lang}: Wikipedia {share:.0%}; most cited: {top}")
    return lines


def export(bank: ContentBank) -> dict[str, Any]:
    """The whole bank as one JSON-ready document (see README: content export)."""
    return {
        "framework": [
            {
                "area": area.code,
                "name": area.name.model_dump(),
                "competences": [
                    {
                        "code": c.code,
                        "name": c.name.model_dump(),
                        "tubes": [
                            {
                                "name": name,
                                "title": tube.title.model_dump(),
                                "skills": sorted(f"@{name}{level}" for level in tube.skills),
                            }
                            for name, tube in bank.tubes.items()
                            if bank.tube_competence[name] == c.code
                        ],
                    }
                    for c in area.competences
                ],
            }
            for area in bank.framework.areas
        ],
        "challenges": [
            _export_challenge(bank, challenge, lang)
            for challenge in bank.challenges.values()
            for lang in challenge.languages
        ],
        "tutorials": [t.model_dump(mode="json") for t in bank.tutorials.values()],
        "tips": [tip.model_dump(mode="json") for tip in bank.tips],
    }


def _export_challenge(bank: ContentBank, challenge: Challenge, lang: str) -> dict[str, Any]:
    text = challenge.text(lang)
    right = sorted(challenge.right_indexes)
    accepted: list[Any]
    if challenge.type in (ChallengeType.SINGLE, ChallengeType.MULTIPLE):
        accepted = [text.options[index] for index in right]
    elif challenge.type is ChallengeType.TEXT:
        accepted = list(text.accept)
    else:
        accepted = [list(field.accept) for field in text.fields]
    return {
        "id": challenge.id,
        "competence": bank.tube_competence[challenge.tube],
        "tube": challenge.tube,
        "skill": challenge.skill,
        "level": challenge.level,
        "type": str(challenge.type),
        "status": str(challenge.status),
        "language": lang,
        "prompt": text.prompt,
        "options": list(text.options),
        "fields": [field.label for field in text.fields],
        "answer_indexes": right,
        "accepted_answers": accepted,
        "tolerances": [str(t) for t in challenge.tolerances],
        "format": str(challenge.format),
        "explanation": text.explanation,
        "poll_eligible": challenge.poll_eligible,
        "at_work": challenge.at_work,
        "tutorial_urls": [str(t.url) for t in bank.tutorials_for(challenge.skill, lang)],
    }
