"""What a learner reads while taking a test or a review: the areas and competences to
choose from, a result's retry rules, the challenge, the correction with its tutorials, the
result of a test and the end of a review."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from html import escape
from typing import Final

from bot.core.assessment.callbacks import (
    Again,
    Area,
    Competence,
    Improve,
    Option,
    Report,
    ReportCancel,
    ReportClose,
    ReportWhy,
    Reset,
    SaveAll,
    Skip,
    Submit,
    Test,
)
from bot.core.assessment.ports import REPORT_TEXT_LIMIT, Cancelled, ReportReason
from bot.core.assessments import Corrected, Finished, ReviewFinished, Served
from bot.core.chat import Button, Keyboard, Message, in_rows
from bot.core.checking import field_results, only_the_number
from bot.core.habits.callbacks import SaveTutorial
from bot.core.home.callbacks import Menu
from bot.core.i18n import Catalogs
from bot.core.ports import REVIEW, Attempt, CompetenceResult
from bot.core.profile.callbacks import Profile
from bot.core.retesting import Retest
from bot.core.scoring import DEFAULT_MAX_LEVEL, PIX_PER_LEVEL
from bot.core.screens import CommonScreens
from bot.core.sharing.callbacks import ShareResult
from bot.core.text import ANSWER_LIMIT, N_, TEXT_LIMIT, bar, cut, echo, long_date, rich
from content.bank import ContentBank
from content.models import Challenge, ChallengeType, Tutorial

LETTERS: Final = "ABCDEFGHIJ"
ROW: Final = 3  # buttons in a row at most: wider rows cut their labels on a phone
SHORT_OPTION: Final = 28  # longer options are listed in the text and buttons show letters
MAX_TUTORIALS: Final = 3
MAX_RECOMMENDED: Final = 5
PROMPT_EXCERPT: Final = 90  # the question a report is about, as the reasons recall it
REASON_LABELS: Final = {
    ReportReason.KEY: N_("The expected answer is wrong"),
    ReportReason.UNCLEAR: N_("The question is unclear"),
    ReportReason.TYPO: N_("A typo or a mistake in the text"),
    ReportReason.OTHER: N_("Something else…"),
}


class AssessmentScreens:
    """Also what the review and the campaigns show a test's steps with (``StepScreens``)."""

    def __init__(
        self,
        bank: ContentBank,
        catalogs: Catalogs,
        common: CommonScreens,
        max_level: int = DEFAULT_MAX_LEVEL,
    ) -> None:
        self.bank = bank
        self.catalogs = catalogs
        self.common = common
        self.max_level = max_level  # the open maximum a level is "of"

    # --- choosing what to test -----------------------------------------------------------

    def areas(self, language: str) -> Message:
        _ = self.catalogs.get(language).gettext
        rows = [
            (
                Button(
                    f"{area.code} · {self.bank.area_short(area.code, language)}",
                    Area(area.code).pack(),
                ),
            )
            for area in self.bank.framework.areas
        ]
        rows.append((Button(_("⬅️ Back"), Menu().pack()),))
        lines = [
            f"<b>{area.code}</b> · {escape(area.name.get(language))}"
            for area in self.bank.framework.areas
        ]
        return Message(_("Choose an area:") + "\n" + "\n".join(lines), tuple(rows))

    def competences(
        self, language: str, area_code: str, results: Mapping[str, CompetenceResult]
    ) -> Message:
        _ = self.catalogs.get(language).gettext
        area = self.bank.areas[area_code]
        rows = []
        lines = []
        for competence in area.competences:
            code = competence.code
            short = self.bank.competence_short(code, language)
            lines.append(f"<b>{code}</b> {escape(competence.name.get(language))}")
            if code in results:  # the level first: a phone cuts the end of a long label
                level = _("Level {level}").format(level=results[code].level)
                label = f"{code} · {level} · {short}"
            else:
                label = f"{code} · {short}"
            rows.append((Button(label, Competence(code).pack()),))
        rows.append((Button(_("⬅️ Back"), Test().pack()),))
        title = f"<b>{area.code} · {escape(area.name.get(language))}</b>"
        return Message(
            title + "\n" + "\n".join(lines) + "\n\n" + _("Choose a competence:"), tuple(rows)
        )

    def retest(self, language: str, rules: Retest, now: datetime, area: str) -> Message:
        """A competence already tested: its result, and what Pix's retry rules allow now."""
        _ = self.catalogs.get(language).gettext
        result = rules.result
        name = escape(self.bank.competence_name(result.competence, language))
        lines = [
            f"<b>{result.competence} {name}</b>",
            _("Your result: level {level} · {pix} pix ({date}).").format(
                level=result.level, pix=result.pix, date=long_date(language, result.finished_at)
            ),
        ]
        rows: list[tuple[Button, ...]] = []
        if rules.can_improve(now):
            lines.append(
                _("Improve it: the skills you validated are kept, the others are asked again.")
            )
            rows.append((Button(_("📈 Improve my result"), Improve(result.competence).pack()),))
        else:
            wait = _("You can improve it from {date}; your validated skills will be kept.")
            lines.append(wait.format(date=long_date(language, rules.improve_from)))
        if rules.can_reset(now):
            lines.append(_("Or start this competence again from zero."))
            rows.append((Button(_("🔄 Start from zero"), Reset(result.competence).pack()),))
        rows.append((Button(_("⬅️ Back"), Area(area).pack()),))
        return Message("\n".join(lines), tuple(rows))

    # --- challenges ----------------------------------------------------------------------

    def test_intro(self, language: str, competence: str, in_english: bool = False) -> str:
        """The test's heading and how it works; ``in_english``: also that the challenges are
        in English (said once, at a first test, where the interface's language has none)."""
        _ = self.catalogs.get(language).gettext
        name = escape(self.bank.competence_name(competence, language))
        intro = "🎯 <b>{}</b>\n{}".format(
            _("Test: {competence}").format(competence=f"{competence} {name}"),
            _(
                "A few short challenges that adapt to your answers. The bar fills as I become "
                "sure of your level: the test ends when it is full. If you don't know, tap "
                "Skip: it counts as a miss, and you will get tutorials."
            ),
        )
        if in_english:
            intro += "\n\nℹ️ " + _(
                "The challenges themselves are in English for now; everything else speaks "
                "your language."
            )
        return intro

    def challenge(self, language: str, served: Served) -> Message:
        return Message(
            self.challenge_text(language, served),
            self.challenge_buttons(language, served.challenge, served.attempt),
            track=served.attempt.token,
            expects_text=served.challenge.type in (ChallengeType.TEXT, ChallengeType.FIELDS),
        )

    def challenge_text(self, language: str, served: Served, answered: bool = False) -> str:
        """The challenge as served; ``answered``: without the instructions to answer it."""
        _ = self.catalogs.get(language).gettext
        challenge, attempt = served.challenge, served.attempt
        text = challenge.text(attempt.language)
        parts = [self._header(language, served), "", rich(text.prompt)]
        options = self._shown_options(challenge, attempt)
        if options and not self._short_options(options):
            parts.append("")
            parts.extend(f"{LETTERS[i]}) {rich(option)}" for i, option in enumerate(options))
        if challenge.type is ChallengeType.FIELDS:
            if not answered:
                parts += ["", "✍️ <i>" + _("Send one line per item, in this order:") + "</i>"]
            parts += [f"{i}. {escape(field.label)}" for i, field in enumerate(text.fields, 1)]
        if answered:
            return "\n".join(parts)
        if challenge.type is ChallengeType.MULTIPLE:
            parts += ["", "<i>" + _("Select all that apply, then tap Submit.") + "</i>"]
        elif challenge.type is ChallengeType.TEXT:
            parts += ["", "✍️ <i>" + _("Type your answer.") + "</i>"]
        return "\n".join(parts)

    def _header(self, language: str, served: Served) -> str:
        """The competence (a review says which one this is: it mixes them) and the progress."""
        _ = self.catalogs.get(language).gettext
        code = served.assessment.competence
        if code == REVIEW:
            code = self.bank.tube_competence[served.challenge.tube]
            name = escape(self.bank.competence_name(code, language))
            review = _("Review")
            header = f"🔁 <b>{review}</b> · {code} {name}"
        else:
            header = f"<b>{code} {escape(self.bank.competence_name(code, language))}</b>"
        return header + "\n" + self.progress(language, served)

    def progress(self, language: str, served: Served) -> str:
        """Where the learner is: a review's rank of its fixed length; a test's rank and how
        sure the engine already is of the level (a test's length is not known in advance)."""
        _ = self.catalogs.get(language).gettext
        if served.total is not None:
            label = _("Challenge {index} of {total}").format(
                index=served.index, total=served.total
            )
            return f"{label} · {bar((served.index - 1) / served.total)}"
        label = _("Challenge {index}").format(index=served.index)
        return f"{label} · {bar(served.sureness)}"

    def challenge_buttons(self, language: str, challenge: Challenge, attempt: Attempt) -> Keyboard:
        _ = self.catalogs.get(language).gettext
        options = self._shown_options(challenge, attempt)
        short = self._short_options(options)
        rows: list[tuple[Button, ...]] = []
        choice_buttons = []
        for position, option in enumerate(options):
            label = option if short else LETTERS[position]
            if challenge.type is ChallengeType.MULTIPLE:
                chosen = attempt.option_order[position] in attempt.selection
                label = ("☑️ " if chosen else "⬜ ") + label
            choice_buttons.append(Button(label, Option(attempt.token, position).pack()))
        if short:
            rows.extend((button,) for button in choice_buttons)
        else:
            rows.extend(in_rows(choice_buttons, ROW))
        last: list[Button] = []
        if challenge.type is ChallengeType.MULTIPLE:
            last.append(Button(_("✅ Submit"), Submit(attempt.token).pack()))
        last.append(Button(_("⏭ Skip"), Skip(attempt.token).pack()))
        rows.append(tuple(last))
        return tuple(rows)

    def _shown_options(self, challenge: Challenge, attempt: Attempt) -> list[str]:
        options = challenge.text(attempt.language).options
        return [options[index] for index in attempt.option_order]

    @staticmethod
    def _short_options(options: Sequence[str]) -> bool:
        return all(len(option) <= SHORT_OPTION for option in options)

    def answered(self, language: str, served: Served, corrected: Corrected) -> Message:
        """The challenge message once answered: the challenge, the learner's answer and its
        correction (tutorials and buttons included), all in one message. Within Telegram's
        limit: a long challenge keeps its header and the start of its prompt."""
        shown = self.shown_answer(language, corrected.attempt, corrected.challenge)
        correction = self.correction(language, corrected)
        after = f"\n\n<i>{shown}</i>\n\n{correction.text}"
        text = self.challenge_text(language, served, answered=True) + after
        if len(text) > TEXT_LIMIT:
            prompt = " ".join(served.challenge.text(served.attempt.language).prompt.split())
            room = max(TEXT_LIMIT - len(after) - 400, 80)
            excerpt = escape(prompt[:room].rstrip() + "…")
            text = f"{self._header(language, served)}\n\n<i>{excerpt}</i>{after}"
        if len(text) > TEXT_LIMIT:  # a correction alone that long: the correction alone
            text = after.strip()
        return Message(text, correction.buttons)

    def shown_answer(self, language: str, attempt: Attempt, challenge: Challenge) -> str:
        _ = self.catalogs.get(language).gettext
        if attempt.skipped:
            return _("You skipped this one.")
        if challenge.type in (ChallengeType.SINGLE, ChallengeType.MULTIPLE):
            options = challenge.text(attempt.language).options
            chosen = [i for i in _chosen(attempt) if i in attempt.option_order]
            shown = [
                f"{LETTERS[attempt.option_order.index(i)]}) {rich(options[i])}"
                for i in sorted(chosen, key=attempt.option_order.index)
            ]
            return _("Your answer: {answer}").format(answer="; ".join(shown) or "—")
        return _("Your answer: {answer}").format(answer=echo(attempt.value or ""))

    def select_first(self, language: str) -> str:
        return self.catalogs.get(language).gettext("Select at least one option first.")

    def use_buttons(self, language: str) -> Message:
        return Message(
            self.catalogs.get(language).gettext(
                "Tap one of the buttons under the question to answer, or Skip."
            )
        )

    def next_field(self, language: str, challenge: Challenge, attempt: Attempt) -> Message:
        _ = self.catalogs.get(language).gettext
        fields = challenge.text(attempt.language).fields
        index = len(attempt.fields)
        return Message(
            _("Got it. Now item {index} of {count}: {label}").format(
                index=index + 1, count=len(fields), label=escape(fields[index].label)
            )
        )

    def text_only(self, language: str) -> Message:
        return Message(
            self.catalogs.get(language).gettext(
                "I can only read text answers. Type your answer, or tap Skip."
            )
        )

    def answer_too_long(self, language: str) -> Message:
        return Message(
            self.catalogs.get(language)
            .ngettext(
                "That answer is too long: type at most {count} character, or tap Skip.",
                "That answer is too long: type at most {count} characters, or tap Skip.",
                ANSWER_LIMIT,
            )
            .format(count=ANSWER_LIMIT),
            expects_text=True,
        )

    # --- corrections ---------------------------------------------------------------------

    def correction(self, language: str, corrected: Corrected) -> Message:
        _ = self.catalogs.get(language).gettext
        buttons: Keyboard = ()
        attempt, challenge = corrected.attempt, corrected.challenge
        if corrected.correct:
            verdict = "✅ " + _("Right!")
        elif corrected.skipped:
            verdict = "⏭ " + _("Skipped: here is the answer.")
        else:
            verdict = "❌ " + _("Not quite.")
        parts = [f"<b>{verdict}</b>", self.solution(language, challenge, attempt)]
        explanation = challenge.text(attempt.language).explanation
        if explanation:
            parts.append(f"<i>{rich(explanation)}</i>")
        if not corrected.correct:
            tutorials = self.bank.tutorials_for(challenge.skill, language)[:MAX_TUTORIALS]
            if tutorials:
                parts.append(
                    "📚 <b>"
                    + _("To succeed next time:")
                    + "</b>\n"
                    + self.common.tutorial_list(language, tutorials, numbered=len(tutorials) > 1)
                )
                buttons = (self.save_buttons(language, tutorials),)
        report = (Button(_("⚠️ Report a problem"), Report(attempt.token).pack()),)
        return Message("\n\n".join(parts), (*buttons, report))

    def save_buttons(self, language: str, tutorials: Sequence[Tutorial]) -> tuple[Button, ...]:
        _ = self.catalogs.get(language).gettext
        if len(tutorials) == 1:
            return (
                Button(_("💾 Save"), SaveTutorial(self.bank.tutorial_ref(tutorials[0].id)).pack()),
            )
        return tuple(
            Button(
                _("💾 Save {number}").format(number=number),
                SaveTutorial(self.bank.tutorial_ref(t.id)).pack(),
            )
            for number, t in enumerate(tutorials, 1)
        )

    def solution(self, language: str, challenge: Challenge, attempt: Attempt) -> str:
        """The expected answer: choices with the letters the learner saw, in the order shown;
        each field of several marked ✅ or ❌ against what the learner typed."""
        _ = self.catalogs.get(language).gettext
        text = challenge.text(attempt.language)
        if challenge.type in (ChallengeType.SINGLE, ChallengeType.MULTIPLE):
            return self._choices_solution(language, challenge, attempt)
        if challenge.type is ChallengeType.FIELDS:
            lines = self._fields_solution(language, challenge, attempt)
            return _("The answer: {answer}").format(answer="\n" + "\n".join(lines))
        solution = _("The answer: {answer}").format(answer=f"<b>{rich(text.accept[0])}</b>")
        typed = "" if attempt.skipped else (attempt.value or "")
        if only_the_number(challenge, attempt.language, typed, text.accept, challenge.unit):
            solution += "\n<i>" + _("Only the number was expected.") + "</i>"
        return solution

    def _choices_solution(self, language: str, challenge: Challenge, attempt: Attempt) -> str:
        """The right options with the letters they had on the learner's screen, in that
        order; under a wrong multiple choice, the letters ticked wrongly and those missed."""
        _ = self.catalogs.get(language).gettext
        options = challenge.text(attempt.language).options
        order = [i for i in attempt.option_order if i < len(options)]
        order += [i for i in range(len(options)) if i not in order]  # none unless edited since
        letter = {index: LETTERS[position] for position, index in enumerate(order)}
        right = [i for i in order if i in challenge.right_indexes]
        shown = [f"<b>{letter[i]}) {rich(options[i])}</b>" for i in right]
        if challenge.type is ChallengeType.SINGLE:
            return _("The answer: {answer}").format(answer="; ".join(shown))
        answer = "\n" + "\n".join(f"• {option}" for option in shown)
        lines = [_("The answer: {answer}").format(answer=answer)]
        chosen = _chosen(attempt)
        if attempt.answered and not attempt.skipped and chosen != challenge.right_indexes:
            wrongly = ", ".join(letter[i] for i in order if i in chosen and i not in right)
            missed = ", ".join(letter[i] for i in right if i not in chosen)
            if wrongly:
                lines.append(_("Ticked but wrong: {letters}").format(letters=wrongly))
            if missed:
                lines.append(_("Right but not ticked: {letters}").format(letters=missed))
        return "\n".join(lines)

    def _fields_solution(self, language: str, challenge: Challenge, attempt: Attempt) -> list[str]:
        """One line per field: its expected value, marked ✅ or ❌ once answered, with what
        the learner typed when wrong (and whether only the number was expected)."""
        _ = self.catalogs.get(language).gettext
        fields = challenge.text(attempt.language).fields
        if attempt.skipped or not attempt.answered:
            return [f"• {escape(field.label)}: <b>{rich(field.accept[0])}</b>" for field in fields]
        typed = (attempt.value or "").split("\n")[: len(fields)]
        typed += [""] * (len(fields) - len(typed))
        marks = field_results(challenge, attempt.language, typed)
        lines = []
        for field, value, right in zip(fields, typed, marks, strict=True):
            expected = f"{escape(field.label)}: <b>{rich(field.accept[0])}</b>"
            if right:
                lines.append(f"✅ {expected}")
                continue
            if only_the_number(challenge, attempt.language, value, field.accept, field.unit):
                note = _("(your answer: {answer}; only the number was expected)")
            else:
                note = _("(your answer: {answer})")
            lines.append(f"❌ {expected} " + note.format(answer=echo(value) if value else "—"))
        return lines

    # --- reporting a problem with a question ---------------------------------------------

    def report_reasons(self, language: str, challenge: Challenge, attempt: Attempt) -> Message:
        _ = self.catalogs.get(language).gettext
        prompt = " ".join(challenge.text(attempt.language).prompt.split())
        prompt = cut(prompt, PROMPT_EXCERPT)
        text = "\n".join(
            [
                "⚠️ <b>" + _("Report a problem") + "</b>",
                f"<i>{escape(prompt)}</i>",
                _("What is wrong with this question?"),
            ]
        )
        rows = [
            (Button(_(label), ReportWhy(attempt.token, reason.value).pack()),)
            for reason, label in REASON_LABELS.items()
        ]
        rows.append((Button(_("Cancel"), ReportClose().pack()),))
        return Message(text, tuple(rows))

    def report_ask_text(self, language: str) -> str:
        return "✍️ " + self.catalogs.get(language).ngettext(
            "Say what is wrong in a few words (at most {count} character), or tap Cancel.",
            "Say what is wrong in a few words (at most {count} characters), or tap Cancel.",
            REPORT_TEXT_LIMIT,
        ).format(count=REPORT_TEXT_LIMIT)

    def report_cancel_buttons(self, language: str) -> Keyboard:
        _ = self.catalogs.get(language).gettext
        return ((Button(_("Cancel"), ReportCancel().pack()),),)

    def report_text_too_long(self, language: str) -> Message:
        text = (
            self.catalogs.get(language)
            .ngettext(
                "That is too long: at most {count} character. Shorten it, or tap Cancel.",
                "That is too long: at most {count} characters. Shorten it, or tap Cancel.",
                REPORT_TEXT_LIMIT,
            )
            .format(count=REPORT_TEXT_LIMIT)
        )
        return Message(text, self.report_cancel_buttons(language), expects_text=True)

    def report_thanks(self, language: str) -> str:
        return "🙏 " + self.catalogs.get(language).gettext(
            "Thank you! Your report goes to the authors of this question."
        )

    def report_cancelled(self, language: str, cancelled: Cancelled) -> str:
        _ = self.catalogs.get(language).gettext
        if cancelled is Cancelled.KEPT:
            return _("Cancelled: your earlier report on this question stands.")
        return _("Report cancelled: nothing was sent.")

    # --- results -------------------------------------------------------------------------

    def step(
        self, language: str, then: Served | Finished | ReviewFinished, streak: int = 0
    ) -> Message:
        """What follows: the next challenge, the test's result or the review's end;
        ``streak``: the days in a row, shown with the day's first result."""
        if isinstance(then, Finished):
            return self.result(language, then, streak)
        if isinstance(then, ReviewFinished):
            return self.review_done(language, then)
        return self.challenge(language, then)

    def result(self, language: str, finished: Finished, streak: int = 0) -> Message:
        """A test's result as Pix's result page gives it: the level of the open maximum and
        the pix of the competence's, what the level means, a celebration when it is new or
        higher, each challenge's outcome with its skill, the skills validated and to work on,
        the tutorials of the skills missed; ``streak``: shown with the day's first result."""
        _ = self.catalogs.get(language).gettext
        code, level = finished.assessment.competence, finished.score.level
        name = escape(self.bank.competence_name(code, language))
        parts = [
            "🏁 <b>"
            + _("Test finished: {competence}").format(competence=f"{code} {name}")
            + "</b>"
        ]
        headline = _("Level <b>{level}</b> of {max_level} · <b>{pix}</b> of {max_pix} pix").format(
            level=level,
            max_level=self.max_level,
            pix=finished.score.pix,
            max_pix=self.max_level * PIX_PER_LEVEL,
        )
        meaning = self._level_meaning(language, code, level)
        parts.append(headline + (f"\n<i>{escape(meaning)}</i>" if meaning else ""))
        celebration = self._celebration(language, finished)
        if celebration:
            parts.append(celebration)
        recap = self._recap(language, finished)
        if recap:
            parts.append("<b>" + _("Your answers") + "</b>\n" + "\n".join(recap))
        validated, to_work = self._skills(language, finished)
        if validated:
            parts.append("✅ <b>" + _("Skills validated:") + "</b> " + ", ".join(validated))
        if to_work:
            parts.append("📌 <b>" + _("To work on:") + "</b> " + ", ".join(to_work))
        tutorials = self.recommended(language, finished.failed_skills)
        rows: list[tuple[Button, ...]] = []
        if tutorials:
            listed = self.common.tutorial_list(language, tutorials, numbered=len(tutorials) > 1)
            parts.append("📚 <b>" + _("Recommended tutorials:") + "</b>\n" + listed)
            rows.append(self._save_all(language, finished, tutorials))
        if streak:
            parts.append(self.common.streak(language, streak))
        rows.append((Button(_("📣 Share my result"), ShareResult(finished.assessment.id).pack()),))
        rows.append(
            (
                Button(_("🎯 Another competence"), Again().pack()),
                Button(_("📊 My profile"), Profile().pack()),
            )
        )
        rows.append((Button(_("⬅️ Menu"), Menu().pack()),))
        text = "\n\n".join(parts)
        if len(text) > TEXT_LIMIT and recap:  # the recap goes first: the rest is what to act on
            parts.remove("<b>" + _("Your answers") + "</b>\n" + "\n".join(recap))
            text = "\n\n".join(parts)
        return Message(text, tuple(rows))

    def _level_meaning(self, language: str, code: str, level: int) -> str:
        """What the level means in this competence (its Pix level group's line)."""
        meaning = self.bank.level_meaning(code, level, language)
        if meaning is not None:
            return meaning
        return self.catalogs.get(language).gettext("No level yet: every expert started here.")

    def _celebration(self, language: str, finished: Finished) -> str:
        _ = self.catalogs.get(language).gettext
        level = finished.score.level
        before = finished.earlier.get(finished.assessment.competence)
        if level <= 0 or (before is not None and before.level >= level):
            return ""
        if before is None or before.level == 0:
            return "🎉 " + _("Your first level in this competence: well done!")
        return "🎉 " + _("Up from level {before} to level {level}: well done!").format(
            before=before.level, level=level
        )

    def _recap(self, language: str, finished: Finished) -> list[str]:
        """One line per challenge, in order: ✅, ❌ or ⏭ with its skill (topic and level)."""
        _ = self.catalogs.get(language).gettext
        lines = []
        for attempt in finished.attempts:
            skill = self.bank.skills[self.bank.challenges[attempt.challenge_id].skill]
            mark = "⏭" if attempt.skipped else "✅" if attempt.correct else "❌"
            lines.append(f"{mark} {self._skill_name(language, skill.tube, skill.level)}")
        return lines

    def _skill_name(self, language: str, tube: str, level: int) -> str:
        _ = self.catalogs.get(language).gettext
        title = self.bank.tubes[tube].title.text(language)
        return _("{tube} (level {level})").format(tube=escape(title), level=level)

    def _skills(self, language: str, finished: Finished) -> tuple[list[str], list[str]]:
        """Per topic: the highest level validated; and the lowest failed directly."""
        validated: dict[str, int] = {}
        failed: dict[str, int] = {}
        for name, known in finished.knowledge.items():
            skill = self.bank.skills.get(name)
            if skill is not None and known.validated:
                validated[skill.tube] = max(validated.get(skill.tube, 0), skill.level)
        for name in finished.failed_skills:
            skill = self.bank.skills.get(name)
            if skill is not None:
                failed[skill.tube] = min(failed.get(skill.tube, skill.level), skill.level)

        def named(levels: dict[str, int], descending: bool) -> list[str]:
            order = sorted(
                levels.items(), key=lambda item: (-item[1] if descending else item[1], item[0])
            )
            return [self._skill_name(language, tube, level) for tube, level in order]

        return named(validated, True), named(failed, False)

    def recommended(self, language: str, failed_skills: Sequence[str]) -> list[Tutorial]:
        """The tutorials of the skills failed, easiest skill first (the result lists them and
        "Save all" saves them)."""
        tutorials: list[Tutorial] = []
        known = [skill for skill in failed_skills if skill in self.bank.skills]
        for skill in sorted(known, key=lambda s: self.bank.skills[s].level):
            for tutorial in self.bank.tutorials_for(skill, language):
                if tutorial not in tutorials:
                    tutorials.append(tutorial)
        return tutorials[:MAX_RECOMMENDED]

    def _save_all(
        self, language: str, finished: Finished, tutorials: Sequence[Tutorial]
    ) -> tuple[Button, ...]:
        _ = self.catalogs.get(language).gettext
        if len(tutorials) == 1:
            return self.save_buttons(language, tutorials)
        return (Button(_("💾 Save all"), SaveAll(finished.assessment.id).pack()),)

    def saved_all(self, language: str, count: int) -> str:
        return (
            self.catalogs.get(language)
            .ngettext(
                "Saved {count} tutorial: find it with /tutorials.",
                "Saved {count} tutorials: find them with /tutorials.",
                count,
            )
            .format(count=count)
        )

    def review_done(self, language: str, done: ReviewFinished) -> Message:
        _ = self.catalogs.get(language).gettext
        right = (
            self.catalogs.get(language)
            .ngettext("{right} of {total} right.", "{right} of {total} right.", done.answered)
            .format(right=done.right, total=done.answered)
        )
        lines = [
            "🔁 <b>" + _("Review done") + "</b>",
            right + " " + _("Levels do not change with reviews."),
        ]
        if done.next_due is not None:
            lines.append(_("Next review: {date}.").format(date=long_date(language, done.next_due)))
        buttons = (
            (Button(_("🎯 Take a test"), Again().pack()),),
            (Button(_("⬅️ Menu"), Menu().pack()),),
        )
        return Message("\n".join(lines), buttons)


def _chosen(attempt: Attempt) -> set[int]:
    """The options a choice answer chose (their indexes in the bank)."""
    return {int(i) for i in (attempt.value or "").split(",") if i.isdigit()}
